import { NodeError } from '@budflow/node-sdk';
import type { JsonObject } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { setNode } from './set-node.js';

const assignments = (
  list: Array<[string, string, unknown]>,
  options: JsonObject = {},
): JsonObject => ({
  assignments: {
    assignments: list.map(([name, type, value], i) => ({
      id: String(i),
      name,
      type,
      value: value as JsonObject[string],
    })),
  },
  options,
});

describe('Edit Fields (Set) v1/v2', () => {
  const input = [{ nested: { foo: 'bar' }, list: ['foo'] }];
  const values = (prefix: string) => ({
    string: [{ name: `${prefix}string`, value: 'foo' }],
    boolean: [{ name: `${prefix}boolean`, value: true }],
    number: [{ name: `${prefix}number`, value: 1 }],
  });

  it('adds typed values after the input fields, booleans then numbers then strings', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 1,
      items: input,
      params: { values: values('') },
    });
    expect(json).toEqual([
      { nested: { foo: 'bar' }, list: ['foo'], boolean: true, number: 1, string: 'foo' },
    ]);
    expect(Object.keys(json[0]!)).toEqual(['nested', 'list', 'boolean', 'number', 'string']);
  });

  it('keeps only the set values', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 1,
      items: input,
      params: { keepOnlySet: true, values: values('') },
    });
    expect(json).toEqual([{ boolean: true, number: 1, string: 'foo' }]);
  });

  it('writes dot-notation paths into objects and arrays, or flat keys when disabled', async () => {
    const nested = await runNode(setNode, {
      typeVersion: 1,
      items: input,
      params: { values: values('nested.') },
    });
    expect(nested.json[0]).toEqual({
      nested: { foo: 'bar', boolean: true, number: 1, string: 'foo' },
      list: ['foo'],
    });
    const flat = await runNode(setNode, {
      typeVersion: 1,
      items: input,
      params: { values: values('nested.'), options: { dotNotation: false } },
    });
    expect(flat.json[0]).toMatchObject({ 'nested.string': 'foo', nested: { foo: 'bar' } });
    const list = await runNode(setNode, {
      typeVersion: 1,
      items: input,
      params: {
        values: {
          string: [{ name: 'list[1]', value: 'bar' }],
          boolean: [{ name: 'list[2]', value: true }],
          number: [{ name: 'list[3]', value: 1 }],
        },
      },
    });
    expect(list.json[0]!.list).toEqual(['foo', 'bar', true, 1]);
  });

  it('uses n8n defaults for missing names and values', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 1,
      params: { keepOnlySet: true, values: { number: [{ name: 'data[0]' }, { value: 2 }] } },
    });
    expect(json).toEqual([{ data: [0], propertyName: 2 }]);
  });

  it('converts numeric strings to numbers from v2 on only', async () => {
    const params = { keepOnlySet: true, values: { number: [{ name: 'n', value: '123456' }] } };
    expect((await runNode(setNode, { typeVersion: 1, params })).json).toEqual([{ n: '123456' }]);
    expect((await runNode(setNode, { typeVersion: 2, params })).json).toEqual([{ n: 123456 }]);
  });
});

