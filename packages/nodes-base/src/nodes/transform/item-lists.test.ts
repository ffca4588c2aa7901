import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { itemListsNode } from './item-lists.js';

const run = (typeVersion: number, params: object, items: object[]) =>
  runNode(itemListsNode, { typeVersion, params: params as never, items: items as never });

// First in this file, before any operation that loads lodash (sort): removing duplicates compares
// objects with lodash's isEqual, which the node must load itself.
describe('Item Lists: remove duplicates of object values', () => {
  it('compares whole objects deeply without dot notation', async () => {
    const items = [{ v: { a: [1] } }, { v: { a: [1] } }, { v: { a: [2] } }];
    const { json } = await run(
      3.1,
      { operation: 'removeDuplicates', options: { disableDotNotation: true } },
      items,
    );
    expect(json).toEqual([{ v: { a: [1] } }, { v: { a: [2] } }]);
  });
});

describe('Item Lists: split out', () => {
  const item = { list: [{ a: 1 }, { a: 2 }], obj: { x: 1, y: 2 }, name: 'n' };

  it('v1 splits arrays only and names a missing field', async () => {
    expect((await run(1, { fieldToSplitOut: 'list' }, [item])).json).toEqual(item.list);
    await expect(run(1, { fieldToSplitOut: 'obj' }, [item])).rejects.toThrow(
      "The provided field 'obj' is not an array",
    );
    await expect(run(1, { fieldToSplitOut: 'nope' }, [item])).rejects.toThrow(
      "Couldn't find the field 'nope' in the input data",
    );
  });

  it('v2 splits objects by value but still rejects scalars', async () => {
    expect((await run(2, { fieldToSplitOut: 'obj' }, [item])).json).toEqual([
      { obj: 1 },
      { obj: 2 },
    ]);
    await expect(run(2, { fieldToSplitOut: 'name' }, [item])).rejects.toThrow(
      'is not an array or object',
    );
  });

  it('v2.1 gives nothing for a missing field; v2.2 wraps scalars', async () => {
    expect((await run(2.1, { fieldToSplitOut: 'nope' }, [item])).json).toEqual([]);
    await expect(run(2.1, { fieldToSplitOut: 'name' }, [item])).rejects.toThrow(
      'is not an array or object',
    );
    expect((await run(2.2, { fieldToSplitOut: 'name' }, [item])).json).toEqual([{ name: 'n' }]);
  });

  it('v2.2 splits several fields side by side, wrapping scalars and null', async () => {
    const input = { data2: ['a', 'b'], tag: 'bar', data4: null };
    const paired = await run(
      2.2,
      {
        fieldToSplitOut: 'data2, tag',
        include: 'selectedOtherFields',
        fieldsToInclude: { fields: [{ fieldName: 'data4' }] },
        options: { destinationFieldName: 'fromArray, singleField' },
      },
      [input],
    );
    expect(paired.json).toEqual([
      { fromArray: 'a', singleField: 'bar', data4: null },
      { fromArray: 'b', data4: null },
    ]);
    const scalars = await run(
      2.2,
      { fieldToSplitOut: ' tag, data4', options: { destinationFieldName: 'entry1, entry2' } },
      [input],
    );
    expect(scalars.json).toEqual([{ entry1: 'bar', entry2: null }]);
  });

  it('v1 and v2 take fields to include as a collection, v3 as text', async () => {
    const v1 = await run(
      1,
      {
        fieldToSplitOut: 'list',
        include: 'selectedOtherFields',
        fieldsToInclude: { fields: [{ fieldName: 'name' }] },
      },
      [item],
    );
    expect(v1.json[0]).toEqual({ name: 'n', list: { a: 1 } });
    const v3 = await run(
      3,
      { fieldToSplitOut: 'list', include: 'selectedOtherFields', fieldsToInclude: 'name' },
      [item],
    );
    expect(v3.json[0]).toEqual({ list: { a: 1 }, name: 'n' });
  });
});

