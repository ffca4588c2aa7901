import type { JsonObject, NodeDefinition } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { filterNode, ifNode } from './condition-nodes.js';

const condition = (
  leftValue: unknown,
  type: string,
  operation: string,
  rightValue: unknown = '',
) => ({
  leftValue,
  rightValue,
  operator: { type, operation },
});

const filterParams = (
  conditions: ReturnType<typeof condition>[],
  combinator: 'and' | 'or' = 'and',
  options: object = { caseSensitive: true, leftValue: '' },
) => ({ conditions: { options, conditions, combinator }, options: {} }) as unknown as JsonObject;

/** Runs a node once per item, as the engine resolves `{{ $json... }}` per item. */
async function perItem<T>(
  node: NodeDefinition,
  typeVersion: number,
  items: T[],
  params: (item: T) => object,
) {
  const outputs: unknown[][] = [[], []];
  for (const item of items) {
    const result = await runNode(node, {
      typeVersion,
      items: [item as never],
      params: params(item) as never,
    });
    result.outputs!.forEach((list, i) => outputs[i]!.push(...list.map((entry) => entry.json)));
  }
  return outputs;
}

describe('If v2', () => {
  it('routes numbers with loose conversion of the right value (or)', async () => {
    const items = [
      { count: 1, label: 'Apple' },
      { count: 5, label: 'Banana' },
      { count: 12, label: 'Kiwi' },
    ];
    const [yes, no] = await perItem(ifNode, 2, items, (item) =>
      filterParams(
        [
          condition(item.count, 'number', 'equals', '1'),
          condition(item.count, 'number', 'gt', '10'),
        ],
        'or',
      ),
    );
    expect(yes).toEqual([items[0], items[2]]);
    expect(no).toEqual([items[1]]);
  });

  it('compares dates', async () => {
    const items = [
      { date: '2023-10-26T16:45:52.367Z', label: 'Apple' },
      { date: '2023-10-20T16:45:52.367Z', label: 'Banana' },
    ];
    const [yes, no] = await perItem(ifNode, 2, items, (item) =>
      filterParams([condition(item.date, 'dateTime', 'before', '2023-10-21')], 'or'),
    );
    expect(yes).toEqual([items[1]]);
    expect(no).toEqual([items[0]]);
  });

  it('ignores case when caseSensitive is off and checks existence', async () => {
    const items = [
      { email: 'Shane@yahoo.com', firstname: 'Shane', lastname: 'Martin' },
      { email: 'sarah@gmail.com', firstname: 'Sarah', lastname: 'Dawson' },
      { email: 'Sam@yahoo.com', firstname: 'Sam' },
    ];
    const [yes, no] = await perItem(ifNode, 2, items, (item) =>
      filterParams(
        [
          condition(item.firstname, 'string', 'startsWith', 's'),
          condition((item as { lastname?: string }).lastname, 'any', 'exists'),
          condition(item.email, 'string', 'endsWith', '@yahoo.com'),
        ],
        'and',
        { caseSensitive: false, leftValue: '' },
      ),
    );
    expect(yes).toEqual([items[0]]);
    expect(no).toEqual([items[1], items[2]]);
  });

  it('fails on a type mismatch in strict mode, naming condition and item', async () => {
    await expect(
      runNode(ifNode, {
        typeVersion: 2.2,
        params: filterParams([condition('12', 'number', 'gt', 10)], 'and', {
          typeValidation: 'strict',
        }),
      }),
    ).rejects.toThrow(
      "Wrong type: '12' is a string but was expecting a number [condition 0, item 0]",
    );
  });

  it('sends failing items to false when continuing on failure', async () => {
    const { outputs } = await runNode(ifNode, {
      typeVersion: 2.2,
      continueOnFail: true,
      items: [{ a: 1 }],
      params: filterParams([condition('x', 'number', 'gt', 10)], 'and', {
        typeValidation: 'strict',
      }),
    });
    expect(outputs).toEqual([[], [{ json: { a: 1 }, pairedItem: { item: 0 } }]]);
  });

  it('returns two empty outputs for no input', async () => {
    const { outputs } = await runNode(ifNode, {
      typeVersion: 2,
      items: [],
      params: filterParams([]),
    });
    expect(outputs).toEqual([[], []]);
  });
});