describe('Edit Fields (Set) v3.x', () => {
  it('converts assignment values to their types (strict conversion)', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.3,
      params: assignments([
        ['numberToString1', 'string', 52472],
        ['boolToString2', 'string', false],
        ['arrayToString1', 'string', [1, 2, 3, 4]],
        ['objectToString1', 'string', { objKey: 2, objBool: true }],
        ['stringToNumber2', 'number', '3.14'],
        ['boolToNumber1', 'number', true],
        ['stringToBoolean1', 'boolean', 'TRUE'],
        ['stringToBoolean5', 'boolean', '0'],
        ['numberToBoolean2', 'boolean', 1],
        ['stringToArray1', 'array', '["apples", "oranges"]'],
        ['stringToObject1', 'object', '{"a": 1, "b": { "c": 10, "d": "test"}}'],
      ]),
    });
    expect(json).toEqual([
      {
        numberToString1: '52472',
        boolToString2: 'false',
        arrayToString1: '[1,2,3,4]',
        objectToString1: '{"objKey":2,"objBool":true}',
        stringToNumber2: 3.14,
        boolToNumber1: 1,
        stringToBoolean1: true,
        stringToBoolean5: false,
        numberToBoolean2: true,
        stringToArray1: ['apples', 'oranges'],
        stringToObject1: { a: 1, b: { c: 10, d: 'test' } },
      },
    ]);
  });

  it('keeps unconvertible values when ignoreConversionErrors is on', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.3,
      params: assignments(
        [
          ['stringToNumber1', 'number', 'hello'],
          ['stringToNumber2', 'number', ' '],
          ['arrayToNumber1', 'number', [1, 2, 3, 4]],
          ['stringToBoolean1', 'boolean', '3'],
          ['numberToBoolean1', 'boolean', 52472],
          ['stringToArray2', 'array', '3'],
        ],
        { ignoreConversionErrors: true },
      ),
    });
    expect(json).toEqual([
      {
        stringToNumber1: 'hello',
        stringToNumber2: 0,
        arrayToNumber1: [1, 2, 3, 4],
        stringToBoolean1: '3',
        numberToBoolean1: 52472,
        stringToArray2: '3',
      },
    ]);
  });

  it('fails with the field, expected type and item index otherwise', async () => {
    const run = runNode(setNode, {
      typeVersion: 3.3,
      items: [{ a: 1 }, { a: 2 }],
      params: assignments([['count', 'number', 'hello']]),
    });
    await expect(run).rejects.toThrow("'count' expects a number but we got 'hello' [item 0]");
    await expect(run).rejects.toBeInstanceOf(NodeError);
  });

  it('puts the error on the item when continuing on failure', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      continueOnFail: true,
      params: assignments([['count', 'number', 'x']]),
    });
    expect(json[0]!.error).toBe("'count' expects a number but we got 'x' [item 0]");
  });

  it('sets null for missing values from 3.2 on', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.3,
      params: assignments([
        ['missing', 'string', undefined],
        ['nothing', 'number', null],
      ]),
    });
    expect(json).toEqual([{ missing: null, nothing: null }]);
  });

  it('includes other input fields only when asked (3.3+), with include/exclude lists', async () => {
    const items = [{ a: 1, b: { c: 2, d: 3 }, e: 4 }];
    const add = assignments([['x', 'number', 5]]);
    expect((await runNode(setNode, { typeVersion: 3.4, items, params: add })).json).toEqual([
      { x: 5 },
    ]);
    expect(
      (
        await runNode(setNode, {
          typeVersion: 3.4,
          items,
          params: { ...add, includeOtherFields: true },
        })
      ).json,
    ).toEqual([{ a: 1, b: { c: 2, d: 3 }, e: 4, x: 5 }]);
    expect(
      (
        await runNode(setNode, {
          typeVersion: 3.4,
          items,
          params: {
            ...add,
            includeOtherFields: true,
            include: 'selected',
            includeFields: 'a, b.c',
          },
        })
      ).json,
    ).toEqual([{ a: 1, c: 2, x: 5 }]);
    expect(
      (
        await runNode(setNode, {
          typeVersion: 3.4,
          items,
          params: { ...add, includeOtherFields: true, include: 'except', excludeFields: 'b.d,e' },
        })
      ).json,
    ).toEqual([{ a: 1, b: { c: 2 }, x: 5 }]);
  });

  it('uses the include option directly before 3.3 (default: all input fields)', async () => {
    const items = [{ a: 1 }];
    const fields = { fields: { values: [{ name: 'test', stringValue: 'value' }] } };
    expect((await runNode(setNode, { typeVersion: 3.2, items, params: fields })).json).toEqual([
      { a: 1, test: 'value' },
    ]);
    expect(
      (await runNode(setNode, { typeVersion: 3.2, items, params: { ...fields, include: 'none' } }))
        .json,
    ).toEqual([{ test: 'value' }]);
  });

  it('parses object fields of v3.0-3.2 and reports invalid JSON', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.1,
      params: {
        include: 'none',
        fields: { values: [{ name: 'o', type: 'objectValue', objectValue: "{a: 'x'}" }] },
      },
    });
    expect(json).toEqual([{ o: { a: 'x' } }]);
    await expect(
      runNode(setNode, {
        typeVersion: 3.1,
        params: { fields: { values: [{ name: 'o', type: 'objectValue', objectValue: '{oops' }] } },
      }),
    ).rejects.toThrow(`The entry "o" inside 'Fields to Set' in item 0 contains invalid JSON`);
  });

  it('keeps null for values that resolve to null or undefined (3.2)', async () => {
    const values = ['stringValue', 'numberValue', 'booleanValue', 'arrayValue', 'objectValue'];
    for (const type of values) {
      const { json } = await runNode(setNode, {
        typeVersion: 3.2,
        params: {
          include: 'none',
          fields: {
            values: [
              { name: 'test1', type, [type]: null },
              { name: 'test2', type, [type]: undefined },
            ],
          },
          options: { ignoreConversionErrors: true },
        },
      });
      expect(json).toEqual([{ test1: null, test2: null }]);
    }
  });

  it('uses n8n defaults only for values missing from the workflow', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.1,
      params: {
        include: 'none',
        fields: {
          values: [
            { name: 'b', type: 'booleanValue' },
            { name: 'o', type: 'objectValue' },
          ],
        },
      },
    });
    expect(json).toEqual([{ b: true, o: {} }]);
  });

  it('builds items from JSON in raw mode', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      items: [{ keep: true }],
      params: { mode: 'raw', jsonOutput: '{"a": {"b": 1}, "c.d": 2}', includeOtherFields: true },
    });
    expect(json).toEqual([{ keep: true, a: { b: 1 }, c: { d: 2 } }]);
    const defaults = await runNode(setNode, { typeVersion: 3.4, params: { mode: 'raw' } });
    expect(defaults.json).toEqual([{ my_field_1: 'value', my_field_2: 1 }]);
    await expect(
      runNode(setNode, { typeVersion: 3.4, params: { mode: 'raw', jsonOutput: undefined } }),
    ).rejects.toThrow('does not contain a valid JSON object');
    await expect(
      runNode(setNode, { typeVersion: 3.4, params: { mode: 'raw', jsonOutput: '[1]' } }),
    ).rejects.toThrow("The 'JSON Output' in item 0 does not contain a valid JSON object");
  });

  it('strips binary data in 3.4 unless told to keep it, and drops it by default before', async () => {
    const binary = { data: { data: 'aGk=', mimeType: 'text/plain' } };
    const items = [{ json: { a: 1 }, binary }];
    const params = { ...assignments([['x', 'number', 1]]), includeOtherFields: true };
    expect((await runNode(setNode, { typeVersion: 3.4, items, params })).items[0]!.binary).toEqual(
      binary,
    );
    expect(
      (
        await runNode(setNode, {
          typeVersion: 3.4,
          items,
          params: { ...params, options: { stripBinary: true } },
        })
      ).items[0]!.binary,
    ).toBeUndefined();
    expect(
      (await runNode(setNode, { typeVersion: 3.3, items, params })).items[0]!.binary,
    ).toBeUndefined();
    expect(
      (
        await runNode(setNode, {
          typeVersion: 3.3,
          items,
          params: { ...params, options: { includeBinary: true } },
        })
      ).items[0]!.binary,
    ).toEqual(binary);
  });

  it('moves binary data with binary assignments (3.3+)', async () => {
    const file = { data: 'aGk=', mimeType: 'text/plain', fileName: 'a.txt' };
    const { items } = await runNode(setNode, {
      typeVersion: 3.4,
      items: [{ json: { a: 1 }, binary: { data: file } }],
      params: assignments([
        ['copy', 'binary', 'data'],
        ['n', 'number', 1],
      ]),
    });
    expect(items[0]).toMatchObject({ json: { n: 1 }, binary: { copy: file } });
    await expect(
      runNode(setNode, { typeVersion: 3.4, params: assignments([['copy', 'binary', 'missing']]) }),
    ).rejects.toThrow("contain a binary file 'missing', but none was found [item 0]");
  });

  it('duplicates items in manual runs', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      params: { ...assignments([['x', 'number', 1]]), duplicateItem: true, duplicateCount: 2 },
    });
    expect(json).toHaveLength(3);
  });

  it('never pollutes prototypes through field names', async () => {
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      params: assignments([
        ['__proto__.polluted', 'string', 'yes'],
        ['constructor.prototype.polluted', 'string', 'yes'],
        ['safe', 'string', 'ok'],
      ]),
    });
    expect(json).toEqual([{ safe: 'ok' }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const flat = await runNode(setNode, {
      typeVersion: 3.4,
      params: {
        ...assignments([['__proto__', 'object', '{"polluted": true}']]),
        options: { dotNotation: false },
      },
    });
    expect(Object.getPrototypeOf(flat.json[0])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('handles empty input and many items', async () => {
    expect((await runNode(setNode, { typeVersion: 3.4, items: [], params: {} })).json).toEqual([]);
    const items = Array.from({ length: 5000 }, (_, i) => ({ i }));
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      items,
      params: { ...assignments([['n', 'number', '7']]), includeOtherFields: true },
    });
    expect(json).toHaveLength(5000);
    expect(json[4999]).toEqual({ i: 4999, n: 7 });
  });
});

describe('Edit Fields (Set) keeps its input untouched', () => {
  it('shares kept fields but copies a container written through a dotted path', async () => {
    const input = { json: { keep: { deep: [1] }, nested: { a: 1 } } };
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      items: [input],
      params: {
        assignments: { assignments: [{ id: '1', name: 'nested.b', value: 2, type: 'number' }] },
        includeOtherFields: true,
        options: {},
      },
    });
    expect(json[0]).toEqual({ keep: { deep: [1] }, nested: { a: 1, b: 2 } });
    expect(input.json.nested).toEqual({ a: 1 });
    expect(json[0]!.keep).toBe(input.json.keep);
  });

  it('removing a dotted field does not remove it from the input', async () => {
    const input = { json: { nested: { a: 1, b: 2 } } };
    const { json } = await runNode(setNode, {
      typeVersion: 3.4,
      items: [input],
      params: {
        assignments: { assignments: [] },
        includeOtherFields: true,
        include: 'except',
        excludeFields: 'nested.b',
        options: {},
      },
    });
    expect(json[0]).toEqual({ nested: { a: 1 } });
    expect(input.json.nested).toEqual({ a: 1, b: 2 });
  });
});
