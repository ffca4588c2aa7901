/**
 * Generic credential types (n8n's names and field names), used by HTTP Request and any node that
 * authenticates a plain HTTP call. (`jwtAuth`, used by Webhook and Respond to Webhook, is defined
 * with the JWT node in the files group.)
 */
import type { CredentialDefinition } from '@budflow/node-sdk';
import {
  httpBasicAuth,
  httpBearerAuth,
  httpCustomAuth,
  httpDigestAuth,
  httpHeaderAuth,
  httpQueryAuth,
  oAuth2Api,
} from './http-credentials.js';

export {
  httpBasicAuth,
  httpBearerAuth,
  httpCustomAuth,
  httpDigestAuth,
  httpHeaderAuth,
  httpQueryAuth,
  oAuth2Api,
};
export type { OAuth2ApiData } from './http-credentials.js';

export const baseCredentials: readonly CredentialDefinition<any>[] = [
  httpBasicAuth,
  httpDigestAuth,
  httpHeaderAuth,
  httpQueryAuth,
  httpBearerAuth,
  httpCustomAuth,
  oAuth2Api,
];