describe('If v1', () => {
  const items = [{ value: 1 }, { value: 2 }];
  const numberIf = (operation: string, value2?: number) => (item: { value: number }) => ({
    conditions: {
      number: [{ value1: item.value, operation, ...(value2 === undefined ? {} : { value2 }) }],
    },
  });

  it.each([
    ['smaller', 2, [[{ value: 1 }], [{ value: 2 }]]],
    ['smallerEqual', 2, [[{ value: 1 }, { value: 2 }], []]],
    ['equal', 1, [[{ value: 1 }], [{ value: 2 }]]],
    ['notEqual', 1, [[{ value: 2 }], [{ value: 1 }]]],
    ['larger', 1, [[{ value: 2 }], [{ value: 1 }]]],
    ['largerEqual', 1, [[{ value: 1 }, { value: 2 }], []]],
    ['isEmpty', undefined, [[], [{ value: 1 }, { value: 2 }]]],
    ['isNotEmpty', undefined, [[{ value: 1 }, { value: 2 }], []]],
  ])('number %s', async (operation, value2, expected) => {
    expect(await perItem(ifNode, 1, items, numberIf(operation, value2))).toEqual(expected);
  });

  it('compares dates after / before', async () => {
    const days = [
      { dayOne: '2023-01-01T00:00:00.000-05:00', dayTwo: '2023-01-02T00:00:00.000-05:00' },
      { dayOne: '2023-01-02T00:00:00.000-05:00', dayTwo: '2023-01-01T00:00:00.000-05:00' },
    ];
    const after = await perItem(ifNode, 1, days, (d) => ({
      conditions: { dateTime: [{ value1: d.dayOne, value2: d.dayTwo }] },
    }));
    expect(after).toEqual([[days[1]], [days[0]]]);
  });

  it('rejects an invalid date with n8n message', async () => {
    await expect(
      runNode(ifNode, {
        typeVersion: 1,
        params: { conditions: { dateTime: [{ value1: 'nope', value2: 0 }] } },
      }),
    ).rejects.toThrow('The value "nope" is not a valid DateTime.');
  });

  it('keeps a value an expression resolved to undefined, defaults only a missing one', async () => {
    const run = (condition: object) =>
      runNode(ifNode, {
        typeVersion: 1,
        params: { conditions: { number: [{ operation: 'isEmpty', ...condition }] } },
      });
    expect((await run({ value1: undefined })).outputs!.map((o) => o.length)).toEqual([1, 0]);
    expect((await run({})).outputs!.map((o) => o.length)).toEqual([0, 1]);
  });

  it('combines with any', async () => {
    const result = await perItem(ifNode, 1, items, (item) => ({
      conditions: {
        number: [{ value1: item.value, operation: 'equal', value2: 2 }],
        string: [{ value1: 'abc', operation: 'contains', value2: 'zz' }],
      },
      combineOperation: 'any',
    }));
    expect(result).toEqual([[{ value: 2 }], [{ value: 1 }]]);
  });
});

describe('Filter', () => {
  const people = [
    {
      id: 1,
      name: 'Adam',
      subscribed: false,
      updatedAt: '2011-10-05T14:48:00.000Z',
      notes: null,
      email: 'adam@mail.com',
    },
    {
      id: 2,
      name: 'Victor',
      subscribed: true,
      updatedAt: '2020-10-05T14:48:00.000Z',
      notes: 'some notes',
      email: 'victor@mail.com',
    },
    {
      id: 3,
      name: 'Sam',
      subscribed: true,
      updatedAt: '2021-10-05T14:48:00.000Z',
      notes: 'other notes',
      email: 'sam@mail.com',
    },
  ];
  type Person = (typeof people)[number];

  it('v1 keeps items matching all string conditions', async () => {
    const [kept] = await perItem(filterNode, 1, people, (p: Person) => ({
      conditions: {
        string: [
          { value1: p.notes, operation: 'contains', value2: 'notes' },
          { value1: p.email, operation: 'notEqual', value2: null },
          { value1: p.name, operation: 'regex', value2: '/^[A-Z][a-z]*$/' },
          { value1: p.name, operation: 'notRegex', value2: '^[A-Z]+$/' },
          { value1: p.email, operation: 'notStartsWith', value2: 'a' },
          { value1: p.email, operation: 'isNotEmpty' },
        ],
      },
    }));
    expect(kept).toEqual([people[1], people[2]]);
  });

  it('v1 date and number conditions with AND / OR', async () => {
    const dates = (p: Person, combineConditions?: string) => ({
      conditions: {
        dateTime: [
          { value1: p.updatedAt, value2: '2018-12-31T22:00:00.000Z' },
          { value1: p.updatedAt, operation: 'before', value2: '2021-08-03T03:30:08.000Z' },
        ],
      },
      ...(combineConditions ? { combineConditions } : {}),
    });
    expect((await perItem(filterNode, 1, people, (p) => dates(p)))[0]).toEqual([people[1]]);
    expect((await perItem(filterNode, 1, people, (p) => dates(p, 'OR')))[0]).toEqual(people);
  });

  it('v2 splits kept and discarded items', async () => {
    const { outputs } = await runNode(filterNode, {
      typeVersion: 2.2,
      items: [{ n: 1 }],
      params: filterParams([condition(1, 'number', 'gt', 5)]),
    });
    expect(outputs).toEqual([[], [{ json: { n: 1 }, pairedItem: { item: 0 } }]]);
  });
});
