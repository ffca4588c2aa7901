import type { JsonObject, JsonValue } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { defineOwn } from './paths.js';

/** A comma-separated list of field names, or a list already (n8n accepts both). */
export function prepareFieldsArray(fields: unknown, label = 'Fields'): string[] {
  if (fields === undefined || fields === null) return [];
  if (typeof fields === 'string') {
    return fields
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
  }
  if (Array.isArray(fields)) return fields.map((entry) => String(entry));
  throw new NodeError(
    `The '${label}' parameter must be a string of fields separated by commas or an array of strings.`,
  );
}

/** Leaf paths of a value, as lodash-based `flattenKeys` gives them (empty containers vanish). */
export function flattenKeys(value: JsonValue | undefined, path: string[] = []): string[] {
  if (typeof value !== 'object' || value === null) return [path.join('.')];
  const out: string[] = [];
  const entries = Array.isArray(value)
    ? value.map((entry, index) => [String(index), entry] as const)
    : Object.entries(value);
  for (const [key, entry] of entries) {
    for (const leaf of flattenKeys(entry, [...path, key])) {
      if (!out.includes(leaf)) out.push(leaf);
    }
  }
  return out;
}

/** A rank per JSON type, so values of different types never compare as equal or interleave. */
export function typeRank(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null) return 1;
  if (typeof value === 'boolean') return 2;
  if (typeof value === 'number') return 3;
  if (typeof value === 'string') return 4;
  if (Array.isArray(value)) return 6;
  return 5;
}

/** Fisher-Yates in place. */
export function shuffle<T>(list: T[], random: () => number = Math.random): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** A copy of `source` keeping only `keys` (own properties only, order of `keys`). */
export function pickKeys(source: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(source, key)) defineOwn(out, key, source[key]);
  }
  return out;
}

/** Spreads entries into a new object without ever touching a prototype. */
export function assignOwn(
  target: Record<string, unknown>,
  source: object,
): Record<string, unknown> {
  for (const [key, value] of Object.entries(source)) defineOwn(target, key, value);
  return target;
}

/** Deep copy of JSON data. */
export function cloneJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}
