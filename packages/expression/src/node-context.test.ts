import { afterAll, describe, expect, it } from 'vitest';
import { createExpressionEvaluator } from './create-expression-evaluator.js';
import { createSingleItemScope } from './scope/single-item-scope.js';

const evaluator = createExpressionEvaluator();
afterAll(() => evaluator.close());

describe('$node["Name"].context', () => {
  const scope = () => {
    const base = createSingleItemScope({ json: { a: 1 }, nodeName: 'IF' });
    return {
      ...base,
      runData: {
        Loop: [
          {
            startTime: 0,
            executionTime: 0,
            executionIndex: 0,
            executionStatus: 'success' as const,
            source: [],
            data: { main: [[{ json: { k: 1 } }]] },
          },
        ],
      },
      workflow: { ...base.workflow, hasNode: (n: string) => n === 'IF' || n === 'Loop' },
      nodeContext: (name: string) =>
        name === 'Loop' ? { noItemsLeft: true, maxRunIndex: 2 } : undefined,
    };
  };

  it("reads another node's per-execution context, as Loop Over Items workflows do", async () => {
    await expect(
      evaluator.evaluate('={{ $node["Loop"].context["noItemsLeft"] }}', scope(), 0),
    ).resolves.toBe(true);
    await expect(
      evaluator.evaluate('={{ $node["Loop"].context.maxRunIndex + 1 }}', scope(), 0),
    ).resolves.toBe(3);
  });

  it('is empty for a node without context', async () => {
    await expect(
      evaluator.evaluate('={{ Object.keys($node["IF"].context).length }}', scope(), 0),
    ).resolves.toBe(0);
  });
});
