import { describe, expect, it } from 'vitest';
import { copyFields } from './item.js';

describe('copyFields', () => {
  it('copies own fields into a new object that can take more', () => {
    const json = { a: 1, b: { c: 2 } };
    const copy = copyFields(json) as Record<string, unknown>;
    copy.d = 3;
    expect(copy).toEqual({ a: 1, b: { c: 2 }, d: 3 });
    expect(json).toEqual({ a: 1, b: { c: 2 } });
    expect(copy.b).toBe(json.b);
  });

  it('keeps an own __proto__ key a plain field, never the prototype', () => {
    const json = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as object;
    const copy = copyFields(json) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(copy, '__proto__')).toBe(true);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(copy.x).toBe(1);
  });
});
