import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { mergeNode } from './merge-node.js';

const a = [
  { id: 1, data: 'a', input: 1, text: 'foo' },
  { id: 2, data: 'b', input: 1, text: 'foo' },
];
const b = [
  { id: 1, data: 'c', input: 2, tag: 'second' },
  { id: 2, data: 'd', input: 2, tag: 'second' },
  { id: 3, data: 'e', input: 2, tag: 'second' },
];
const byId = { mergeByFields: { values: [{ field1: 'id', field2: 'id' }] } };

async function merge(typeVersion: number, params: object, inputs: object[][] = [a, b]) {
  const { json } = await runNode(mergeNode, {
    typeVersion,
    inputs: inputs as never,
    params: params as never,
  });
  return json;
}

describe('Merge v2 combine by fields', () => {
  it('keeps matches, merged with input 2 winning clashes', async () => {
    expect(await merge(2, { mode: 'combine', ...byId })).toEqual([
      { id: 1, data: 'c', input: 2, text: 'foo', tag: 'second' },
      { id: 2, data: 'd', input: 2, text: 'foo', tag: 'second' },
    ]);
  });

  it.each([
    ['keepNonMatches', {}, [{ id: 3, data: 'e', input: 2, tag: 'second', _source: 'input2' }]],
    [
      'keepEverything',
      {},
      [
        { id: 1, data: 'c', input: 2, text: 'foo', tag: 'second' },
        { id: 2, data: 'd', input: 2, text: 'foo', tag: 'second' },
        { id: 3, data: 'e', input: 2, tag: 'second' },
      ],
    ],
    [
      'enrichInput1',
      {},
      [
        { id: 1, data: 'c', input: 2, text: 'foo', tag: 'second' },
        { id: 2, data: 'd', input: 2, text: 'foo', tag: 'second' },
      ],
    ],
    [
      'enrichInput2',
      {},
      [
        { id: 1, data: 'c', input: 2, text: 'foo', tag: 'second' },
        { id: 2, data: 'd', input: 2, text: 'foo', tag: 'second' },
        { id: 3, data: 'e', input: 2, tag: 'second' },
      ],
    ],
  ])('%s', async (joinMode, extra, expected) => {
    expect(await merge(2, { mode: 'combine', ...byId, joinMode, ...extra })).toEqual(expected);
  });

  it('outputs matched items of one input only', async () => {
    expect(await merge(2, { mode: 'combine', ...byId, outputDataFrom: 'input1' })).toEqual(a);
    expect(await merge(2, { mode: 'combine', ...byId, outputDataFrom: 'input2' })).toEqual(
      b.slice(0, 2),
    );
  });

  it('adds suffixes on clashes when asked', async () => {
    const json = await merge(2, {
      mode: 'combine',
      ...byId,
      options: { clashHandling: { values: { resolveClash: 'addSuffix' } } },
    });
    expect(json[0]).toEqual({
      id_1: 1,
      data_1: 'a',
      input_1: 1,
      text_1: 'foo',
      id_2: 1,
      data_2: 'c',
      input_2: 2,
      tag_2: 'second',
    });
  });

  it('v2 fails when a match field is missing; v2.1 passes empty inputs through per join mode', async () => {
    const input1 = [{ id: 1 }, { id: 2 }];
    const params = {
      mode: 'combine',
      mergeByFields: { values: [{ field1: 'idd', field2: 'idd' }] },
    };
    await expect(merge(2, params, [input1, []])).rejects.toThrow(
      "Field 'idd' is not present in any of items in 'Input 1'",
    );
    expect(await merge(2.1, params, [input1, []])).toEqual([]);
    expect(await merge(2.1, { ...params, joinMode: 'keepNonMatches' }, [input1, []])).toEqual(
      input1,
    );
    expect(
      await merge(2.1, { ...params, joinMode: 'keepNonMatches', outputDataFrom: 'input1' }, [
        [],
        input1,
      ]),
    ).toEqual([]);
    expect(
      await merge(2.1, { ...params, joinMode: 'keepNonMatches', outputDataFrom: 'input2' }, [
        [],
        input1,
      ]),
    ).toEqual(input1);
  });

  it('matches loosely with fuzzy compare', async () => {
    const params = { mode: 'combine', ...byId, options: { fuzzyCompare: true } };
    expect(await merge(2, params, [[{ id: '1', x: 1 }], [{ id: 1, y: 2 }]])).toEqual([
      { id: 1, x: 1, y: 2 },
    ]);
    expect(
      await merge(2, { ...params, options: {} }, [[{ id: '1', x: 1 }], [{ id: 1, y: 2 }]]),
    ).toEqual([]);
  });

  it('throws when no field pair is given', async () => {
    await expect(
      merge(2, { mode: 'combine', mergeByFields: { values: [{ field1: '', field2: '' }] } }),
    ).rejects.toThrow(
      'You need to define at least one pair of fields in "Fields to Match" to match on',
    );
  });
});

