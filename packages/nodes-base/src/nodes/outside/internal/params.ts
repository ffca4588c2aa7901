import { z } from 'zod';

/**
 * Lenient scalar schemas: after expression resolution a boolean may arrive as `"true"` and a
 * number as `"5"`, as n8n tolerates.
 */
export const bool = (fallback: boolean) =>
  z.preprocess(
    (v) => (v === 'true' ? true : v === 'false' ? false : v === '' || v === null ? undefined : v),
    z.boolean().default(fallback),
  );

export const num = (fallback: number) =>
  z.preprocess(
    (v) =>
      typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
        ? Number(v)
        : v === '' || v === null
          ? undefined
          : v,
    z.number().default(fallback),
  );

export const optNum = () =>
  z.preprocess(
    (v) =>
      typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
        ? Number(v)
        : v === '' || v === null
          ? undefined
          : v,
    z.number().optional(),
  );

/** Any value rendered as a string (n8n's string fields accept numbers from expressions). */
export const str = (fallback = '') =>
  z.preprocess(
    (v) =>
      typeof v === 'number' || typeof v === 'boolean' ? String(v) : v === null ? undefined : v,
    z.string().default(fallback),
  );

/** A JSON parameter: a string to parse, or an already-resolved value. */
export const jsonParam = () => z.unknown().default('');

const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);

/** True for keys that must never be written into an object built from user input. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE.has(key);
}

/** Sets a dotted path (`a.b.c`) in a plain object, creating objects on the way; unsafe keys are refused. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let current: Record<string, unknown> = target;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (isUnsafeKey(key)) throw new Error(`refusing to set unsafe key '${key}' in '${path}'`);
    if (i === keys.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    } else current = next as Record<string, unknown>;
  }
}

/** A sleep that ends early (rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
