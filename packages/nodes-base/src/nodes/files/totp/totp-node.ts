import { defineNode } from '@budflow/node-sdk';
import type * as OTPAuth from 'otpauth';
import { z } from 'zod';
import { totpApiCredential } from '../credentials/totp-api.js';
import { itemError } from '../internal/item-loop.js';
import { looseNumber } from '../internal/schema.js';
import { loadOnce } from '../../../shared/index.js';

// otpauth (~4 MB of memory) is loaded when a TOTP node first runs.
const loadOtpauth = loadOnce(() => import('otpauth'));

const TOTP_ALGORITHMS = [
  'SHA1',
  'SHA224',
  'SHA256',
  'SHA3-224',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'SHA384',
  'SHA512',
] as const;

const paramsSchema = () =>
  z.object({
    operation: z.enum(['generateSecret']).default('generateSecret'),
    options: z
      .object({
        algorithm: z.enum(TOTP_ALGORITHMS).optional(),
        digits: looseNumber().optional(),
        period: looseNumber().optional(),
      })
      .default({}),
  });

export type TotpParams = z.infer<ReturnType<typeof paramsSchema>>;

/** n8n's TOTP node: the current time-based one-time password of the `totpApi` credential. */
export const totpNode = defineNode<TotpParams>({
  type: 'budflow.totp',
  version: 1,
  title: 'TOTP',
  description: 'Generate a time-based one-time password',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.totp', versions: [1] } },
  credentials: [{ name: 'totpApi', required: true }],
  params: paramsSchema,
  paramItems: 'first',
  async execute(ctx) {
    const parsed = totpApiCredential.data.safeParse(await ctx.getCredentials('totpApi'));
    if (!parsed.success) {
      throw itemError(ctx, 'the totpApi credential needs a secret and a label', 0);
    }
    const { label, secret } = parsed.data;
    if (!label.includes(':')) {
      throw itemError(ctx, 'Malformed label - expected `issuer:username`', 0);
    }
    const { options } = ctx.params(0);
    // n8n replaces unset or zero options with the defaults.
    const algorithm = options.algorithm || 'SHA1';
    const digits = options.digits || 6;
    const period = options.period || 30;
    const { TOTP } = await loadOtpauth();
    let totp: OTPAuth.TOTP;
    try {
      totp = new TOTP({
        issuer: label.split(':')[0],
        label,
        secret,
        algorithm,
        digits,
        period,
      });
    } catch (error) {
      throw itemError(ctx, `could not create the TOTP generator: ${(error as Error).message}`, 0, {
        cause: error,
      });
    }
    const now = Date.now();
    const token = totp.generate({ timestamp: now });
    const secondsRemaining = (period * (1 - ((now / 1000 / period) % 1))) | 0;
    return ctx.items.map((_, item) => ({
      json: { token, secondsRemaining },
      pairedItem: { item },
    }));
  },
});
