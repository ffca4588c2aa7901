import { asNodeError, defineNode, type Item, type JsonObject } from '@budflow/node-sdk';
import type jsonwebtoken from 'jsonwebtoken';
import { z } from 'zod';
import { JWT_ALGORITHMS, jwtAuthCredential, type JwtAuthData } from '../credentials/jwt-auth.js';
import { toJsonObject } from '../internal/data-path.js';
import { itemError } from '../internal/item-loop.js';
import { looseNumber } from '../internal/schema.js';
import { formatPemKey } from './format-key.js';
import { loadOnce } from '../../../shared/index.js';

// jsonwebtoken (~11 MB of memory) is loaded when a JWT node first runs.
const loadJsonwebtoken = loadOnce(() => import('jsonwebtoken').then((m) => m.default));

const DEFAULT_CLAIMS_JSON = '{\n  "my_field_1": "value 1",\n  "my_field_2": "value 2"\n}\n';

const paramsSchema = () =>
  z.object({
    operation: z.enum(['decode', 'sign', 'verify']).default('sign'),
    useJson: z.boolean().default(false),
    claims: z
      .object({
        audience: z.string().optional(),
        expiresIn: looseNumber().optional(),
        issuer: z.string().optional(),
        jwtid: z.string().optional(),
        notBefore: looseNumber().optional(),
        subject: z.string().optional(),
      })
      .default({}),
    claimsJson: z
      .union([z.string(), z.record(z.string(), z.unknown())])
      .default(DEFAULT_CLAIMS_JSON),
    token: z.string().default('').meta({ secret: true }),
    options: z
      .object({
        complete: z.boolean().optional(),
        ignoreExpiration: z.boolean().optional(),
        ignoreNotBefore: z.boolean().optional(),
        clockTolerance: looseNumber().optional(),
        kid: z.string().optional(),
        algorithm: z.enum(JWT_ALGORITHMS).optional(),
      })
      .default({}),
  });

export type JwtParams = z.infer<ReturnType<typeof paramsSchema>>;

function parseClaimsJson(value: string | Record<string, unknown>): JsonObject {
  if (typeof value !== 'string') return toJsonObject(value);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new Error(`parameter 'claimsJson' is not valid JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error("parameter 'claimsJson' must be a JSON object");
  }
  return toJsonObject(parsed);
}

/** n8n's JWT node: sign, decode and verify tokens with the `jwtAuth` credential. */
export const jwtNode = defineNode<JwtParams>({
  type: 'budflow.jwt',
  version: 1,
  title: 'JWT',
  description: 'Sign, decode and verify JSON Web Tokens',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.jwt', versions: [1] } },
  credentials: [{ name: 'jwtAuth', required: true }],
  params: paramsSchema,
  async execute(ctx) {
    const raw = await ctx.getCredentials('jwtAuth');
    const parsed = jwtAuthCredential.data.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw itemError(ctx, `the jwtAuth credential is invalid (check: ${fields})`, 0);
    }
    const credentials: JwtAuthData = parsed.data;
    const jwt = await loadJsonwebtoken();

    const out: Item[] = [];
    for (let itemIndex = 0; itemIndex < ctx.items.length; itemIndex++) {
      try {
        out.push({ ...(await runOne(itemIndex)), pairedItem: { item: itemIndex } });
      } catch (error) {
        const nodeError = asNodeError(error, ctx.node.name, itemIndex);
        if (!ctx.continueOnFail) throw nodeError;
        // The failed item keeps its input json and carries the error, as n8n's JWT node does.
        out.push({
          json: ctx.items[itemIndex]!.json,
          error: { message: nodeError.message, name: nodeError.name },
          pairedItem: { item: itemIndex },
        });
      }
    }
    return out;

    async function runOne(itemIndex: number): Promise<Item> {
      const params = ctx.params(itemIndex);
      const { options } = params;
      const algorithm = options.algorithm ?? credentials.algorithm;
      try {
        if (params.operation === 'sign') {
          const payload = params.useJson ? parseClaimsJson(params.claimsJson) : params.claims;
          const key =
            credentials.keyType === 'passphrase'
              ? credentials.secret
              : formatPemKey(credentials.privateKey);
          const signOptions: jsonwebtoken.SignOptions = { algorithm };
          if (options.kid) signOptions.keyid = options.kid;
          return { json: { token: jwt.sign(payload, key, signOptions) } };
        }
        if (!params.token) {
          throw itemError(ctx, 'The JWT token was not provided', itemIndex, {
            description: "Be sure to add a valid JWT token to the 'Token' parameter",
          });
        }
        if (params.operation === 'verify') {
          const key =
            credentials.keyType === 'passphrase'
              ? credentials.secret
              : formatPemKey(credentials.publicKey);
          const data: unknown = jwt.verify(params.token, key, {
            algorithms: [algorithm],
            ignoreExpiration: options.ignoreExpiration,
            ignoreNotBefore: options.ignoreNotBefore,
            clockTolerance: options.clockTolerance,
            complete: options.complete,
          });
          return {
            json: options.complete && data ? toJsonObject(data) : { payload: toJsonValue(data) },
          };
        }
        const data: unknown = jwt.decode(params.token, { complete: options.complete });
        return {
          json: options.complete && data ? toJsonObject(data) : { payload: toJsonValue(data) },
        };
      } catch (error) {
        if ((error as Error).message === 'invalid signature') {
          throw itemError(ctx, "The JWT token can't be verified", itemIndex, {
            description:
              'Be sure that the provided JWT token is correctly encoded and matches the selected credentials',
            cause: error,
          });
        }
        throw error;
      }
    }
  },
});

function toJsonValue(value: unknown) {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : toJsonObject(value);
}
