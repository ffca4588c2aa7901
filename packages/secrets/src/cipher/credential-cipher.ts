import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { BudflowError } from '@budflow/node-sdk';
import { SECRETS_ERROR_CODES, decryptFailed, type CredentialLabel } from '../errors.js';

/**
 * Ciphertext format, version 1: `bf1:<key id>:<base64url(iv | tag | ciphertext)>`.
 * The version prefix lets a later format coexist with this one; the key id (a fingerprint of the
 * derived key, not the key) tells which key a record needs, which is what makes rotation and
 * "wrong key" messages possible. The prefix and an optional context (the credential id) are bound
 * as additional authenticated data, so a ciphertext cannot be moved to another record unnoticed.
 */
const FORMAT_V1 = 'bf1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_SALT = 'budflow/credentials';
const HKDF_INFO = 'budflow credential encryption v1';
const KEY_CHECK_PLAINTEXT = 'budflow-encryption-key-check';
const KEY_CHECK_CONTEXT = 'key-check';
/** Below this length a key is too weak to stand in for 256 bits; HKDF does not stretch keys. */
export const MIN_ENCRYPTION_KEY_LENGTH = 16;

export interface EncryptOptions {
  /** Bound to the ciphertext (use the record id): decrypting with another context fails. */
  context?: string;
}

export interface DecryptOptions extends EncryptOptions {
  /** Names the credential in the error when decryption fails. */
  credential?: CredentialLabel;
}

export interface CredentialCipher {
  /** Fingerprint of the current key, stored in every ciphertext. */
  readonly keyId: string;
  encrypt(data: Record<string, unknown>, options?: EncryptOptions): string;
  decrypt(ciphertext: string, options?: DecryptOptions): Record<string, unknown>;
  /** Whether `ciphertext` was written with the current key (false: needs re-encryption). */
  isCurrent(ciphertext: string): boolean;
  /** A value to store once; `verifyKeyCheck` later tells whether the key is still the same. */
  createKeyCheck(): string;
  /** Throws `ENCRYPTION_KEY_MISMATCH` when `stored` was made with another key. */
  verifyKeyCheck(stored: string): void;
}

export interface CredentialCipherOptions {
  /** Older keys that can still decrypt (during a rotation). Encryption always uses `key`. */
  previousKeys?: readonly string[];
}

interface DerivedKey {
  id: string;
  key: Buffer;
}

function deriveKey(masterKey: string): DerivedKey {
  if (typeof masterKey !== 'string' || masterKey.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new BudflowError(
      SECRETS_ERROR_CODES.ENCRYPTION_KEY_INVALID,
      `the encryption key must be a string of at least ${MIN_ENCRYPTION_KEY_LENGTH} characters; ` +
        'set BUDFLOW_ENCRYPTION_KEY to a long random value (e.g. `openssl rand -base64 32`)',
    );
  }
  const key = Buffer.from(hkdfSync('sha256', masterKey, HKDF_SALT, HKDF_INFO, 32));
  const id = createHash('sha256').update('budflow key id').update(key).digest('hex').slice(0, 12);
  return { id, key };
}

function aadFor(keyId: string, context: string | undefined): Buffer {
  return Buffer.from(`${FORMAT_V1}:${keyId}:${context ?? ''}`, 'utf8');
}

function parse(
  ciphertext: string,
  label: CredentialLabel | undefined,
): { keyId: string; iv: Buffer; tag: Buffer; body: Buffer } {
  if (typeof ciphertext !== 'string') throw decryptFailed(label, 'the stored data is not a string');
  const parts = ciphertext.split(':');
  if (parts.length !== 3 || parts[0] !== FORMAT_V1) {
    const version = parts.length === 3 ? `'${parts[0]}'` : 'unknown';
    throw decryptFailed(
      label,
      `the stored data is not in a known encrypted format (version ${version}); it may be corrupt or from another system`,
    );
  }
  const raw = Buffer.from(parts[2]!, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) {
    throw decryptFailed(label, 'the stored data is truncated');
  }
  return {
    keyId: parts[1]!,
    iv: raw.subarray(0, IV_BYTES),
    tag: raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    body: raw.subarray(IV_BYTES + TAG_BYTES),
  };
}

/** AES-256-GCM credential cipher; keys derived with HKDF-SHA256 from the master key. */
export function createCredentialCipher(
  masterKey: string,
  options: CredentialCipherOptions = {},
): CredentialCipher {
  const current = deriveKey(masterKey);
  const keys = new Map<string, Buffer>([[current.id, current.key]]);
  for (const previous of options.previousKeys ?? []) {
    const derived = deriveKey(previous);
    if (!keys.has(derived.id)) keys.set(derived.id, derived.key);
  }

  const encrypt = (data: Record<string, unknown>, opts: EncryptOptions = {}): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aadFor(current.id, opts.context));
    const body = Buffer.concat([cipher.update(JSON.stringify(data), 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    return `${FORMAT_V1}:${current.id}:${packed}`;
  };

  const decryptString = (ciphertext: string, opts: DecryptOptions = {}): string => {
    const { keyId, iv, tag, body } = parse(ciphertext, opts.credential);
    const key = keys.get(keyId);
    if (!key) {
      throw decryptFailed(
        opts.credential,
        `it was encrypted with another key (key id ${keyId}, current key id ${current.id}); ` +
          'set BUDFLOW_ENCRYPTION_KEY to the key it was saved with',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aadFor(keyId, opts.context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (error) {
      throw decryptFailed(
        opts.credential,
        'the data is corrupt or was tampered with (authentication failed)',
        error,
      );
    }
  };

  return {
    keyId: current.id,
    encrypt,
    decrypt(ciphertext, opts = {}) {
      const text = decryptString(ciphertext, opts);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw decryptFailed(opts.credential, 'the decrypted data is not valid JSON', error);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw decryptFailed(opts.credential, 'the decrypted data is not an object');
      }
      return value as Record<string, unknown>;
    },
    isCurrent(ciphertext) {
      const parts = ciphertext.split(':');
      return parts.length === 3 && parts[0] === FORMAT_V1 && parts[1] === current.id;
    },
    createKeyCheck() {
      return encrypt({ check: KEY_CHECK_PLAINTEXT }, { context: KEY_CHECK_CONTEXT });
    },
    verifyKeyCheck(stored) {
      let ok = false;
      let storedKeyId = 'unknown';
      try {
        storedKeyId = stored.split(':')[1] ?? storedKeyId;
        const text = decryptString(stored, { context: KEY_CHECK_CONTEXT });
        ok = (JSON.parse(text) as { check?: unknown }).check === KEY_CHECK_PLAINTEXT;
      } catch {
        ok = false;
      }
      if (!ok) {
        throw new BudflowError(
          SECRETS_ERROR_CODES.ENCRYPTION_KEY_MISMATCH,
          `the encryption key (key id ${current.id}) is not the one this data was encrypted with ` +
            `(key id ${storedKeyId}); set BUDFLOW_ENCRYPTION_KEY to the original key, or rotate ` +
            'credentials with both keys',
          { details: { keyId: current.id, storedKeyId } },
        );
      }
    },
  };
}
