import { defineNode, isJsonObject, NodeError } from '@budflow/node-sdk';
import { z } from 'zod';

/**
 * n8n's test-only `n8n-nodes-testing.testData` node: emits its `data` parameter as items (an
 * array gives one item per element, an object one item, a string is parsed as JSON first).
 * It belongs to the conformance tooling, not to nodes-base.
 */
export const testDataNode = defineNode({
  type: 'budflow.testing.testData',
  version: 1,
  title: 'Test Data',
  category: 'core',
  compat: { n8n: { type: 'n8n-nodes-testing.testData', versions: [1] } },
  params: z.object({ data: z.unknown().optional() }),
  execute(ctx) {
    let data = ctx.params(0).data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch (error) {
        throw new NodeError(`parameter 'data' is not valid JSON: ${(error as Error).message}`);
      }
    }
    const list = Array.isArray(data) ? data : data === undefined ? [] : [data];
    return list.map((json) => ({
      json: isJsonObject(json) ? json : { value: json },
    }));
  },
});
