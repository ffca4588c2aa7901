import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { removeDuplicatesNode } from './remove-duplicates.js';

const rows = [
  { id: 1, name: 'a', meta: { x: 1 } },
  { id: 2, name: 'b', meta: { x: 1 } },
  { id: 1, name: 'a', meta: { x: 1 } },
  { id: 3, name: 'a', meta: { x: 2 } },
];

// First in this file: comparing whole objects needs lodash's isEqual, which the node loads itself.
describe('Remove Duplicates of object values', () => {
  it('compares whole objects deeply without dot notation', async () => {
    const items = [{ v: { a: [1] } }, { v: { a: [1] } }, { v: { a: [2] } }];
    const { json } = await runNode(removeDuplicatesNode, {
      typeVersion: 1.1,
      items,
      params: { options: { disableDotNotation: true } },
    });
    expect(json).toEqual([items[0], items[2]]);
  });
});

describe('Remove Duplicates v1 / v1.1', () => {
  it('compares all fields, keeping the first of each group in input order', async () => {
    const { json, items } = await runNode(removeDuplicatesNode, {
      typeVersion: 1.1,
      items: rows,
      params: {},
    });
    expect(json).toEqual([rows[0], rows[1], rows[3]]);
    expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 3 }]);
  });

  it('compares selected fields, including nested paths, and can drop the others', async () => {
    const byName = await runNode(removeDuplicatesNode, {
      typeVersion: 1,
      items: rows,
      params: { compare: 'selectedFields', fieldsToCompare: 'name' },
    });
    expect(byName.json.map((row) => row.id)).toEqual([1, 2]);
    const byNested = await runNode(removeDuplicatesNode, {
      typeVersion: 1,
      items: rows,
      params: {
        compare: 'selectedFields',
        fieldsToCompare: 'meta.x',
        options: { removeOtherFields: true },
      },
    });
    expect(byNested.json).toEqual([{ meta: { x: 1 } }, { meta: { x: 2 } }]);
  });

  it('compares all fields except some', async () => {
    const { json } = await runNode(removeDuplicatesNode, {
      typeVersion: 1,
      items: rows,
      params: { compare: 'allFieldsExcept', fieldsToExclude: 'id, meta.x' },
    });
    expect(json.map((row) => row.id)).toEqual([1, 2]);
  });

  it('names a field missing from some items', async () => {
    await expect(
      runNode(removeDuplicatesNode, {
        typeVersion: 1,
        items: [{ a: 1 }, { b: 1 }],
        params: { compare: 'selectedFields', fieldsToCompare: 'a' },
      }),
    ).rejects.toThrow("'a' field is missing from some input items");
  });

  it('rejects a field of varying type; v1.1 says where', async () => {
    const params = { compare: 'selectedFields', fieldsToCompare: 'a' };
    const items = [{ a: 1 }, { a: '1' }];
    await expect(runNode(removeDuplicatesNode, { typeVersion: 1, items, params })).rejects.toThrow(
      "'a' isn't always the same type",
    );
    await expect(
      runNode(removeDuplicatesNode, { typeVersion: 1.1, items, params }),
    ).rejects.toMatchObject({ description: expect.stringContaining("it's a") as unknown });
  });

  it('lets v1.1 skip null values in the type check', async () => {
    const items = [{ a: null }, { a: 1 }, { a: 1 }];
    const params = { compare: 'selectedFields', fieldsToCompare: 'a' };
    const { json } = await runNode(removeDuplicatesNode, { typeVersion: 1.1, items, params });
    expect(json).toEqual([{ a: null }, { a: 1 }]);
    await expect(runNode(removeDuplicatesNode, { typeVersion: 1, items, params })).rejects.toThrow(
      "isn't always the same type",
    );
  });

  it('needs fields to compare or exclude', async () => {
    await expect(
      runNode(removeDuplicatesNode, {
        typeVersion: 1,
        items: rows,
        params: { compare: 'selectedFields' },
      }),
    ).rejects.toThrow('Please add a field to compare on');
  });

  it('handles empty input and large input', async () => {
    expect(
      (await runNode(removeDuplicatesNode, { typeVersion: 1, items: [], params: {} })).json,
    ).toEqual([]);
    const many = Array.from({ length: 20_000 }, (_, i) => ({ k: i % 100 }));
    const { json } = await runNode(removeDuplicatesNode, {
      typeVersion: 1,
      items: many,
      params: {},
    });
    expect(json).toHaveLength(100);
  });
});

