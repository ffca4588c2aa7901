import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode, paramsSchemaFor } from './define-node.js';

describe('paramsSchemaFor', () => {
  it('returns a schema given as is', () => {
    const schema = z.object({ a: z.string().default('x') });
    const node = defineNode({
      type: 'test.plain',
      version: 1,
      title: 'Plain',
      category: 'transform',
      params: schema,
      execute: () => [[]],
    });
    expect(paramsSchemaFor(node, 1)).toBe(schema);
  });

  it('calls a params function once per typeVersion and reuses its schema', () => {
    const calls: number[] = [];
    const node = defineNode({
      type: 'test.lazy',
      version: 1,
      title: 'Lazy',
      category: 'transform',
      params: (typeVersion: number) => {
        calls.push(typeVersion);
        return z.object({ v: z.number().default(typeVersion) });
      },
      execute: () => [[]],
    });
    expect(calls).toEqual([]);
    const first = paramsSchemaFor(node, 1);
    expect(paramsSchemaFor(node, 1)).toBe(first);
    const second = paramsSchemaFor(node, 2);
    expect(second).not.toBe(first);
    expect(paramsSchemaFor(node, 2)).toBe(second);
    expect(calls).toEqual([1, 2]);
    expect(first.parse({})).toEqual({ v: 1 });
    expect(second.parse({})).toEqual({ v: 2 });
  });

  it('keeps the schemas of different definitions apart', () => {
    const make = (n: number) =>
      defineNode({
        type: `test.n${n}`,
        version: 1,
        title: 'N',
        category: 'transform',
        params: () => z.object({ n: z.number().default(n) }),
        execute: () => [[]],
      });
    const a = make(1);
    const b = make(2);
    expect(paramsSchemaFor(a, 1).parse({})).toEqual({ n: 1 });
    expect(paramsSchemaFor(b, 1).parse({})).toEqual({ n: 2 });
  });
});
