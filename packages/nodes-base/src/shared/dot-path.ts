/**
 * Dot-notation paths (`a.b[0].c`, `a["x.y"]`) read and written like lodash's `get`/`set`/`unset`,
 * which is what n8n nodes use, but refusing the keys that reach an object's prototype.
 */
import type { JsonObject, JsonValue } from '@budflow/node-sdk';

const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** True for `__proto__`, `constructor` and `prototype`: keys that must never be written through. */
export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

const INDEX = /^(?:0|[1-9]\d*)$/;
const NEEDS_PARSING = /[.[\]]/;

/** Splits a path into keys as lodash's `toPath` does (`a[0]["b.c"]` -> `['a', '0', 'b.c']`). */
export function parsePath(path: string): string[] {
  const keys: string[] = [];
  if (path.startsWith('.')) keys.push('');
  let i = 0;
  let current = '';
  let pending = false;
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '.') {
      if (pending) keys.push(current);
      else if (i > 0 && path[i - 1] === '.') keys.push('');
      current = '';
      pending = false;
      i++;
    } else if (ch === '[') {
      if (pending) keys.push(current);
      current = '';
      pending = false;
      const close = readBracket(path, i);
      if (close === null) {
        // An unterminated bracket is taken literally, as lodash does.
        current = path.slice(i);
        pending = true;
        break;
      }
      keys.push(close.key);
      i = close.end;
    } else {
      current += ch;
      pending = true;
      i++;
    }
  }
  if (pending) keys.push(current);
  else if (path.endsWith('.')) keys.push('');
  return keys;
}

function readBracket(path: string, open: number): { key: string; end: number } | null {
  const quote = path[open + 1];
  if (quote === '"' || quote === "'") {
    let key = '';
    for (let j = open + 2; j < path.length; j++) {
      const ch = path[j]!;
      if (ch === '\\' && j + 1 < path.length) {
        key += path[j + 1];
        j++;
      } else if (ch === quote && path[j + 1] === ']') {
        return { key, end: j + 2 };
      } else {
        key += ch;
      }
    }
    return null;
  }
  const close = path.indexOf(']', open);
  if (close === -1) return null;
  return { key: path.slice(open + 1, close).trim(), end: close + 1 };
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function ownValue(container: unknown, key: string): unknown {
  if (!isContainer(container) || isUnsafeKey(key)) return undefined;
  return Object.prototype.hasOwnProperty.call(container, key)
    ? (container as Record<string, unknown>)[key]
    : undefined;
}

/** The keys a path means for this object: a key that exists as written wins (lodash `isKey`). */
export function pathKeys(object: unknown, path: string | readonly string[]): string[] {
  if (typeof path !== 'string') return [...path];
  if (!NEEDS_PARSING.test(path)) return [path];
  if (isContainer(object) && Object.prototype.hasOwnProperty.call(object, path)) return [path];
  return parsePath(path);
}

/** Reads a value at a dot-notation path (own properties only), or `undefined`. */
export function getPath(object: unknown, path: string | readonly string[]): unknown {
  const keys = pathKeys(object, path);
  let current: unknown = object;
  for (const key of keys) {
    current = ownValue(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** True when the path resolves to an own property, even one holding `undefined`. */
export function hasPath(object: unknown, path: string | readonly string[]): boolean {
  const keys = pathKeys(object, path);
  let current: unknown = object;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (!isContainer(current) || isUnsafeKey(key)) return false;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return keys.length > 0;
}

/**
 * Writes a value at a dot-notation path, creating objects (or arrays for index keys) on the way,
 * as lodash's `set`. A path through `__proto__`, `constructor` or `prototype` writes nothing.
 * Returns whether the value was written.
 */
export function setPath(object: object, path: string | readonly string[], value: unknown): boolean {
  if (typeof path === 'string' && !NEEDS_PARSING.test(path)) {
    // A plain key (the common case): no path to walk.
    if (isUnsafeKey(path)) return false;
    (object as Record<string, unknown>)[path] = value;
    return true;
  }
  const keys = pathKeys(object, path);
  if (keys.length === 0 || keys.some(isUnsafeKey)) return false;
  let current = object as Record<string, unknown>;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const next = Object.prototype.hasOwnProperty.call(current, key) ? current[key] : undefined;
    if (isContainer(next)) {
      current = next as Record<string, unknown>;
    } else {
      const created: Container = INDEX.test(keys[i + 1]!) ? [] : {};
      current[key] = created;
      current = created as Record<string, unknown>;
    }
  }
  current[keys[keys.length - 1]!] = value;
  return true;
}

/** Deletes the property at a dot-notation path. Returns whether something was deleted. */
export function unsetPath(object: object, path: string | readonly string[]): boolean {
  const keys = pathKeys(object, path);
  if (keys.length === 0 || keys.some(isUnsafeKey)) return false;
  const parent = keys.length === 1 ? object : getPath(object, keys.slice(0, -1));
  const last = keys[keys.length - 1]!;
  if (!isContainer(parent) || !Object.prototype.hasOwnProperty.call(parent, last)) return false;
  return delete (parent as Record<string, unknown>)[last];
}

/** Plain (non-dot-notation) key write that cannot reach the prototype. */
export function setKey(object: JsonObject, key: string, value: JsonValue | undefined): boolean {
  if (isUnsafeKey(key)) return false;
  object[key] = value;
  return true;
}
