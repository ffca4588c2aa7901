/**
 * Value equality for matching items across inputs (Merge, Compare Datasets): strict deep
 * equality, or n8n's "fuzzy compare" that treats `1` and `'1'`, `true` and `'true'`, empty values
 * and missing fields as equal.
 */
import { lodash } from './lodash.js';

export type CompareFunction = (a: unknown, b: unknown) => boolean;

const isFalsy = (value: unknown): boolean =>
  value === null || value === '' || (Array.isArray(value) && value.length === 0);

function jsonEquals(text: string, value: unknown): boolean {
  try {
    return lodash().isEqual(JSON.parse(text), value);
  } catch {
    return false;
  }
}

function booleanLike(bool: boolean, other: unknown): boolean {
  if (typeof other === 'string') {
    const lower = other.toLocaleLowerCase();
    if (bool ? lower === 'true' || other === '1' : lower === 'false' || other === '0') return true;
  }
  if (typeof other === 'number') return bool ? other === 1 : other === 0;
  return false;
}

/**
 * Returns the comparison n8n uses. `version` 2 also treats `null`, `0` and `'0'` as equal
 * (Compare Datasets 2.2+).
 */
export function fuzzyCompare(enabled: boolean, version = 1): CompareFunction {
  if (!enabled) return (a, b) => lodash().isEqual(a, b);
  return (a, b) => {
    if (a !== null && b !== null && typeof a === typeof b) return lodash().isEqual(a, b);
    if (version >= 2) {
      if (a === null && (b === null || b === 0 || b === '0')) return true;
      if (b === null && (a === 0 || a === '0')) return true;
    }
    if (isFalsy(a) && isFalsy(b)) return true;
    if (isFalsy(a) && b === undefined) return true;
    if (a === undefined && isFalsy(b)) return true;
    if (typeof a === 'number' && typeof b === 'string') return a.toString() === b;
    if (typeof a === 'string' && typeof b === 'number') return a === b.toString();
    if (a !== null && typeof a === 'object' && typeof b === 'string') return jsonEquals(b, a);
    if (b !== null && typeof a === 'string' && typeof b === 'object') return jsonEquals(a, b);
    if (typeof a === 'boolean' && booleanLike(a, b)) return true;
    if (typeof b === 'boolean' && booleanLike(b, a)) return true;
    return lodash().isEqual(a, b);
  };
}
