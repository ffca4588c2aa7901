import {
  createHash,
  createHmac,
  createSign,
  getHashes,
  randomBytes,
  randomUUID,
  type BinaryToTextEncoding,
} from 'node:crypto';
import {
  copyFields,
  defineCredential,
  defineNode,
  NodeError,
  type Item,
  type JsonObject,
} from '@budflow/node-sdk';
import { z } from 'zod';
import { binaryBuffer, credentials } from './internal/context.js';
import { defineOwn, hasForbiddenKey } from './internal/paths.js';
import { bool, num, str } from './internal/schema.js';

const UNSUPPORTED_SIGN_ALGORITHMS = new Set([
  'RSA-MD4',
  'RSA-MDC2',
  'md4',
  'md4WithRSAEncryption',
  'mdc2',
  'mdc2WithRSA',
]);

/** Algorithms the Sign action accepts (Node's hashes minus the ones n8n leaves out). */
export const SIGN_ALGORITHMS: readonly string[] = getHashes().filter(
  (name) => !UNSUPPORTED_SIGN_ALGORITHMS.has(name),
);

const HASH_TYPES = [
  'MD5',
  'SHA256',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'SHA384',
  'SHA512',
] as const;

const cryptoParams = (typeVersion: number) =>
  z.object({
    action: z.enum(['generate', 'hash', 'hmac', 'sign']).default('hash'),
    type: z.enum(HASH_TYPES).default(typeVersion >= 2 ? 'SHA256' : 'MD5'),
    binaryData: bool(),
    binaryPropertyName: str('data'),
    value: z
      .union([z.string(), z.number(), z.boolean()])
      .default('')
      .transform((value) => String(value)),
    dataPropertyName: str('data'),
    encoding: z.enum(['base64', 'hex']).default('hex'),
    secret: str(),
    algorithm: str(),
    privateKey: str(),
    encodingType: z.enum(['ascii', 'base64', 'hex', 'uuid']).default('uuid'),
    stringLength: num(32),
  });
type CryptoParams = z.infer<ReturnType<typeof cryptoParams>>;

/** Credential of Crypto v2: the HMAC secret and the signing key live here, not in parameters. */
export const cryptoCredential = defineCredential({
  type: 'crypto',
  title: 'Crypto',
  data: z.object({
    hmacSecret: z.string().optional().meta({ secret: true }),
    signPrivateKey: z.string().optional().meta({ secret: true }),
  }),
});

/** Restores the line breaks of a PEM key pasted on one line. */
export function formatPrivateKey(key: string): string {
  if (/\n/.test(key.trim())) return key;
  const match = /^(-----BEGIN [A-Z ]+-----)\s*([\s\S]*?)\s*(-----END [A-Z ]+-----)$/.exec(
    key.trim(),
  );
  if (!match) return key;
  const body = match[2]!.replace(/\s+/g, '\n');
  return `${match[1]}\n${body}\n${match[3]}`;
}

function generate(p: CryptoParams): string {
  if (p.encodingType === 'uuid') return randomUUID();
  const length = Math.max(0, Math.floor(p.stringLength));
  const text = randomBytes(length).toString(p.encodingType);
  return (p.encodingType === 'base64' ? text.replace(/\W/g, '') : text).slice(0, length);
}

/**
 * n8n's Crypto node: hash or HMAC a value or a binary file, sign with a private key, or generate
 * a random string. v1 takes the secret and key as parameters, v2 from a `crypto` credential.
 */
export const cryptoNode = defineNode({
  type: 'budflow.crypto',
  version: 1,
  title: 'Crypto',
  description: 'Provide cryptographic utilities',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.crypto', versions: [1, 2] } },
  credentials: [{ name: 'crypto', required: false }],
  params: cryptoParams,
  async execute(ctx) {
    const out: Item[] = [];
    if (ctx.items.length === 0) return [out];
    const action = ctx.params(0).action;
    let hmacSecret: string | undefined;
    let signKey: string | undefined;
    if (ctx.typeVersion >= 2 && (action === 'hmac' || action === 'sign')) {
      const data = await credentials<{ hmacSecret?: string; signPrivateKey?: string }>(
        ctx,
        'crypto',
      );
      if (action === 'hmac') {
        if (!data.hmacSecret) {
          throw new NodeError(
            'No HMAC secret set in credentials. Please add an HMAC secret to your Crypto credentials.',
          );
        }
        hmacSecret = data.hmacSecret;
      } else {
        if (!data.signPrivateKey) {
          throw new NodeError(
            'No private key set in credentials. Please add a private key to your Crypto credentials.',
          );
        }
        signKey = formatPrivateKey(data.signPrivateKey);
      }
    }

    for (let i = 0; i < ctx.items.length; i++) {
      const item = ctx.items[i]!;
      try {
        const p = ctx.params(i);
        if (hasForbiddenKey(p.dataPropertyName)) {
          throw new NodeError(`Invalid property name '${p.dataPropertyName}'`, { itemIndex: i });
        }
        let result: string;
        let binaryUsed = false;
        if (action === 'generate') {
          result = generate(p);
        } else if (action === 'hash' || action === 'hmac') {
          const digest =
            action === 'hash' ? createHash(p.type) : createHmac(p.type, hmacSecret ?? p.secret);
          if (p.binaryData) {
            const ref = item.binary?.[p.binaryPropertyName];
            if (!ref) {
              throw new NodeError(
                `This operation expects the node's input data to contain a binary file '${p.binaryPropertyName}', but none was found [item ${i}]`,
                { itemIndex: i },
              );
            }
            digest.update(await binaryBuffer(ctx, ref));
            binaryUsed = true;
          } else {
            digest.update(p.value);
          }
          result = digest.digest(p.encoding as BinaryToTextEncoding);
        } else {
          let sign: ReturnType<typeof createSign>;
          try {
            sign = createSign(p.algorithm);
          } catch (error) {
            throw new NodeError(
              `Cannot sign with algorithm '${p.algorithm}': ${error instanceof Error ? error.message : String(error)}`,
              { itemIndex: i, cause: error },
            );
          }
          sign.write(p.value);
          sign.end();
          result = sign.sign(signKey ?? p.privateKey, p.encoding as BinaryToTextEncoding);
        }
        const json: Record<string, unknown> = p.dataPropertyName.includes('.')
          ? structuredClone(item.json)
          : copyFields(item.json);
        defineOwn(json, p.dataPropertyName, result);
        const next: Item = { json: json as JsonObject, pairedItem: { item: i } };
        if (item.binary && !binaryUsed) next.binary = item.binary;
        out.push(next);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!ctx.continueOnFail) {
          if (error instanceof NodeError) throw error;
          throw new NodeError(message, { itemIndex: i, cause: error });
        }
        const errorJson: JsonObject =
          ctx.typeVersion >= 2
            ? {
                message,
                ...(error instanceof Error && error.name ? { name: error.name } : {}),
                ...(typeof (error as { code?: unknown }).code === 'string'
                  ? { code: (error as { code: string }).code }
                  : {}),
              }
            : {};
        out.push({
          json: { error: ctx.typeVersion >= 2 ? errorJson : message },
          pairedItem: { item: i },
        });
      }
    }
    return [out];
  },
});
