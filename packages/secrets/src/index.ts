/**
 * @budflow/secrets: credential encryption (AES-256-GCM, keys derived with HKDF from
 * `BUDFLOW_ENCRYPTION_KEY` or a generated key file), the engine's credential resolver, and the
 * redaction of credential values from errors, logs and execution data.
 */
export {
  MIN_ENCRYPTION_KEY_LENGTH,
  createCredentialCipher,
  type CredentialCipher,
  type CredentialCipherOptions,
  type DecryptOptions,
  type EncryptOptions,
} from './cipher/credential-cipher.js';
export { SECRETS_ERROR_CODES, type CredentialLabel } from './errors.js';
export {
  ENCRYPTION_KEY_FILE,
  loadEncryptionKey,
  resolveDataDir,
  type LoadEncryptionKeyOptions,
  type LoadedEncryptionKey,
} from './key/load-encryption-key.js';
export {
  MIN_REDACTED_LENGTH,
  REDACTED,
  SecretRedactor,
  redactLogger,
  redactObserver,
} from './redaction/secret-redactor.js';
export {
  createCredentialResolver,
  type CreateCredentialResolverOptions,
  type CredentialResolverPort,
  type CredentialSource,
  type EncryptedCredential,
} from './resolver/credential-resolver.js';
