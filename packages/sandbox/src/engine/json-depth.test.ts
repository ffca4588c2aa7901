import { describe, expect, it } from 'vitest';
import { jsonNesting, jsonNestingExceeds } from './json-depth.js';

describe('JSON nesting', () => {
  const cases: Array<[unknown, number]> = [
    [1, 0],
    ['[{[', 0],
    [[], 1],
    [{ a: [1, { b: [] }], c: {} }, 4],
    [['"[[[', '\\"{{', '\\\\', { k: '"\\"]]' }], 2],
    [{ '[{': [[[['x']]]] }, 5],
  ];
  it('counts arrays and objects, not brackets inside strings', () => {
    for (const [value, depth] of cases) {
      const text = JSON.stringify(value);
      expect({ text, depth: jsonNesting(text) }).toEqual({ text, depth });
      expect(jsonNestingExceeds(text, depth)).toBe(false);
      if (depth > 0) expect(jsonNestingExceeds(text, depth - 1)).toBe(true);
    }
  });

  it('answers for text cut short inside a string', () => {
    expect(jsonNestingExceeds('[[[["', 3)).toBe(true);
    expect(jsonNesting('[[[["')).toBe(4);
  });
});
