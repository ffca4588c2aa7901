import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeRegistry, runWorkflow, type RunWorkflowOptions } from '@budflow/core';
import { createExpressionEvaluator } from '@budflow/expression';
import type { JsonObject } from '@budflow/node-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { manualTriggerNode, noOpNode } from '../flow/trigger-nodes.js';
import { createCodeNodes } from './code/code-nodes.js';
import {
  createExecuteWorkflowNode,
  executeWorkflowTriggerNode,
} from './execute-workflow/execute-workflow-nodes.js';
import { executionDataNode } from './execution/execution-nodes.js';
import { createHttpRequestNode } from './http-request/http-request-node.js';
import { createHttpClient } from './internal/http-client.js';
import { waitNode } from './wait/wait-node.js';

const code = createCodeNodes({ isolation: 'inline', limits: { timeoutMs: 5_000 } });
const evaluator = createExpressionEvaluator({ isolation: 'inline' });
const http = createHttpClient({ ssrf: { allow: ['127.0.0.1'] } });
afterAll(() => Promise.all([code.close(), evaluator.close(), http.close()]));

const registry = createNodeRegistry([
  manualTriggerNode,
  noOpNode,
  code.codeNode,
  createExecuteWorkflowNode(),
  executeWorkflowTriggerNode,
  executionDataNode,
  waitNode,
  createHttpRequestNode({ http }),
]);

let id = 0;
const node = (name: string, type: string, typeVersion: number, parameters: JsonObject = {}) => ({
  id: `n${++id}`,
  name,
  type: `n8n-nodes-base.${type}`,
  typeVersion,
  position: [id * 200, 0],
  parameters,
});
const main = (...targets: string[]) => ({
  main: [targets.map((node) => ({ node, type: 'main', index: 0 }))],
});

const child = (jsCode: string): JsonObject => ({
  name: 'child',
  nodes: [node('Start', 'executeWorkflowTrigger', 1), node('Work', 'code', 2, { jsCode })],
  connections: { Start: main('Work') },
  settings: { executionOrder: 'v1' },
});

const parent = (executeParams: JsonObject): JsonObject => ({
  name: 'parent',
  nodes: [
    node('Manual', 'manualTrigger', 1),
    node('Make', 'code', 2, { jsCode: 'return [{ n: 1 }, { n: 2 }, { n: 3 }];' }),
    node('Call', 'executeWorkflow', 1.1, executeParams),
  ],
  connections: { Manual: main('Make'), Make: main('Call') },
  settings: { executionOrder: 'v1' },
});

const DOUBLE = 'return $input.all().map(i => ({ json: { n: i.json.n, doubled: i.json.n * 2 } }));';

describe('sub-workflows through runWorkflow', () => {
  it('runs a child workflow from a JSON parameter and returns its output', async () => {
    const result = await runWorkflow(
      parent({ source: 'parameter', workflowJson: JSON.stringify(child(DOUBLE)) }),
      { registry },
    );
    expect(result.status).toBe('success');
    expect(result.runData.Call?.[0]?.data?.main[0]?.map((i) => i.json)).toEqual([
      { n: 1, doubled: 2 },
      { n: 2, doubled: 4 },
      { n: 3, doubled: 6 },
    ]);
  });

  it('runs a child by id through the workflow loader, once per item', async () => {
    const loaded: string[] = [];
    const options: RunWorkflowOptions = {
      registry,
      workflowLoader: {
        load: (workflowId) => {
          loaded.push(workflowId);
          return Promise.resolve(child('return [{ json: { got: $input.all().length } }];'));
        },
      },
    };
    const result = await runWorkflow(
      parent({
        source: 'database',
        workflowId: { __rl: true, value: 'child-1', mode: 'id' },
        mode: 'each',
      }),
      options,
    );
    expect(result.status).toBe('success');
    expect(loaded).toEqual(['child-1', 'child-1', 'child-1']);
    expect(result.runData.Call?.[0]?.data?.main[0]?.map((i) => i.json)).toEqual([
      { got: 1 },
      { got: 1 },
      { got: 1 },
    ]);
  });

  it('fails the parent with the child’s error and execution id', async () => {
    const result = await runWorkflow(
      parent({
        source: 'parameter',
        workflowJson: child('\nthrow new Error("child broke");'),
      }),
      { registry },
    );
    expect(result.status).toBe('error');
    expect(result.error?.nodeName).toBe('Call');
    expect(result.error?.message).toMatch(/child broke \[line 2\]/);
    const sub = (result.error?.details as { subExecution?: { executionId?: string } }).subExecution;
    expect(sub?.executionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.error?.message).toContain(sub!.executionId!);
  });

  it('stops a workflow that calls itself at the depth limit', async () => {
    const self: JsonObject = {
      name: 'self',
      nodes: [
        node('Start', 'executeWorkflowTrigger', 1),
        node('Again', 'executeWorkflow', 1, { source: 'database', workflowId: 'self' }),
      ],
      connections: { Start: main('Again') },
      settings: { executionOrder: 'v1' },
    };
    const result = await runWorkflow(self, {
      registry,
      maxDepth: 4,
      workflowLoader: { load: () => Promise.resolve(self) },
    });
    expect(result.status).toBe('error');
    expect(JSON.stringify(result.error)).toMatch(/depth limit \(4\)/);
  });
});

