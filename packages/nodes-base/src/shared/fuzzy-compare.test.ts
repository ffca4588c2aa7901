import { beforeAll, describe, expect, it } from 'vitest';
import { fuzzyCompare } from './fuzzy-compare.js';
import { loadLodash } from './lodash.js';

beforeAll(() => loadLodash());

describe('fuzzyCompare', () => {
  it('is deep equality when disabled', () => {
    const equal = fuzzyCompare(false);
    expect(equal({ a: [1] }, { a: [1] })).toBe(true);
    expect(equal(1, '1')).toBe(false);
  });

  it.each([
    [1, '1', true],
    ['2', 2, true],
    [true, 'TRUE', true],
    [false, '0', true],
    [true, 1, true],
    [null, '', true],
    [[], undefined, true],
    [{ a: 1 }, '{"a":1}', true],
    [{ a: 1 }, '{a:1}', false],
    [null, 0, false],
    [1, '2', false],
  ])('version 1: %j ~ %j is %s', (a, b, expected) => {
    expect(fuzzyCompare(true)(a, b)).toBe(expected);
  });

  it('version 2 treats null, 0 and "0" alike', () => {
    const equal = fuzzyCompare(true, 2);
    expect(equal(null, 0)).toBe(true);
    expect(equal('0', null)).toBe(true);
    expect(equal(null, 1)).toBe(false);
  });
});
