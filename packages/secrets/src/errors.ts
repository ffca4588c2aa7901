import { BudflowError, ERROR_CODES } from '@budflow/node-sdk';

/** Error codes of the secrets domain (plus the shared credential codes from the node SDK). */
export const SECRETS_ERROR_CODES = {
  CREDENTIAL_DECRYPT_FAILED: ERROR_CODES.CREDENTIAL_DECRYPT_FAILED,
  CREDENTIAL_NOT_FOUND: ERROR_CODES.CREDENTIAL_NOT_FOUND,
  ENCRYPTION_KEY_INVALID: 'ENCRYPTION_KEY_INVALID',
  ENCRYPTION_KEY_MISMATCH: 'ENCRYPTION_KEY_MISMATCH',
} as const;

/** Which credential a decrypt failure is about, so the message can name it. */
export interface CredentialLabel {
  id?: string | null;
  name?: string;
  type?: string;
}

export function describeCredential(label: CredentialLabel | undefined): string {
  if (!label) return 'credential';
  const name = label.name === undefined ? '' : ` '${label.name}'`;
  const extra = [label.type, label.id ? `id ${label.id}` : undefined].filter(Boolean).join(', ');
  return `credential${name}${extra ? ` (${extra})` : ''}`;
}

export function decryptFailed(
  label: CredentialLabel | undefined,
  reason: string,
  cause?: unknown,
): BudflowError {
  return new BudflowError(
    SECRETS_ERROR_CODES.CREDENTIAL_DECRYPT_FAILED,
    `${describeCredential(label)} cannot be decrypted: ${reason}`,
    {
      details: {
        ...(label?.id ? { credentialId: label.id } : {}),
        ...(label?.name === undefined ? {} : { credentialName: label.name }),
        ...(label?.type === undefined ? {} : { credentialType: label.type }),
      },
      cause,
    },
  );
}