describe('Merge v2 other modes', () => {
  const i1 = [
    { id: 1, data: 'a', input: 1 },
    { id: 2, data: 'b', input: 1 },
  ];
  const i2 = [
    { id: 1, data: 'c', input: 2 },
    { id: 2, data: 'd', input: 2 },
    { id: 3, data: 'e', input: 2 },
  ];
  const clash = (resolveClash: string, extra: object = {}) => ({
    mode: 'combine',
    combinationMode: 'mergeByPosition',
    options: { clashHandling: { values: { resolveClash } }, ...extra },
  });

  it('merges by position', async () => {
    expect(await merge(2, clash('addSuffix'), [i1, i2])).toEqual([
      { id_1: 1, data_1: 'a', input_1: 1, id_2: 1, data_2: 'c', input_2: 2 },
      { id_1: 2, data_1: 'b', input_1: 1, id_2: 2, data_2: 'd', input_2: 2 },
    ]);
    expect(await merge(2, clash('preferInput1'), [i1, i2])).toEqual(i1);
    expect(await merge(2, clash('preferInput2', { includeUnpaired: true }), [i1, i2])).toEqual(i2);
  });

  it('passes the other input through when one is empty (by position)', async () => {
    expect(await merge(2.1, clash('preferInput1'), [[], i2])).toEqual(i2);
    expect(await merge(2, clash('addSuffix'), [i1, []])).toEqual(i1);
  });

  it('chooses a branch', async () => {
    expect(await merge(2, { mode: 'chooseBranch' }, [[{ id: 1 }], [{ id: 4 }]])).toEqual([
      { id: 1 },
    ]);
    expect(
      await merge(2, { mode: 'chooseBranch', output: 'input2' }, [[{ id: 1 }], [{ id: 4 }]]),
    ).toEqual([{ id: 4 }]);
    expect(
      await merge(2, { mode: 'chooseBranch', output: 'empty' }, [[{ id: 1 }], [{ id: 4 }]]),
    ).toEqual([{}]);
  });

  it('appends and multiplexes', async () => {
    expect(await merge(2, {}, [[{ a: 1 }], [{ b: 2 }]])).toEqual([{ a: 1 }, { b: 2 }]);
    expect(
      await merge(2, { mode: 'combine', combinationMode: 'multiplex' }, [
        [{ a: 1 }, { a: 2 }],
        [{ b: 1 }],
      ]),
    ).toEqual([
      { a: 1, b: 1 },
      { a: 2, b: 1 },
    ]);
  });
});

