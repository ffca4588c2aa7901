/**
 * Dot-notation access to item data with lodash's path syntax (`a.b[0]["c.d"]`), reading only own
 * properties and never writing through prototype-pollution keys.
 */
import type { JsonObject, JsonValue } from '@budflow/node-sdk';

export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

const hasOwn = (value: object, key: string): boolean =>
  Object.prototype.hasOwnProperty.call(value, key);

/** Splits a lodash-style path into keys: `a.b[0]["x.y"]` -> `['a', 'b', '0', 'x.y']`. */
export function parsePath(path: string): string[] {
  const keys: string[] = [];
  if (path === '') return [''];
  if (path.startsWith('.')) keys.push('');
  const re =
    /[^.[\]]+|\[(?:([^"'][^[]*)|(["'])((?:(?!\2)[^\\]|\\.)*?)\2)\]|(?=(?:\.|\[\])(?:\.|\[\]|$))/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(path)) !== null) {
    const [whole, number, quote, subString] = match;
    let key: string = whole;
    if (quote) key = (subString ?? '').replace(/\\(\\)?/g, '$1');
    else if (number !== undefined) key = number.trim();
    keys.push(key);
    if (whole === '') re.lastIndex++;
  }
  return keys;
}

function isSingleKey(object: unknown, path: string): boolean {
  if (!/[.[\]]/.test(path)) return true;
  return typeof object === 'object' && object !== null && hasOwn(object, path);
}

/** The keys a path resolves to against `object` (a whole-key match wins, as in lodash). */
export function pathKeys(object: unknown, path: string): string[] {
  return isSingleKey(object, path) ? [path] : parsePath(path);
}

/** Own-property lookup by path; `undefined` when any step is missing. */
export function getPath(object: unknown, path: string): JsonValue | undefined {
  let current: unknown = object;
  for (const key of pathKeys(object, path)) {
    if (typeof current !== 'object' || current === null || !hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as JsonValue | undefined;
}

/** Reads a field with or without dot notation. */
export function getField(
  object: JsonObject,
  field: string,
  dotNotation: boolean,
): JsonValue | undefined {
  if (!dotNotation) return hasOwn(object, field) ? object[field] : undefined;
  return getPath(object, field);
}

/** True when any key of the path is `__proto__`, `constructor` or `prototype`. */
export function hasForbiddenKey(path: string): boolean {
  return parsePath(path).some((key) => FORBIDDEN_KEYS.has(key)) || FORBIDDEN_KEYS.has(path);
}

/** Defines an own enumerable property, so even `__proto__` becomes plain data. */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/**
 * lodash `set` semantics (creates objects, or arrays for numeric next keys) but silently skips
 * paths through prototype-pollution keys.
 */
export function setPath(object: Record<string, unknown>, path: string, value: unknown): void {
  const keys = parsePath(path);
  if (keys.some((key) => FORBIDDEN_KEYS.has(key))) return;
  let current: Record<string, unknown> = object;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (i === keys.length - 1) {
      defineOwn(current, key, value);
      return;
    }
    const existing = hasOwn(current, key) ? current[key] : undefined;
    if (typeof existing === 'object' && existing !== null) {
      current = existing as Record<string, unknown>;
    } else {
      const next: Record<string, unknown> = /^(?:0|[1-9]\d*)$/.test(keys[i + 1]!)
        ? ([] as unknown as Record<string, unknown>)
        : {};
      defineOwn(current, key, next);
      current = next;
    }
  }
}

/** Sets a field with or without dot notation. */
export function setField(
  object: Record<string, unknown>,
  field: string,
  value: unknown,
  dotNotation: boolean,
): void {
  if (dotNotation) setPath(object, field, value);
  else defineOwn(object, field, value);
}

/** lodash `unset`: deletes the last key of the path when its parent exists. */
export function unsetPath(object: Record<string, unknown>, path: string): void {
  const keys = pathKeys(object, path);
  let current: unknown = object;
  for (let i = 0; i < keys.length - 1; i++) {
    if (typeof current !== 'object' || current === null || !hasOwn(current, keys[i]!)) return;
    current = (current as Record<string, unknown>)[keys[i]!];
  }
  const last = keys[keys.length - 1]!;
  if (typeof current === 'object' && current !== null && hasOwn(current, last)) {
    delete (current as Record<string, unknown>)[last];
  }
}
