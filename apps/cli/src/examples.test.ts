import { defaultEvaluator } from '@budflow/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { RunWorkflowOptions, RunWorkflowResult } from '@budflow/core';
import type { Item, JsonObject, WebhookResponse } from '@budflow/node-sdk';
import { describe, expect, it, vi } from 'vitest';
import { defaultRegistry } from './registry.js';
import { runToCompletion } from './run-to-completion.js';
import { workflowFromText } from './workflow-file.js';

/** Every workflow in `examples/` runs here, as `budflow run` would run it. */
const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
const registry = defaultRegistry();

const load = (path: string): JsonObject =>
  workflowFromText(join(EXAMPLES, path), readFileSync(join(EXAMPLES, path), 'utf8'), registry);

async function run(path: string, options: Partial<RunWorkflowOptions> = {}) {
  const evaluator = defaultEvaluator();
  return runToCompletion(load(path), {
    registry,
    ...(evaluator ? { evaluator } : {}),
    workflowLoader: {
      load: () => Promise.reject(new Error('examples load sub-workflows from files')),
      loadFile: (file) => Promise.resolve(load(join('sub-workflow', file))),
    },
    ...options,
  });
}

const json = (items: Item[] | null | undefined) => (items ?? []).map((i) => i.json);
const outputOf = (result: RunWorkflowResult, node: string, runIndex = 0) =>
  json(result.runData[node]?.[runIndex]?.data?.main?.[0]);

describe('examples', () => {
  it('webhook → transform → respond answers with the greeting', async () => {
    const responses: WebhookResponse[] = [];
    const result = await run('webhook-transform-respond.yaml', {
      mode: 'webhook',
      input: [{ json: { headers: {}, params: {}, query: {}, body: { name: 'Ada' } } }],
      onResponse: (response) => responses.push(response),
    });
    expect(result.error?.message).toBeUndefined();
    expect(outputOf(result, 'Build greeting')).toEqual([{ greeting: 'Hello, Ada!', length: 3 }]);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({
      statusCode: 200,
      body: { greeting: 'Hello, Ada!', length: 3 },
    });
  });

  it('schedule → HTTP (pinned) → filter → aggregate keeps the big orders', async () => {
    const orders = JSON.parse(
      readFileSync(join(EXAMPLES, 'data/orders.json'), 'utf8'),
    ) as JsonObject[];
    const result = await run('schedule-http-filter-aggregate.yaml', {
      pinData: { 'Fetch orders': orders },
    });
    expect(result.error?.message).toBeUndefined();
    expect(outputOf(result, 'Big orders')).toEqual([orders[0], orders[2]]);
    expect(outputOf(result, 'Collect ids')).toEqual([{ id: ['A-1', 'A-3'] }]);
  });

  it('a parent runs its sub-workflow from a file', async () => {
    const result = await run('sub-workflow/parent.yaml');
    expect(result.error?.message).toBeUndefined();
    expect(outputOf(result, 'Add tax')).toEqual([
      { sku: 'pen', net: 10, gross: 12 },
      { sku: 'book', net: 25, gross: 30 },
    ]);
  });

  it('a failing workflow fails, and its error workflow formats the alert', async () => {
    const failed = await run('error-workflow/charge-card.yaml');
    expect(failed.status).toBe('error');
    expect(failed.error?.message).toBe('payment provider unavailable');
    const charge = load('error-workflow/charge-card.yaml');
    expect((charge.settings as JsonObject).errorWorkflow).toBe('error-handler');
    // What the server hands the error workflow's Error Trigger.
    const payload = {
      execution: {
        id: failed.executionId,
        error: { message: failed.error!.message },
        lastNodeExecuted: failed.lastNodeExecuted!,
        mode: 'manual',
      },
      workflow: { id: 'charge-card', name: String(charge.name) },
    };
    const handled = await run('error-workflow/error-handler.json', {
      mode: 'error',
      input: [{ json: payload }],
    });
    expect(handled.status).toBe('success');
    expect(outputOf(handled, 'Alert message')).toEqual([
      {
        alert: "Workflow 'Charge card' failed at 'Charge': payment provider unavailable",
        executionId: failed.executionId,
      },
    ]);
  });

  it('Loop Over Items with Wait processes every batch, waiting between them', async () => {
    // The Wait node sleeps short waits in-process: fake timers make its 1 s waits instant.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const running = run('loop-over-items-with-wait.json').finally(() => (settled = true));
      while (!settled) {
        await vi.advanceTimersToNextTimerAsync();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const result = await running;
      expect(result.error?.message).toBeUndefined();
      expect(result.status).toBe('success');
      expect(outputOf(result, 'All processed')).toEqual([
        {
          processed: [
            { user: 'ada', batch: 0 },
            { user: 'grace', batch: 0 },
            { user: 'edsger', batch: 1 },
          ],
        },
      ]);
      expect(result.runData['Wait a second']).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  const hasCode = registry.resolve('n8n-nodes-base.code', undefined) !== undefined;
  it.skipIf(!hasCode)('the Code node counts words in the sandbox', async () => {
    const result = await run('code-node.yaml');
    expect(result.status).toBe('success');
    expect(outputOf(result, 'Count words')).toEqual([
      { word: 'the', count: 3 },
      { word: 'brown', count: 1 },
      { word: 'dog', count: 1 },
    ]);
  });
});