describe('Merge v3', () => {
  it('appends any number of inputs', async () => {
    expect(await merge(3, { numberInputs: 3 }, [[{ a: 1 }], [{ b: 1 }], [{ c: 1 }]])).toEqual([
      { a: 1 },
      { b: 1 },
      { c: 1 },
    ]);
  });

  it('combines by a comma-separated field list with input 2 winning clashes', async () => {
    expect(await merge(3, { mode: 'combine', fieldsToMatchString: 'id' })).toEqual([
      { id: 1, data: 'c', input: 2, text: 'foo', tag: 'second' },
      { id: 2, data: 'd', input: 2, text: 'foo', tag: 'second' },
    ]);
  });

  it('enriches input 2 with input 1 winning clashes by default', async () => {
    expect(
      await merge(3, { mode: 'combine', fieldsToMatchString: 'id', joinMode: 'enrichInput2' }),
    ).toEqual([
      { id: 1, data: 'a', input: 1, tag: 'second', text: 'foo' },
      { id: 2, data: 'b', input: 1, tag: 'second', text: 'foo' },
      { id: 3, data: 'e', input: 2, tag: 'second' },
    ]);
  });

  it('combines by position with suffixes like n8n (last input also unsuffixed)', async () => {
    expect(
      await merge(
        3,
        {
          mode: 'combine',
          combineBy: 'combineByPosition',
          options: { clashHandling: { values: { resolveClash: 'addSuffix' } } },
        },
        [[{ k: 'a' }], [{ k: 'b' }]],
      ),
    ).toEqual([{ k_1: 'a', k_2: 'b', k: 'b' }]);
  });

  it('combines by position preferring the last input, and all combinations', async () => {
    expect(
      await merge(3.2, { mode: 'combine', combineBy: 'combineByPosition' }, [
        [{ x: 1, k: 'a' }],
        [{ k: 'b' }],
      ]),
    ).toEqual([{ x: 1, k: 'b' }]);
    expect(
      await merge(3, { mode: 'combine', combineBy: 'combineAll' }, [
        [{ a: 1 }],
        [{ b: 1 }, { b: 2 }],
      ]),
    ).toEqual([
      { a: 1, b: 1 },
      { a: 1, b: 2 },
    ]);
  });

  it('chooses the data of a given input', async () => {
    expect(
      await merge(3, { mode: 'chooseBranch', useDataOfInput: 2 }, [[{ a: 1 }], [{ b: 1 }]]),
    ).toEqual([{ b: 1 }]);
    await expect(
      merge(3, { mode: 'chooseBranch', useDataOfInput: 3 }, [[{ a: 1 }], [{ b: 1 }]]),
    ).rejects.toThrow("Input 3 doesn't exist");
  });

  it('needs both inputs only for chooseBranch', () => {
    const required = mergeNode.requiredInputs as (v: number, p?: object) => unknown;
    expect(required(3, { mode: 'chooseBranch' })).toEqual([0, 1]);
    expect(required(3, { mode: 'append' })).toBe(1);
    expect(required(1, {})).toBeUndefined();
  });
});

describe('Merge v1', () => {
  it('merges by key (dropping items without the key), keeps and removes key matches', async () => {
    const i1 = [{ k: 1, a: 'x' }, { k: 2, a: 'y' }, { a: 'no key' }];
    const i2 = [{ key: 1, b: 'z' }];
    const params = { propertyName1: 'k', propertyName2: 'key' };
    expect(await merge(1, { mode: 'mergeByKey', ...params }, [i1, i2])).toEqual([
      { k: 1, a: 'x', b: 'z' },
      i1[1],
    ]);
    expect(await merge(1, { mode: 'keepKeyMatches', ...params }, [i1, i2])).toEqual([i1[0]]);
    expect(await merge(1, { mode: 'removeKeyMatches', ...params }, [i1, i2])).toEqual([
      i1[1],
      i1[2],
    ]);
  });

  it('merges by index, passes through and waits', async () => {
    expect(await merge(1, { mode: 'mergeByIndex' }, [[{ a: 1 }, { a: 2 }], [{ b: 1 }]])).toEqual([
      { a: 1, b: 1 },
      { a: 2 },
    ]);
    expect(
      await merge(1, { mode: 'mergeByIndex', join: 'inner' }, [[{ a: 1 }, { a: 2 }], [{ b: 1 }]]),
    ).toEqual([{ a: 1, b: 1 }]);
    expect(
      await merge(1, { mode: 'passThrough', output: 'input2' }, [[{ a: 1 }], [{ b: 1 }]]),
    ).toEqual([{ b: 1 }]);
    expect(await merge(1, { mode: 'wait' }, [[{ a: 1 }], [{ b: 1 }]])).toEqual([{}]);
  });

  it('does not pollute prototypes when merging JSON with __proto__ keys', async () => {
    const evil = JSON.parse('{"id": 1, "__proto__": {"polluted": true}}') as object;
    await merge(2, { mode: 'combine', ...byId }, [[{ id: 1 }], [evil]]);
    await merge(1, { mode: 'mergeByKey', propertyName1: 'id', propertyName2: 'id' }, [
      [{ id: 1 }],
      [evil],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
