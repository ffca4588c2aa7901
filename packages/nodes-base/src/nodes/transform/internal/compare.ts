import { lodash } from '../../../shared/lodash.js';

const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;

/** lodash `isEqual`, with a fast path for primitives (the common case in sorts). */
export function equalValues(a: unknown, b: unknown): boolean {
  if (!isObject(a) && !isObject(b)) return a === b || (a !== a && b !== b);
  return lodash().isEqual(a, b);
}

/** lodash `lt`: strings compare as strings, anything else as numbers. */
export function lessThan(a: unknown, b: unknown): boolean {
  if (isObject(a) || isObject(b)) return lodash().lt(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if (typeof a === 'symbol' || typeof b === 'symbol') return false;
  return Number(a) < Number(b);
}
