import { runNode } from '@budflow/node-sdk/testing';
import type { JsonObject } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { aggregateNode } from './aggregate.js';

const items = [
  { id: 1, tags: ['a', null], user: { name: 'x' }, domain: 'a.com' },
  { id: 2, tags: ['b'], user: { name: 'y' }, domain: 'b.com' },
  { id: null, user: {}, domain: 'a.com' },
];

const individual = (fields: JsonObject[], options: JsonObject = {}): JsonObject => ({
  fieldsToAggregate: { fieldToAggregate: fields },
  options,
});

describe('Aggregate', () => {
  it('collects a field into a list, skipping missing and null values', async () => {
    const { json, items: out } = await runNode(aggregateNode, {
      items,
      params: individual([{ fieldToAggregate: 'id' }]),
    });
    expect(json).toEqual([{ id: [1, 2] }]);
    expect(out[0]!.pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
  });

  it('keeps missing and null values when asked', async () => {
    const { json } = await runNode(aggregateNode, {
      items,
      params: individual([{ fieldToAggregate: 'id' }], { keepMissing: true }),
    });
    expect(json).toEqual([{ id: [1, 2, null] }]);
  });

  it('names nested fields by their last key, renames, and merges lists', async () => {
    const { json } = await runNode(aggregateNode, {
      items,
      params: individual(
        [
          { fieldToAggregate: 'user.name' },
          { fieldToAggregate: 'tags', renameField: true, outputFieldName: 'allTags' },
        ],
        { mergeLists: true },
      ),
    });
    expect(json).toEqual([{ name: ['x', 'y'], allTags: ['a', 'b'] }]);
  });

  it('rejects an output field used twice', async () => {
    await expect(
      runNode(aggregateNode, {
        items,
        params: individual([
          { fieldToAggregate: 'id' },
          { fieldToAggregate: 'domain', renameField: true, outputFieldName: 'id' },
        ]),
      }),
    ).rejects.toThrow("The 'id' output field is used more than once");
  });

  it('needs a field', async () => {
    await expect(runNode(aggregateNode, { items, params: individual([]) })).rejects.toThrow(
      'No fields specified',
    );
  });

  it('aggregates all item data, with included or excluded fields', async () => {
    const all = await runNode(aggregateNode, {
      items: [{ a: 1, b: 2 }, { b: 3 }],
      params: { aggregate: 'aggregateAllItemData' },
    });
    expect(all.json).toEqual([{ data: [{ a: 1, b: 2 }, { b: 3 }] }]);
    const only = await runNode(aggregateNode, {
      items: [{ a: 1, b: 2 }, { b: 3 }],
      params: {
        aggregate: 'aggregateAllItemData',
        include: 'specifiedFields',
        fieldsToInclude: 'a',
        destinationFieldName: 'rows',
      },
    });
    // the second item has none of the fields and is left out
    expect(only.json).toEqual([{ rows: [{ a: 1 }] }]);
    const except = await runNode(aggregateNode, {
      items: [{ a: 1, b: 2 }, { b: 3 }],
      params: {
        aggregate: 'aggregateAllItemData',
        include: 'allFieldsExcept',
        fieldsToExclude: ['b'],
      },
    });
    expect(except.json).toEqual([{ data: [{ a: 1 }] }]);
  });

  it('groups by fields, one item per distinct value in first-seen order', async () => {
    const { json } = await runNode(aggregateNode, {
      items,
      params: individual([{ fieldToAggregate: 'id' }], { groupByFields: 'domain' }),
    });
    expect(json).toEqual([
      { domain: 'a.com', id: [1] },
      { domain: 'b.com', id: [2] },
    ]);
  });

  it('refuses to group by an object value and names the field', async () => {
    await expect(
      runNode(aggregateNode, {
        items,
        params: individual([{ fieldToAggregate: 'id' }], { groupByFields: 'user' }),
      }),
    ).rejects.toThrow('Field "user" has a non-scalar value');
  });

  it('refuses a destination that clashes with a group-by field', async () => {
    await expect(
      runNode(aggregateNode, {
        items,
        params: {
          aggregate: 'aggregateAllItemData',
          destinationFieldName: 'domain',
          options: { groupByFields: 'domain' },
        },
      }),
    ).rejects.toThrow("conflicts with a Group By field 'domain'");
  });

  it('never writes through __proto__', async () => {
    const { json } = await runNode(aggregateNode, {
      items: [{ ['__proto__']: { polluted: 1 }, id: 1 }],
      params: individual([{ fieldToAggregate: 'id', renameField: true, outputFieldName: 'a.b' }]),
    });
    expect(json).toEqual([{ a: { b: [1] } }]);
    await expect(
      runNode(aggregateNode, {
        items: [{ id: 1 }],
        params: individual([
          { fieldToAggregate: 'id', renameField: true, outputFieldName: '__proto__.polluted' },
        ]),
      }),
    ).rejects.toThrow(/Invalid output field name/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('collects binaries, suffixing clashing keys and optionally dropping look-alikes', async () => {
    const file = { data: 'aGk=', mimeType: 'text/plain', fileSize: '2 B', fileExtension: 'txt' };
    const input = [
      { json: { id: 1 }, binary: { data: file } },
      { json: { id: 2 }, binary: { data: { ...file, data: 'aG8=' } } },
    ];
    const all = await runNode(aggregateNode, {
      items: input,
      params: individual([{ fieldToAggregate: 'id' }], { includeBinaries: true }),
    });
    expect(Object.keys(all.items[0]!.binary ?? {})).toEqual(['data', 'data_1']);
    const unique = await runNode(aggregateNode, {
      items: input,
      params: individual([{ fieldToAggregate: 'id' }], {
        includeBinaries: true,
        keepOnlyUnique: true,
      }),
    });
    expect(Object.keys(unique.items[0]!.binary ?? {})).toEqual(['data']);
  });
});
