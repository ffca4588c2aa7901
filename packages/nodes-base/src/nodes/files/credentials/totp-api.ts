import { defineCredential } from '@budflow/node-sdk';
import { z } from 'zod';

const totpApiData = z.object({
  secret: z.string().meta({ title: 'Secret', secret: true }),
  label: z.string().meta({ title: 'Label', description: 'issuer:username' }),
});
export type TotpApiData = z.infer<typeof totpApiData>;

/** n8n's `totpApi` credential: a base32 secret and an `issuer:username` label. */
export const totpApiCredential = defineCredential<TotpApiData>({
  type: 'totpApi',
  title: 'TOTP API',
  data: totpApiData,
});
