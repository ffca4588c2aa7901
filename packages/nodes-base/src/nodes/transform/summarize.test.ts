import { runNode } from '@budflow/node-sdk/testing';
import type { JsonObject } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { summarizeNode } from './summarize.js';

const sales = [
  { region: 'north', rep: 'a', amount: 10, note: 'x' },
  { region: 'south', rep: 'b', amount: 5, note: '' },
  { region: 'north', rep: 'a', amount: 7, note: null },
  { region: 'north', rep: 'c', amount: '3' },
];

const summarize = (values: JsonObject[], extra: JsonObject = {}): JsonObject => ({
  fieldsToSummarize: { values },
  ...extra,
});

describe('Summarize', () => {
  it('computes every aggregation over all items', async () => {
    const { json } = await runNode(summarizeNode, {
      items: sales,
      params: summarize([
        { aggregation: 'sum', field: 'amount' },
        { aggregation: 'average', field: 'amount' },
        { aggregation: 'min', field: 'amount' },
        { aggregation: 'max', field: 'amount' },
        { aggregation: 'count', field: 'note' },
        { aggregation: 'countUnique', field: 'rep' },
        { aggregation: 'append', field: 'rep' },
        { aggregation: 'concatenate', field: 'rep', separateBy: 'other', customSeparator: '|' },
      ]),
    });
    // sum and average only take numbers; min and max compare what is there
    expect(json).toEqual([
      {
        sum_amount: 22,
        average_amount: 22 / 3,
        min_amount: '3',
        max_amount: 10,
        count_note: 1,
        unique_count_rep: 3,
        appended_rep: ['a', 'b', 'a', 'c'],
        concatenated_rep: 'a|b|a|c',
      },
    ]);
  });

  it('counts empty values when asked', async () => {
    const { json } = await runNode(summarizeNode, {
      items: sales,
      params: summarize([{ aggregation: 'count', field: 'note', includeEmpty: true }]),
    });
    expect(json).toEqual([{ count_note: 4 }]);
  });

  it('splits by fields into separate items, or one nested item', async () => {
    const separate = await runNode(summarizeNode, {
      items: sales,
      params: summarize([{ aggregation: 'sum', field: 'amount' }], {
        fieldsToSplitBy: 'region, rep',
      }),
    });
    expect(separate.json).toEqual([
      { region: 'north', rep: 'a', sum_amount: 17 },
      { region: 'north', rep: 'c', sum_amount: 0 },
      { region: 'south', rep: 'b', sum_amount: 5 },
    ]);
    expect(separate.items[0]!.pairedItem).toEqual([{ item: 0 }, { item: 2 }]);
    const single = await runNode(summarizeNode, {
      items: sales,
      params: summarize([{ aggregation: 'sum', field: 'amount' }], {
        fieldsToSplitBy: 'region',
        options: { outputFormat: 'singleItem' },
      }),
    });
    expect(single.json).toEqual([{ north: { sum_amount: 17 }, south: { sum_amount: 5 } }]);
  });

  it('skips items without a value to split by when asked', async () => {
    const { json } = await runNode(summarizeNode, {
      items: [...sales, { amount: 1 }],
      params: summarize([{ aggregation: 'sum', field: 'amount' }], {
        fieldsToSplitBy: 'region',
        options: { skipEmptySplitFields: true },
      }),
    });
    expect(json.map((row) => row.region)).toEqual(['north', 'south']);
  });

  it('throws for a field in no item in v1 unless told to continue; v1.1 continues', async () => {
    const params = summarize([{ aggregation: 'count', field: 'ghost' }]);
    await expect(runNode(summarizeNode, { typeVersion: 1, items: sales, params })).rejects.toThrow(
      "The field 'ghost' does not exist in any items",
    );
    const continued = await runNode(summarizeNode, {
      typeVersion: 1,
      items: sales,
      params: { ...params, options: { continueIfFieldNotFound: true } },
    });
    expect(continued.json).toEqual([{ count_ghost: 0 }]);
    const v11 = await runNode(summarizeNode, { typeVersion: 1.1, items: sales, params });
    expect(v11.json).toEqual([{ count_ghost: 0 }]);
  });

  it('needs at least one field', async () => {
    await expect(runNode(summarizeNode, { items: sales, params: {} })).rejects.toThrow(
      'at least one aggregation',
    );
  });

  it('groups values literally named __proto__ without touching prototypes', async () => {
    const { json } = await runNode(summarizeNode, {
      items: [
        { k: '__proto__', v: 1 },
        { k: 'constructor', v: 2 },
      ],
      params: summarize([{ aggregation: 'sum', field: 'v' }], { fieldsToSplitBy: 'k' }),
    });
    expect(json).toEqual([
      { k: '__proto__', sum_v: 1 },
      { k: 'constructor', sum_v: 2 },
    ]);
    expect(({} as Record<string, unknown>).sum_v).toBeUndefined();
  });

  it('keeps the type of split values in v1.1 and makes them strings in v1', async () => {
    const items = [
      { n: 2, v: 1 },
      { n: 1, v: 2 },
      { n: 2, v: 3 },
    ];
    const params = summarize([{ aggregation: 'sum', field: 'v' }], { fieldsToSplitBy: 'n' });
    const typed = await runNode(summarizeNode, { typeVersion: 1.1, items, params });
    expect(typed.json).toEqual([
      { n: 2, sum_v: 4 },
      { n: 1, sum_v: 2 },
    ]);
    const strings = await runNode(summarizeNode, { typeVersion: 1, items, params });
    expect(strings.json.map((row) => row.n)).toEqual(['2', '1']);
  });
});
