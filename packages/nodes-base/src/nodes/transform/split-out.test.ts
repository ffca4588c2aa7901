import { runNode } from '@budflow/node-sdk/testing';
import type { JsonObject } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { splitOutNode } from './split-out.js';

const order = {
  id: 7,
  customer: 'ann',
  lines: [
    { sku: 'a', qty: 1 },
    { sku: 'b', qty: 2 },
  ],
  tags: ['x', 'y'],
  meta: { one: 1, two: 2 },
};

describe('Split Out', () => {
  it('turns list entries that are objects into items', async () => {
    const { json, items } = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'lines' },
    });
    expect(json).toEqual(order.lines);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 0 }]);
  });

  it('puts scalar entries under the field name, or the destination name', async () => {
    const plain = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'tags' },
    });
    expect(plain.json).toEqual([{ tags: 'x' }, { tags: 'y' }]);
    const renamed = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: '$json.tags', options: { destinationFieldName: 'tag' } },
    });
    expect(renamed.json).toEqual([{ tag: 'x' }, { tag: 'y' }]);
  });

  it('writes a dotted destination as a nested field, unless dot notation is off', async () => {
    const input = { data: [{ id: 1 }], data2: ['x'] };
    const nested = await runNode(splitOutNode, {
      items: [input],
      params: {
        fieldToSplitOut: 'data',
        include: 'allOtherFields',
        options: { destinationFieldName: 'data.foo' },
      },
    });
    expect(nested.json).toEqual([{ data2: ['x'], data: { foo: { id: 1 } } }]);
    const literal = await runNode(splitOutNode, {
      items: [input],
      params: {
        fieldToSplitOut: 'data',
        options: { destinationFieldName: 'data.foo', disableDotNotation: true },
      },
    });
    expect(literal.json).toEqual([{ 'data.foo': { id: 1 } }]);
  });

  it('splits objects by their values and wraps a scalar as one entry', async () => {
    const values = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'meta' },
    });
    expect(values.json).toEqual([{ meta: 1 }, { meta: 2 }]);
    const scalar = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'customer' },
    });
    expect(scalar.json).toEqual([{ customer: 'ann' }]);
  });

  it('gives nothing for a missing field', async () => {
    const { json } = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'nope' },
    });
    expect(json).toEqual([]);
  });

  it('keeps all other fields, or selected ones', async () => {
    const all = await runNode(splitOutNode, {
      items: [order],
      params: { fieldToSplitOut: 'tags', include: 'allOtherFields' },
    });
    expect(all.json[0]).toEqual({ ...order, tags: 'x' });
    const selected = await runNode(splitOutNode, {
      items: [order],
      params: {
        fieldToSplitOut: 'lines',
        include: 'selectedOtherFields',
        fieldsToInclude: 'id, customer',
      },
    });
    expect(selected.json[1]).toEqual({ lines: { sku: 'b', qty: 2 }, id: 7, customer: 'ann' });
    await expect(
      runNode(splitOutNode, {
        items: [order],
        params: { fieldToSplitOut: 'lines', include: 'selectedOtherFields' },
      }),
    ).rejects.toThrow('No fields specified');
  });

  it('splits several fields side by side', async () => {
    const { json } = await runNode(splitOutNode, {
      items: [{ a: [1, 2, 3], b: ['x'] }],
      params: { fieldToSplitOut: 'a, b', options: { destinationFieldName: 'n, s' } },
    });
    expect(json).toEqual([{ n: 1, s: 'x' }, { n: 2 }, { n: 3 }]);
    await expect(
      runNode(splitOutNode, {
        items: [{ a: [1], b: [2] }],
        params: { fieldToSplitOut: 'a, b', options: { destinationFieldName: 'n' } },
      }),
    ).rejects.toThrow('the same number of destination fields');
  });

  it('splits binaries into one item each and can copy them along', async () => {
    const file = (data: string) => ({ data, mimeType: 'text/plain' });
    const input = { json: { tags: [1, 2] }, binary: { a: file('YQ=='), b: file('Yg==') } };
    const split = await runNode(splitOutNode, {
      items: [input],
      params: { fieldToSplitOut: '$binary' },
    });
    expect(split.items.map((item) => Object.keys(item.binary ?? {}))).toEqual([['a'], ['b']]);
    const copied = await runNode(splitOutNode, {
      items: [input],
      params: { fieldToSplitOut: 'tags', options: { includeBinary: true } },
    });
    expect(copied.items[1]!.binary).toEqual(input.binary);
  });

  it('ignores prototype-pollution destinations (the field name is used) and never pollutes', async () => {
    const { json } = await runNode(splitOutNode, {
      items: [{ data: [{ id: 1, name: 'Alice' }] }],
      params: {
        fieldToSplitOut: 'data',
        include: 'allOtherFields',
        options: { destinationFieldName: '__proto__.polluted' },
      },
    });
    expect(json).toEqual([{ data: { id: 1, name: 'Alice' } }]);
    const renamed = await runNode(splitOutNode, {
      items: [{ a: [1] }],
      params: { fieldToSplitOut: 'a', options: { destinationFieldName: 'constructor' } },
    });
    expect(renamed.json).toEqual([{ a: 1 }]);
    const own = await runNode(splitOutNode, {
      items: [{ list: [JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as JsonObject] }],
      params: { fieldToSplitOut: 'list' },
    });
    expect(own.json[0]!.ok).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(own.json[0])).toBe(Object.prototype);
  });

  it('splits a 100k-entry list', async () => {
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    const { json } = await runNode(splitOutNode, {
      items: [{ big }],
      params: { fieldToSplitOut: 'big' },
    });
    expect(json).toHaveLength(100_000);
    expect(json[99_999]).toEqual({ big: 99_999 });
  });
});