describe('a loop with a wait', () => {
  it('parks at each long wait and resumes until the loop ends', async () => {
    const workflow: JsonObject = {
      name: 'loop',
      nodes: [
        node('Manual', 'manualTrigger', 1),
        node('Inc', 'code', 2, {
          mode: 'runOnceForEachItem',
          jsCode: 'return { json: { n: ($json.n ?? 0) + 1 } };',
        }),
        node('Wait', 'wait', 1.1, { amount: 1, unit: 'hours' }),
        node('Again', 'code', 2, { jsCode: 'return $input.all().filter(i => i.json.n < 3);' }),
        node('Done', 'noOp', 1),
      ],
      connections: {
        Manual: main('Inc'),
        Inc: main('Wait'),
        Wait: main('Again', 'Done'),
        Again: main('Inc'),
      },
      settings: { executionOrder: 'v1' },
    };
    const before = Date.now();
    let result = await runWorkflow(workflow, { registry });
    const waits: Array<Date | null | undefined> = [];
    for (let round = 0; result.status === 'waiting' && round < 10; round++) {
      waits.push(result.waitTill);
      result = await runWorkflow(workflow, {
        registry,
        executionId: result.executionId,
        resume: { runData: structuredClone(result.runData), state: result.state! },
      });
    }
    expect(result.status).toBe('success');
    expect(waits).toHaveLength(3);
    for (const until of waits) expect(until!.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(result.runData.Inc).toHaveLength(3);
    // v1 order is depth first: each Done entry waits on the stack while the loop goes deeper.
    expect(result.runData.Done?.map((run) => run.data?.main[0]?.[0]?.json)).toEqual([
      { n: 3 },
      { n: 2 },
      { n: 1 },
    ]);
  });
});

describe('expressions reaching outside nodes through the engine', () => {
  it("gives the Code node $('Node') data and paired items", async () => {
    const workflow: JsonObject = {
      name: 'refs',
      nodes: [
        node('Manual', 'manualTrigger', 1),
        node('Make', 'code', 2, { jsCode: "return [{ k: 'a' }, { k: 'b' }];" }),
        node('Upper', 'code', 2, {
          mode: 'runOnceForEachItem',
          jsCode: 'return { json: { up: $json.k.toUpperCase() } };',
        }),
        node('Read', 'code', 2, {
          mode: 'runOnceForEachItem',
          jsCode:
            "return { json: { up: $json.up, from: $('Make').item.json.k, count: $('Make').all().length } };",
        }),
      ],
      connections: { Manual: main('Make'), Make: main('Upper'), Upper: main('Read') },
      settings: { executionOrder: 'v1' },
    };
    const result = await runWorkflow(workflow, { registry, evaluator });
    expect(result.status).toBe('success');
    expect(result.runData.Read?.[0]?.data?.main[0]?.map((i) => i.json)).toEqual([
      { up: 'A', from: 'a', count: 2 },
      { up: 'B', from: 'b', count: 2 },
    ]);
  });

  it('paginates an HTTP Request with $response inside a workflow', async () => {
    const server = createServer((req, res) => {
      const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rows: page <= 2 ? [page] : [], next: page < 2 ? page + 1 : null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/list`;
    try {
      const workflow: JsonObject = {
        name: 'pages',
        nodes: [
          node('Manual', 'manualTrigger', 1),
          node('Fetch', 'httpRequest', 4.2, {
            url,
            options: {
              pagination: {
                pagination: {
                  parameters: {
                    parameters: [{ type: 'qs', name: 'page', value: '={{ $response.body.next }}' }],
                  },
                  paginationCompleteWhen: 'other',
                  completeExpression: '={{ $response.body.next === null }}',
                },
              },
            },
          }),
        ],
        connections: { Manual: main('Fetch') },
        settings: { executionOrder: 'v1' },
      };
      const result = await runWorkflow(workflow, { registry, evaluator });
      expect(result.status).toBe('success');
      expect(result.runData.Fetch?.[0]?.data?.main[0]?.map((i) => i.json)).toEqual([
        { rows: [1], next: 2 },
        { rows: [2], next: null },
      ]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
