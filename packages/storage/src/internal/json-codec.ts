import { gunzipSync, gzipSync } from 'node:zlib';
import { BudflowError } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES } from '../errors.js';

/** Payloads above this many bytes are stored gzip-compressed. */
export const COMPRESS_THRESHOLD_BYTES = 16 * 1024;

export interface EncodedJson {
  bytes: Buffer;
  encoding: 'json' | 'gzip';
}

export function encodeJson(value: unknown, threshold = COMPRESS_THRESHOLD_BYTES): EncodedJson {
  return encodeJsonText(JSON.stringify(value) ?? 'null', threshold);
}

/** `encodeJson` of a value serialized already (`text` is its `JSON.stringify`). */
export function encodeJsonText(text: string, threshold = COMPRESS_THRESHOLD_BYTES): EncodedJson {
  const raw = Buffer.from(text, 'utf8');
  if (raw.length <= threshold) return { bytes: raw, encoding: 'json' };
  return { bytes: gzipSync(raw, { level: 1 }), encoding: 'gzip' };
}

export function decodeJson<T>(bytes: Uint8Array, encoding: string, what: string): T {
  try {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
    const text = (encoding === 'gzip' ? gunzipSync(buffer) : buffer).toString('utf8');
    return JSON.parse(text) as T;
  } catch (error) {
    throw new BudflowError(STORAGE_ERROR_CODES.STORAGE_DATA_CORRUPT, `${what} cannot be read`, {
      cause: error,
    });
  }
}

export function parseJsonText<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}
