import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { compareDatasetsNode } from './compare-datasets.js';

async function compare(typeVersion: number, params: object, inputA: object[], inputB: object[]) {
  const { outputs } = await runNode(compareDatasetsNode, {
    typeVersion,
    inputs: [inputA, inputB] as never,
    params: params as never,
  });
  return outputs!.map((list) => list.map((item) => item.json));
}

const byField = (field: string) => ({
  mergeByFields: { values: [{ field1: field, field2: field }] },
});

describe('Compare Datasets', () => {
  const inputA = [
    { id: 1, name: 'a' },
    { id: 2, name: 'b' },
    { id: 3, name: 'c' },
  ];
  const inputB = [
    { id: 1, name: 'a' },
    { id: 2, name: 'B' },
    { id: 4, name: 'd' },
  ];

  it('splits into A only, same, different (B version) and B only', async () => {
    expect(await compare(2.3, byField('id'), inputA, inputB)).toEqual([
      [{ id: 3, name: 'c' }],
      [{ id: 1, name: 'a' }],
      [{ id: 2, name: 'B' }],
      [{ id: 4, name: 'd' }],
    ]);
  });

  it('includes both versions of differing fields', async () => {
    const [, , different] = await compare(
      1,
      { ...byField('id'), resolve: 'includeBoth' },
      inputA,
      inputB,
    );
    expect(different).toEqual([
      { keys: { id: 2 }, same: { id: 2 }, different: { name: { input1: 'b', input2: 'B' } } },
    ]);
  });

  it('mixes versions, keeping falsy values and writing the named key', async () => {
    const params = {
      ...byField('sku'),
      resolve: 'mix',
      preferWhenMix: 'input1',
      exceptWhenMix: 'qty',
    };
    const a = [{ sku: 'abcd', qty: 1, otherField: 'yes' }];
    const b = [{ sku: 'abcd', qty: 0 }];
    expect((await compare(2.3, params, a, b))[2]).toEqual([
      { sku: 'abcd', qty: 0, otherField: 'yes' },
    ]);
    expect((await compare(1, params, a, b))[2]).toEqual([
      { sku: 'abcd', qty: 0, otherField: 'yes' },
    ]);
    const nested = await compare(
      2.3,
      { ...params, exceptWhenMix: 'meta.n' },
      [{ sku: 'abcd', meta: { n: 1 } }],
      [{ sku: 'abcd', meta: { n: 2 } }],
    );
    expect(nested[2]).toEqual([{ sku: 'abcd', meta: { n: 1 }, 'meta.n': 2 }]);
    expect((await compare(2.3, { ...params, preferWhenMix: 'input2' }, a, b))[2]).toEqual([
      { sku: 'abcd', qty: 1 },
    ]);
  });

  it('matches on dot-notation paths unless disabled', async () => {
    const a = [{ id: { code: 1 }, data: 'x' }];
    const b = [{ id: { code: 1 }, data: 'y' }];
    expect((await compare(1, { ...byField('id.code'), resolve: 'preferInput1' }, a, b))[2]).toEqual(
      a,
    );
    await expect(
      compare(1, { ...byField('id.code'), options: { disableDotNotation: true } }, a, b),
    ).rejects.toThrow("Field 'id.code' is not present in any of items in 'Input A'");
  });

  it('skips fields when comparing and matches fuzzily', async () => {
    const a = [{ id: 1, updated: 'x', v: '5' }];
    const b = [{ id: 1, updated: 'y', v: 5 }];
    const [, same] = await compare(
      2,
      { ...byField('id'), fuzzyCompare: true, options: { skipFields: 'updated' } },
      a,
      b,
    );
    expect(same).toEqual([{ id: 1, updated: 'y', v: 5 }]);
  });

  it('moves skipped nested fields out of the differences (2.1+)', async () => {
    const a = [{ id: 1, meta: { at: 1, by: 'x' } }];
    const b = [{ id: 1, meta: { at: 2, by: 'y' } }];
    const params = { ...byField('id'), resolve: 'includeBoth', options: { skipFields: 'meta.at' } };
    const [, , different] = await compare(2.3, params, a, b);
    expect(different).toEqual([
      {
        keys: { id: 1 },
        same: { id: 1 },
        different: { meta: { inputA: { by: 'x' }, inputB: { by: 'y' } } },
        skipped: { meta: { inputA: { at: 1 }, inputB: { at: 2 } } },
      },
    ]);
    await expect(
      compare(
        2.3,
        { ...params, options: { skipFields: 'meta.at', disableDotNotation: true } },
        a,
        b,
      ),
    ).rejects.toThrow(
      "Dot notation is disabled, but field to skip comparing 'meta.at' contains dot",
    );
  });

  it('reports a missing match field before 2.2 only', async () => {
    await expect(compare(2.1, byField('nope'), inputA, inputB)).rejects.toThrow(
      "Field 'nope' is not present in any of items in 'Input A'",
    );
    expect((await compare(2.2, byField('nope'), inputA, inputB))[0]).toEqual(inputA);
  });

  it('never pollutes prototypes through mixed fields', async () => {
    const params = {
      ...byField('id'),
      resolve: 'mix',
      exceptWhenMix: '__proto__.polluted, constructor.prototype.polluted',
    };
    const a = [{ id: 1, v: 1 }];
    const b = [JSON.parse('{"id": 1, "v": 2, "__proto__": {"polluted": true}}') as object];
    const [, , different] = await compare(2.3, params, a, b);
    expect(different).toEqual([
      { id: 1, v: 1, '__proto__.polluted': null, 'constructor.prototype.polluted': null },
    ]);
    expect(Object.getPrototypeOf(different![0])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('handles empty inputs', async () => {
    expect(await compare(2.3, byField('id'), [], inputB)).toEqual([[], [], [], inputB]);
    expect(await compare(2.3, byField('id'), inputA, [])).toEqual([inputA, [], [], []]);
  });
});