describe('Item Lists: aggregate', () => {
  const items = [{ id: 1 }, { id: 2 }];

  it('throws for a field in no item before v2.1, gives an empty list after', async () => {
    const params = {
      operation: 'aggregateItems',
      fieldsToAggregate: { fieldToAggregate: [{ fieldToAggregate: 'idd' }] },
    };
    await expect(run(2, params, items)).rejects.toThrow("Couldn't find the field 'idd'");
    expect((await run(2.1, params, items)).json).toEqual([{ idd: [] }]);
  });

  it('v3 concatenates all item data with fields as text', async () => {
    const { json } = await run(
      3,
      {
        operation: 'concatenateItems',
        aggregate: 'aggregateAllItemData',
        include: 'allFieldsExcept',
        fieldsToExclude: 'id',
      },
      [{ id: 1, a: 1 }],
    );
    expect(json).toEqual([{ data: [{ a: 1 }] }]);
  });
});

describe('Item Lists: remove duplicates, sort, limit, summarize', () => {
  const mixed = [{ v: '1' }, { v: 1 }, { v: '1' }, { v: true }, { v: 1 }];

  it('v3.1 tells values of different types apart; earlier versions reject them', async () => {
    const { json } = await run(3.1, { operation: 'removeDuplicates' }, mixed);
    expect(json).toEqual([{ v: '1' }, { v: 1 }, { v: true }]);
    await expect(run(3, { operation: 'removeDuplicates' }, mixed)).rejects.toThrow(
      "'v' isn't always the same type",
    );
  });

  it('v1 compares selected fields given as a collection', async () => {
    const { json } = await run(
      1,
      {
        operation: 'removeDuplicates',
        compare: 'selectedFields',
        fieldsToCompare: { fields: [{ fieldName: 'a' }] },
      },
      [
        { a: 1, b: 1 },
        { a: 1, b: 2 },
      ],
    );
    expect(json).toEqual([{ a: 1, b: 1 }]);
  });

  it('sorts and limits', async () => {
    const sorted = await run(
      3,
      { operation: 'sort', sortFieldsUi: { sortField: [{ fieldName: 'n', order: 'descending' }] } },
      [{ n: 1 }, { n: 3 }, { n: 2 }],
    );
    expect(sorted.json).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    const limited = await run(3, { operation: 'limit', maxItems: 2, keep: 'lastItems' }, [
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    expect(limited.json).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('summarizes; a field in no item throws in v2 but not in v2.1', async () => {
    const params = { operation: 'summarize', fieldsToSummarize: { values: [{ field: 'idd' }] } };
    await expect(run(2, params, [{ id: 1 }])).rejects.toThrow("The field 'idd' does not exist");
    expect((await run(2.1, params, [{ id: 1 }])).json).toEqual([{ count_idd: 0 }]);
  });

  it('orders split values as object keys, numbers first, and names them as strings', async () => {
    const { json } = await run(
      3,
      {
        operation: 'summarize',
        fieldsToSummarize: { values: [{ field: 'k' }] },
        fieldsToSplitBy: 'k',
      },
      [{ k: 'b' }, { k: 10 }, { k: 2 }, { k: 'b' }],
    );
    expect(json).toEqual([
      { k: '2', count_k: 1 },
      { k: '10', count_k: 1 },
      { k: 'b', count_k: 2 },
    ]);
  });

  it('gives one empty item for a missing field before v2.1 when told to continue', async () => {
    const { json } = await run(
      2,
      {
        operation: 'summarize',
        fieldsToSummarize: { values: [{ field: 'ghost' }] },
        options: { continueIfFieldNotFound: true },
      },
      [{ id: 1 }, { id: 2 }],
    );
    expect(json).toEqual([{}]);
  });

  it('passes nothing on for no input', async () => {
    expect((await run(3, { operation: 'summarize' }, [])).json).toEqual([]);
  });
});
