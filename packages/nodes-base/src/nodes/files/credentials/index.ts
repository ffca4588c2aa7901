import type { CredentialDefinition } from '@budflow/node-sdk';
import { jwtAuthCredential } from './jwt-auth.js';
import { totpApiCredential } from './totp-api.js';

export { jwtAuthCredential, totpApiCredential };

/** Credential types used by the files node group. */
export const filesCredentials: CredentialDefinition<any>[] = [jwtAuthCredential, totpApiCredential];
