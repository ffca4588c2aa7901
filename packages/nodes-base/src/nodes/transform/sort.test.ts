import { runNode } from '@budflow/node-sdk/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { closeSortSandbox } from './internal/sort-code.js';
import { sortItemsRandom } from './internal/sort.js';
import { limitNode } from './limit.js';
import { sortNode } from './sort.js';

const people = [
  { name: 'bob', age: 30 },
  { name: 'Alice', age: 30 },
  { name: 'carol', age: 25 },
];

describe('Sort', () => {
  afterAll(closeSortSandbox);

  it('sorts by several fields, strings case-insensitively, stable for ties', async () => {
    const { json } = await runNode(sortNode, {
      items: people,
      params: {
        sortFieldsUi: {
          sortField: [{ fieldName: 'age', order: 'descending' }, { fieldName: 'name' }],
        },
      },
    });
    expect(json.map((p) => p.name)).toEqual(['Alice', 'bob', 'carol']);
  });

  it('sorts nested fields with dot notation, or literal keys when it is disabled', async () => {
    const items = [
      { a: { b: 2 }, 'a.b': 1 },
      { a: { b: 1 }, 'a.b': 2 },
    ];
    const dotted = await runNode(sortNode, {
      items,
      params: { sortFieldsUi: { sortField: [{ fieldName: 'a.b' }] } },
    });
    expect(dotted.json.map((j) => (j.a as { b: number }).b)).toEqual([2, 1]);
    // 'a.b' is an own key of the items, so it wins over the path (lodash semantics)
    const literal = await runNode(sortNode, {
      items,
      params: {
        sortFieldsUi: { sortField: [{ fieldName: 'a.b' }] },
        options: { disableDotNotation: true },
      },
    });
    expect(literal.json.map((j) => j['a.b'])).toEqual([1, 2]);
  });

  it('keeps every item when some lack the field (n8n compares them with lodash lt)', async () => {
    const { json } = await runNode(sortNode, {
      items: [{ v: 3 }, {}, { v: 1 }, { v: 2 }],
      params: { sortFieldsUi: { sortField: [{ fieldName: 'v' }] } },
    });
    expect(json).toHaveLength(4);
    expect(json).toContainEqual({});
  });

  it('names the field that is in no item', async () => {
    await expect(
      runNode(sortNode, {
        items: people,
        params: { sortFieldsUi: { sortField: [{ fieldName: 'missing' }] } },
      }),
    ).rejects.toThrow("Couldn't find the field 'missing' in the input data");
  });

  it('needs at least one sort field', async () => {
    await expect(runNode(sortNode, { items: people, params: {} })).rejects.toThrow(
      'No sorting specified',
    );
  });

  it('sorts with a comparator that runs in the sandbox, sloppy globals included', async () => {
    const { json } = await runNode(sortNode, {
      items: [{ id: 3 }, { id: 1 }, { id: 2 }],
      params: {
        type: 'code',
        code: "fieldName = 'id';\nif (a.json[fieldName] < b.json[fieldName]) return -1;\nif (a.json[fieldName] > b.json[fieldName]) return 1;\nreturn 0;",
      },
    });
    expect(json).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('keeps binaries and reports comparator errors', async () => {
    const items = [
      { json: { n: 2 }, binary: { f: { data: 'YQ==', mimeType: 'text/plain' } } },
      { json: { n: 1 } },
    ];
    const sorted = await runNode(sortNode, {
      items,
      params: { type: 'code', code: 'return a.json.n - b.json.n;' },
    });
    expect(sorted.items[1]!.binary).toEqual(items[0]!.binary);
    await expect(
      runNode(sortNode, { items, params: { type: 'code', code: 'return process.exit(1);' } }),
    ).rejects.toThrow(/Sort code failed: .*process/);
    await expect(
      runNode(sortNode, { items, params: { type: 'code', code: 'a - b' } }),
    ).rejects.toThrow("Sort code doesn't return");
  });

  it('shuffles without losing or duplicating items', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ json: { i } }));
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const shuffled = sortItemsRandom(items, random);
    expect(shuffled.map((item) => item.json.i)).not.toEqual(items.map((item) => item.json.i));
    expect(shuffled.map((item) => item.json.i as number).sort((a, b) => a - b)).toEqual(
      items.map((item) => item.json.i),
    );
    const { json } = await runNode(sortNode, { items: people, params: { type: 'random' } });
    expect(json).toHaveLength(3);
  });

  it('passes an empty input through as nothing', async () => {
    const { json } = await runNode(sortNode, {
      items: [],
      params: { sortFieldsUi: { sortField: [{ fieldName: 'x' }] } },
    });
    expect(json).toEqual([]);
  });

  it('sorts 20k items', async () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ n: (i * 7919) % 20_000 }));
    const { json } = await runNode(sortNode, {
      items,
      params: { sortFieldsUi: { sortField: [{ fieldName: 'n' }] } },
    });
    expect(json[0]).toEqual({ n: 0 });
    expect(json[19_999]).toEqual({ n: 19_999 });
  });
});

describe('Limit', () => {
  const items = [1, 2, 3, 4, 5].map((entry) => ({ entry }));

  it('keeps the first items by default', async () => {
    const { json } = await runNode(limitNode, { items, params: {} });
    expect(json).toEqual([{ entry: 1 }]);
  });

  it('keeps the last items', async () => {
    const { json } = await runNode(limitNode, {
      items,
      params: { maxItems: 2, keep: 'lastItems' },
    });
    expect(json).toEqual([{ entry: 4 }, { entry: 5 }]);
  });

  it('keeps everything when the limit is above the count, and nothing at 0', async () => {
    expect((await runNode(limitNode, { items, params: { maxItems: 10 } })).json).toHaveLength(5);
    expect((await runNode(limitNode, { items, params: { maxItems: 0 } })).json).toEqual([]);
  });

  it('rejects a limit that is not a number', async () => {
    await expect(runNode(limitNode, { items, params: { maxItems: 'many' } })).rejects.toThrow(
      /maxItems/,
    );
  });
});
