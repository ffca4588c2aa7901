/**
 * n8n 2.8's expected values for `$('Node')`, `$input` and item lineage across real nodes
 * (../shared/conformance/n8n-expressions/multi-node-cases.json), run through the engine with the
 * default sandboxed evaluator and the nodes of @budflow/nodes-base.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNodeRegistry, runWorkflow } from '@budflow/core';
import { baseNodes } from '@budflow/nodes-base';
import type { JsonObject } from '@budflow/node-sdk';

interface Case {
  id: string;
  field: string;
  expected?: unknown[];
}
interface Scenario {
  id: string;
  expressionNode: string;
  workflow: JsonObject;
  cases: Case[];
  expectedError?: { message: string; node: string };
}

const file = fileURLToPath(
  new URL('../../../../shared/conformance/n8n-expressions/multi-node-cases.json', import.meta.url),
);
const corpus = JSON.parse(readFileSync(file, 'utf8')) as { workflows: Scenario[] };
const registry = createNodeRegistry(baseNodes);

describe('n8n multi-node expression cases', () => {
  it.each(corpus.workflows.map((w) => [w.id, w] as const))(
    '%s',
    async (_id, scenario) => {
      const result = await runWorkflow(scenario.workflow, { registry, timezone: 'UTC' });
      if (scenario.expectedError) {
        expect(result.status).toBe('error');
        expect(result.error?.nodeName ?? result.lastNodeExecuted).toBe(scenario.expectedError.node);
        expect(result.error?.message).toContain(scenario.expectedError.message);
        return;
      }
      expect(result.error).toBeUndefined();
      const items = (result.runData[scenario.expressionNode] ?? []).flatMap(
        (task) => task.data?.main?.[0] ?? [],
      );
      for (const c of scenario.cases) {
        const actual = JSON.parse(JSON.stringify(items.map((item) => item.json[c.field] ?? null)));
        expect({ case: c.id, values: actual }).toEqual({ case: c.id, values: c.expected });
      }
    },
    30_000,
  );
});
