import { isEqual } from 'lodash-es';
import { describe, expect, it } from 'vitest';
import { ExactMatchIndex } from './match-index.js';

/** Small deterministic generator so the comparison covers many value mixes reproducibly. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const VALUES: unknown[] = [
  0,
  -0,
  1,
  '1',
  '0',
  true,
  false,
  null,
  NaN,
  'a',
  'A',
  '',
  [1],
  { a: 1 },
  2.5,
];

describe('ExactMatchIndex', () => {
  it('finds the same rows, in order, as a scan with isEqual', () => {
    const next = random(42);
    const pick = () => VALUES[Math.floor(next() * VALUES.length)];
    const rows = Array.from({ length: 300 }, () => [pick(), pick()]);
    const index = new ExactMatchIndex(rows.length, (row) => rows[row]!);
    for (let n = 0; n < 500; n++) {
      const lookup = [pick(), pick()];
      const scanned = rows.flatMap((row, i) =>
        row.every((value, k) => isEqual(lookup[k], value)) ? [i] : [],
      );
      const found = index.find(lookup);
      if (found === undefined) {
        expect(lookup.some((value) => typeof value === 'object' && value !== null)).toBe(true);
      } else {
        expect(found).toEqual(scanned);
      }
    }
  });

  it('leaves object lookups to the caller', () => {
    const index = new ExactMatchIndex(1, () => [{ a: 1 }]);
    expect(index.find([{ a: 1 }])).toBeUndefined();
    expect(index.find(['x'])).toEqual([]);
  });
});
