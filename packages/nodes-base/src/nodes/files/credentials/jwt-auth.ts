import { defineCredential } from '@budflow/node-sdk';
import { z } from 'zod';

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

const jwtAuthData = z.object({
  keyType: z.enum(['passphrase', 'pemKey']).default('passphrase'),
  secret: z.string().default('').meta({ title: 'Secret', secret: true }),
  privateKey: z.string().default('').meta({ title: 'Private Key', secret: true }),
  publicKey: z.string().default('').meta({ title: 'Public Key' }),
  algorithm: z.enum(JWT_ALGORITHMS).default('HS256'),
});
export type JwtAuthData = z.infer<typeof jwtAuthData>;

/** n8n's `jwtAuth` credential: a passphrase or a PEM key pair, and the signing algorithm. */
export const jwtAuthCredential = defineCredential<JwtAuthData>({
  type: 'jwtAuth',
  title: 'JWT Auth',
  data: jwtAuthData,
});