describe('Remove Duplicates v2', () => {
  it('removes duplicates within the input by default, with Kept and Discarded outputs', async () => {
    const { outputs } = await runNode(removeDuplicatesNode, {
      typeVersion: 2,
      items: rows,
      params: {},
    });
    expect(outputs?.[0]).toHaveLength(3);
  });

  it('removes items whose key was seen in an earlier execution', async () => {
    const staticData = { node: {}, global: {} };
    const params = {
      operation: 'removeItemsSeenInPreviousExecutions',
      dedupeField: 'a',
    };
    const first = await runNode(removeDuplicatesNode, {
      typeVersion: 2,
      items: [{ n: 1 }],
      params,
      staticData,
    });
    expect(first.outputs).toEqual([[expect.objectContaining({ json: { n: 1 } })], []]);
    const second = await runNode(removeDuplicatesNode, {
      typeVersion: 2,
      items: [{ n: 2 }],
      params,
      staticData,
    });
    expect(second.outputs?.[0]).toEqual([]);
    expect(second.outputs?.[1]).toHaveLength(1);
  });

  it('keeps history per workflow when the scope says so, and clears it', async () => {
    const staticData = { node: {}, global: {} };
    const params = {
      operation: 'removeItemsSeenInPreviousExecutions',
      dedupeField: 'k',
      options: { scope: 'workflow' },
    };
    await runNode(removeDuplicatesNode, { typeVersion: 2, items: [{}], params, staticData });
    expect(Object.keys(staticData.global)).toHaveLength(1);
    await runNode(removeDuplicatesNode, {
      typeVersion: 2,
      items: [{}],
      params: { operation: 'clearDeduplicationHistory', options: { scope: 'workflow' } },
      staticData,
    });
    expect(staticData.global).toEqual({});
  });

  it('refuses more new keys than the history holds', async () => {
    await expect(
      runNode(removeDuplicatesNode, {
        typeVersion: 2,
        items: [{}, {}, {}],
        params: {
          operation: 'removeItemsSeenInPreviousExecutions',
          dedupeField: 'k',
          options: { historySize: 2 },
        },
      }),
    ).rejects.toThrow('exceeds the maximum history size');
  });

  it('removes items up to the stored incremental key', async () => {
    const staticData = { node: {}, global: {} };
    const run = (key: number) =>
      runNode(removeDuplicatesNode, {
        typeVersion: 2,
        items: [{ key }],
        params: {
          operation: 'removeItemsSeenInPreviousExecutions',
          logic: 'removeItemsUpToStoredIncrementalKey',
          incrementalDedupeField: key,
        },
        staticData,
      });
    expect((await run(5)).outputs?.[0]).toHaveLength(1);
    expect((await run(4)).outputs?.[1]).toHaveLength(1);
    expect((await run(6)).outputs?.[0]).toHaveLength(1);
    await expect(
      runNode(removeDuplicatesNode, {
        typeVersion: 2,
        items: [{}],
        params: {
          operation: 'removeItemsSeenInPreviousExecutions',
          logic: 'removeItemsUpToStoredIncrementalKey',
          incrementalDedupeField: 'abc',
        },
      }),
    ).rejects.toThrow("The value 'abc' is not a number");
  });

  it('removes items up to the stored date', async () => {
    const staticData = { node: {}, global: {} };
    const run = (date: string) =>
      runNode(removeDuplicatesNode, {
        typeVersion: 2,
        items: [{ date }],
        params: {
          operation: 'removeItemsSeenInPreviousExecutions',
          logic: 'removeItemsUpToStoredDate',
          dateDedupeField: date,
        },
        staticData,
      });
    expect((await run('2024-01-02')).outputs?.[0]).toHaveLength(1);
    expect((await run('2024-01-01')).outputs?.[1]).toHaveLength(1);
    await expect(run('not a date')).rejects.toThrow('is not a valid date');
  });
});
