import { describe, expect, it } from 'vitest';
import { getPath, hasPath, parsePath, setPath, unsetPath } from './dot-path.js';

describe('parsePath', () => {
  it('splits dots, indexes and quoted keys like lodash', () => {
    expect(parsePath('a.b[0].c')).toEqual(['a', 'b', '0', 'c']);
    expect(parsePath('a["x.y"].z')).toEqual(['a', 'x.y', 'z']);
    expect(parsePath("list['k']")).toEqual(['list', 'k']);
    expect(parsePath('.a')).toEqual(['', 'a']);
  });
});

describe('getPath / setPath / unsetPath', () => {
  it('reads nested values and a flat key that exists as written', () => {
    const object = { a: { b: [1, { c: 2 }] }, 'x.y': 3 };
    expect(getPath(object, 'a.b[1].c')).toBe(2);
    expect(getPath(object, 'x.y')).toBe(3);
    expect(getPath(object, 'a.missing.deep')).toBeUndefined();
  });

  it('creates arrays for index keys and objects otherwise', () => {
    const object: Record<string, unknown> = {};
    setPath(object, 'list[1]', 'bar');
    setPath(object, 'nested.value', 1);
    expect(object).toEqual({ list: [undefined, 'bar'], nested: { value: 1 } });
  });

  it('removes a nested property', () => {
    const object = { a: { b: 1, c: 2 } };
    expect(unsetPath(object, 'a.b')).toBe(true);
    expect(object).toEqual({ a: { c: 2 } });
    expect(unsetPath(object, 'a.zzz')).toBe(false);
  });

  it.each([
    '__proto__.polluted',
    'constructor.prototype.polluted',
    'a.__proto__.polluted',
    'prototype',
  ])('never writes through %s', (path) => {
    const object: Record<string, unknown> = { a: {} };
    expect(setPath(object, path, true)).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('does not read inherited properties', () => {
    expect(getPath({}, 'constructor')).toBeUndefined();
    expect(getPath({}, 'toString')).toBeUndefined();
    expect(getPath({ a: 1 }, '__proto__')).toBeUndefined();
    expect(hasPath({ a: undefined }, 'a')).toBe(true);
    expect(hasPath({}, 'hasOwnProperty')).toBe(false);
  });
});
