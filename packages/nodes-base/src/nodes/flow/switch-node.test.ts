import { resolveDynamic } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { switchNode } from './switch-node.js';

const json = (outputs: Array<Array<{ json: unknown }>> | null) =>
  outputs?.map((list) => list.map((i) => i.json));

describe('Switch v1', () => {
  it('routes by rules to each rule output, with a fallback', async () => {
    const results = [];
    for (const data of [0, 1, 2, 3]) {
      const { outputs } = await runNode(switchNode, {
        typeVersion: 1,
        items: [{ data }],
        params: {
          value1: data,
          rules: {
            rules: [
              { operation: 'equal' },
              { operation: 'equal', value2: 1, output: 1 },
              { operation: 'equal', value2: 2, output: 2 },
            ],
          },
          fallbackOutput: 3,
        },
      });
      results.push(json(outputs));
    }
    expect(results).toEqual([
      [[{ data: 0 }], [], [], []],
      [[], [{ data: 1 }], [], []],
      [[], [], [{ data: 2 }], []],
      [[], [], [], [{ data: 3 }]],
    ]);
  });

  it('routes by an expression index and rejects indexes out of range', async () => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 1,
      items: [{ a: 1 }],
      params: { mode: 'expression', output: 2 },
    });
    expect(json(outputs)).toEqual([[], [], [{ a: 1 }], []]);
    await expect(
      runNode(switchNode, { typeVersion: 1, params: { mode: 'expression', output: 4 } }),
    ).rejects.toThrow('The ouput 4 is not allowed. It has to be between 0 and 3!');
  });
});

describe('Switch v2', () => {
  it('creates outputsAmount outputs in expression mode', async () => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 2,
      items: [{ a: 1 }],
      params: { mode: 'expression', output: 0, outputsAmount: 3 },
    });
    expect(json(outputs)).toEqual([[{ a: 1 }], [], []]);
  });

  it('sends a rule match to the rule index and compares strings', async () => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 2,
      items: [{ a: 1 }],
      params: {
        dataType: 'string',
        value1: 'hello world',
        rules: {
          rules: [
            { operation: 'startsWith', value2: 'x' },
            { operation: 'contains', value2: 'world' },
          ],
        },
      },
    });
    expect(json(outputs)).toEqual([[], [{ a: 1 }]]);
  });
});

describe('Switch v3', () => {
  const rule = (operation: string, rightValue: string, leftValue = 'value') => ({
    conditions: {
      options: { caseSensitive: true, leftValue: '', typeValidation: 'strict' },
      conditions: [{ leftValue, rightValue, operator: { type: 'string', operation } }],
      combinator: 'and',
    },
  });

  it.each([
    ['regex', '/^value$/g', [[{ test: 'value' }], []]],
    ['regex', '^value$', [[{ test: 'value' }], []]],
    ['notRegex', '/^value$/g', [[], [{ test: 'value' }]]],
    ['notRegex', '^value$', [[], [{ test: 'value' }]]],
  ])('%s %s with an extra fallback output', async (operation, pattern, expected) => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 3,
      items: [{ test: 'value' }],
      params: {
        rules: { values: [rule(operation, pattern)] },
        options: { fallbackOutput: 'extra' },
      },
    });
    expect(json(outputs)).toEqual(expected);
  });

  it('sends to the first match only unless allMatchingOutputs is on', async () => {
    const params = { rules: { values: [rule('contains', 'val'), rule('endsWith', 'ue')] } };
    const first = await runNode(switchNode, { typeVersion: 3.2, items: [{ a: 1 }], params });
    expect(json(first.outputs)).toEqual([[{ a: 1 }], []]);
    const all = await runNode(switchNode, {
      typeVersion: 3.2,
      items: [{ a: 1 }],
      params: { ...params, options: { allMatchingOutputs: true } },
    });
    expect(json(all.outputs)).toEqual([[{ a: 1 }], [{ a: 1 }]]);
  });

  it('drops unmatched items without fallback and can fall back to a rule output', async () => {
    const params = { rules: { values: [rule('equals', 'x'), rule('equals', 'y')] } };
    expect(json((await runNode(switchNode, { typeVersion: 3, params })).outputs)).toEqual([[], []]);
    const fallback = await runNode(switchNode, {
      typeVersion: 3,
      params: { ...params, options: { fallbackOutput: 1 } },
    });
    expect(json(fallback.outputs)).toEqual([[], [{}]]);
  });

  it('routes by an index in expression mode and rejects the index equal to the count', async () => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 3,
      items: [{ a: 1 }],
      params: { mode: 'expression', numberOutputs: 3, output: '2' },
    });
    expect(json(outputs)).toEqual([[], [], [{ a: 1 }]]);
    await expect(
      runNode(switchNode, {
        typeVersion: 3,
        params: { mode: 'expression', numberOutputs: 3, output: 3 },
      }),
    ).rejects.toThrow('The ouput 3 is not allowed.');
  });

  it('names outputs after rules, output keys and the fallback', () => {
    const params = {
      rules: { values: [{ outputKey: 'big' }, {}] },
      options: { fallbackOutput: 'extra', renameFallbackOutput: 'other' },
    };
    expect(resolveDynamic(switchNode.outputs, params, 3, []).map((o) => o.name)).toEqual([
      'big',
      '1',
      'other',
    ]);
    expect(
      resolveDynamic(switchNode.outputs, { mode: 'expression', numberOutputs: 2 }, 3.2, []).length,
    ).toBe(2);
    expect(resolveDynamic(switchNode.outputs, {}, 1, []).length).toBe(4);
    expect(
      resolveDynamic(switchNode.outputs, { options: { fallbackOutput: 'extra' } }, 3, []).map(
        (o) => o.name,
      ),
    ).toEqual(['0', 'fallback']);
  });

  it('routes many items', async () => {
    const items = Array.from({ length: 10000 }, (_, i) => ({ i }));
    const { outputs } = await runNode(switchNode, {
      typeVersion: 3.3,
      items,
      params: {
        rules: {
          values: [
            {
              conditions: {
                options: { caseSensitive: true, typeValidation: 'strict' },
                conditions: [
                  {
                    leftValue: 1,
                    rightValue: 1,
                    operator: { type: 'number', operation: 'equals' },
                  },
                ],
                combinator: 'and',
              },
            },
          ],
        },
      },
    });
    expect(outputs![0]).toHaveLength(10000);
    expect(outputs![0]![9999]!.pairedItem).toEqual({ item: 9999 });
  });

  it('returns one empty output for no rules', async () => {
    const { outputs } = await runNode(switchNode, {
      typeVersion: 3,
      params: { rules: { values: [] } },
    });
    expect(outputs).toEqual([[]]);
  });
});
