import { describe, expect, it } from 'vitest';
import { getPath, parsePath, setPath, toJsonValue, unsetPath } from './data-path.js';

describe('data paths', () => {
  it('parses dots, indexes and quoted keys', () => {
    expect(parsePath('a.b[0].c')).toEqual(['a', 'b', '0', 'c']);
    expect(parsePath('a["x.y"].z')).toEqual(['a', 'x.y', 'z']);
  });

  it('reads like lodash get, preferring a literal key with dots', () => {
    const data = { 'a.b': 1, a: { b: 2, list: [{ c: 3 }] } };
    expect(getPath(data, 'a.b')).toBe(1);
    expect(getPath(data, 'a.list[0].c')).toBe(3);
    expect(getPath(data, 'a.missing.c')).toBeUndefined();
    expect(getPath(data, '__proto__')).toBeUndefined();
    expect(getPath(data, 'a.constructor.name')).toBeUndefined();
  });

  it('writes nested paths, creating arrays for numeric segments', () => {
    const target = {};
    setPath(target, 'a.list[1].b', 'x');
    expect(target).toEqual({ a: { list: [undefined, { b: 'x' }] } });
  });

  it('refuses to write through prototype keys', () => {
    expect(() => setPath({}, '__proto__.polluted', 1)).toThrow(/reserved key/);
    expect(() => setPath({}, 'a.constructor.prototype.polluted', 1)).toThrow(/reserved key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('removes nested paths', () => {
    const target: Record<string, unknown> = { a: { b: 1, c: 2 }, 'x.y': 3 };
    unsetPath(target, 'a.b');
    unsetPath(target, 'x.y');
    unsetPath(target, '__proto__.toString');
    expect(target).toEqual({ a: { c: 2 } });
    expect(typeof ({} as { toString?: unknown }).toString).toBe('function');
  });

  it('copies into plain JSON without __proto__ keys', () => {
    const parsed = JSON.parse('{"__proto__":{"x":1},"d":null,"n":[1,{"__proto__":2}]}');
    expect(
      toJsonValue({ ...parsed, when: new Date(0), big: 10n, fn: () => 1, nan: Number.NaN }),
    ).toEqual({ d: null, n: [1, {}], when: '1970-01-01T00:00:00.000Z', big: '10', nan: null });
  });
});
