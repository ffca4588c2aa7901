import type { JsonObject, JsonValue } from '@budflow/node-sdk';

/** Keys that must never be read through or written to: they reach an object's prototype. */
const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

/** Splits a lodash-style path (`a.b[0].c`, `a["x.y"]`) into its segments. */
export function parsePath(path: string): string[] {
  const segments: string[] = [];
  for (const match of path.matchAll(/\[(["'])(.*?)\1\]|\[([^\]]*)\]|([^.[\]]+)/g)) {
    segments.push(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return segments;
}

const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);

/**
 * Reads a dot-notation path like lodash `get`: an own key equal to the whole path wins, and a
 * path through `__proto__`, `constructor` or `prototype` reads nothing.
 */
export function getPath(source: unknown, path: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  if (hasOwn(source, path)) return isUnsafeKey(path) ? undefined : (source as JsonObject)[path];
  let current: unknown = source;
  for (const segment of parsePath(path)) {
    if (isUnsafeKey(segment)) return undefined;
    if (current === null || typeof current !== 'object' || !hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/**
 * Writes a dot-notation path like lodash `set`, creating objects (or arrays for numeric
 * segments) on the way. Refuses paths through prototype keys.
 */
export function setPath(target: JsonObject, path: string, value: JsonValue | undefined): void {
  const segments = parsePath(path);
  if (segments.length === 0) segments.push(path);
  const unsafe = segments.find(isUnsafeKey);
  if (unsafe !== undefined) {
    throw new Error(`the field path '${path}' uses the reserved key '${unsafe}'`);
  }
  let current: Record<string, unknown> = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    const next = current[segment];
    if (next === null || typeof next !== 'object') {
      const created = /^\d+$/.test(segments[i + 1]!) ? [] : {};
      current[segment] = created;
      current = created;
    } else {
      current = next as Record<string, unknown>;
    }
  }
  current[segments[segments.length - 1]!] = value;
}

/** Removes a dot-notation path (lodash `unset`). */
export function unsetPath(target: Record<string, unknown>, path: string): void {
  if (hasOwn(target, path)) {
    delete target[path];
    return;
  }
  const segments = parsePath(path);
  if (segments.some(isUnsafeKey)) return;
  let current: unknown = target;
  for (let i = 0; i < segments.length - 1; i++) {
    if (current === null || typeof current !== 'object') return;
    current = (current as Record<string, unknown>)[segments[i]!];
  }
  if (current !== null && typeof current === 'object') {
    delete (current as Record<string, unknown>)[segments[segments.length - 1]!];
  }
}

/**
 * Deep copy into plain JSON: drops `__proto__` keys and `undefined`, turns Dates into ISO strings,
 * Buffers/typed arrays and functions into nothing. Used on what third-party parsers return.
 */
export function toJsonValue(value: unknown): JsonValue | undefined {
  if (value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return undefined;
  }
  if (Array.isArray(value)) return value.map((entry) => toJsonValue(entry) ?? null);
  if (ArrayBuffer.isView(value)) return undefined;
  const out: JsonObject = {};
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    const converted = toJsonValue((value as Record<string, unknown>)[key]);
    if (converted !== undefined) out[key] = converted;
  }
  return out;
}

/** `toJsonValue` for a value known to be an object. */
export function toJsonObject(value: unknown): JsonObject {
  const converted = toJsonValue(value);
  return converted !== null && typeof converted === 'object' && !Array.isArray(converted)
    ? converted
    : {};
}
