import { BudflowError } from '@budflow/node-sdk';
import type { CredentialCipher } from '../cipher/credential-cipher.js';
import { SECRETS_ERROR_CODES, describeCredential } from '../errors.js';
import type { SecretRedactor } from '../redaction/secret-redactor.js';

/** An encrypted credential as storage holds it. */
export interface EncryptedCredential {
  id: string;
  name: string;
  type: string;
  /** Ciphertext from `CredentialCipher.encrypt` with the credential id as context. */
  data: string;
}

/** Where encrypted credentials come from (`@budflow/storage` implements it). */
export interface CredentialSource {
  findCredential(query: {
    id?: string | null;
    name: string;
    type: string;
  }): Promise<EncryptedCredential | undefined>;
}

/** The engine's `CredentialResolver` port (`@budflow/core`), structurally. */
export interface CredentialResolverPort {
  resolve(request: {
    nodeName: string;
    credentialType: string;
    ref: { id?: string | null; name: string };
  }): Promise<Record<string, unknown>>;
}

export interface CreateCredentialResolverOptions {
  source: CredentialSource;
  cipher: CredentialCipher;
  /** Learns each decrypted credential, so its values can be redacted from the execution. */
  redactor?: SecretRedactor;
}

/**
 * A `CredentialResolver` that looks the credential up and decrypts it only when a node asks for it.
 * Make one per execution with its own redactor: the redactor then knows exactly the secrets that
 * execution saw.
 */
export function createCredentialResolver(
  options: CreateCredentialResolverOptions,
): CredentialResolverPort {
  const { source, cipher, redactor } = options;
  return {
    async resolve({ nodeName, credentialType, ref }) {
      const found = await source.findCredential({
        id: ref.id,
        name: ref.name,
        type: credentialType,
      });
      if (!found) {
        throw new BudflowError(
          SECRETS_ERROR_CODES.CREDENTIAL_NOT_FOUND,
          `node '${nodeName}' needs ${describeCredential({ ...ref, type: credentialType })}, ` +
            'which does not exist; create it or select another credential on the node',
          {
            details: {
              nodeName,
              credentialType,
              credentialName: ref.name,
              ...(ref.id ? { credentialId: ref.id } : {}),
            },
          },
        );
      }
      const data = cipher.decrypt(found.data, {
        context: found.id,
        credential: { id: found.id, name: found.name, type: found.type },
      });
      redactor?.add(data);
      return data;
    },
  };
}
