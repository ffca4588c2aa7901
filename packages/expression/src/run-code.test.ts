import { afterAll, describe, expect, it } from 'vitest';
import type { ExpressionScope } from '@budflow/node-sdk';
import { createExpressionEvaluator } from './create-expression-evaluator.js';
import { createSingleItemScope } from './scope/single-item-scope.js';

const evaluator = createExpressionEvaluator({ isolation: 'inline' });
afterAll(() => evaluator.close());

function twoItems(): ExpressionScope {
  const s = createSingleItemScope({ json: { n: 1, name: 'ada lovelace' } });
  s.items.push({ json: { n: 2, name: 'alan turing' }, pairedItem: { item: 1 } });
  s.inputs = [s.items];
  return s;
}

describe('runCode (the Code node environment)', () => {
  it('runs once for all items with $input, items, luxon and extension methods', async () => {
    const r = await evaluator.runCode(
      `const out = $input.all().map((it) => ({ json: { n: it.json.n * 10, name: it.json.name.toTitleCase() } }));
       console.log('count', items.length);
       out.push({ json: { day: DateTime.fromISO('2024-01-15T10:00:00Z').toFormat('ccc') } });
       return out;`,
      twoItems(),
    );
    expect(r.value).toEqual([
      { json: { n: 10, name: 'Ada Lovelace' } },
      { json: { n: 20, name: 'Alan Turing' } },
      { json: { day: 'Mon' } },
    ]);
    expect(r.console).toEqual([{ level: 'log', message: 'count 2' }]);
  });

  it('runs once for each item with $json, $itemIndex and await', async () => {
    const r = await evaluator.runCode(
      'const v = await Promise.resolve($json.n + $itemIndex); return { json: { v } };',
      twoItems(),
      { mode: 'runOnceForEachItem' },
    );
    expect(r.value).toEqual([{ json: { v: 1 } }, { json: { v: 3 } }]);
  });

  it('reports script errors with the message and line', async () => {
    await expect(
      evaluator.runCode('const a = 1;\nthrow new Error("bad " + a);', twoItems()),
    ).rejects.toMatchObject({
      code: 'SANDBOX_ERROR',
      message: 'bad 1 [line 2]',
    });
    await expect(evaluator.runCode('return (', twoItems())).rejects.toMatchObject({
      code: 'EXPRESSION_SYNTAX',
    });
  });
});
