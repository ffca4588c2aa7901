import { BudflowError, type ExecuteWorkflowRequest, type JsonObject } from '@budflow/node-sdk';
import { describe, expect, it } from 'vitest';
import { runTestNode } from '../internal/test-harness.js';
import { executeWorkflowNode, executeWorkflowTriggerNode } from './execute-workflow-nodes.js';

describe('Execute Workflow', () => {
  it('runs the sub-workflow once with all items and returns its output', async () => {
    const calls: ExecuteWorkflowRequest[] = [];
    const result = await runTestNode(executeWorkflowNode, {
      typeVersion: 1.1,
      items: [{ n: 1 }, { n: 2 }],
      params: { source: 'database', workflowId: { __rl: true, value: 'wf-9', mode: 'id' } },
      executeWorkflow: (request) => {
        calls.push(request);
        return Promise.resolve({
          executionId: 'child-1',
          data: [request.items.map((i) => ({ json: { doubled: (i.json.n as number) * 2 } }))],
        });
      },
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ source: { type: 'id', id: 'wf-9' }, wait: true });
    expect(result.json).toEqual([{ doubled: 2 }, { doubled: 4 }]);
    expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
  });

  it('runs once per item, and returns the input when not waiting', async () => {
    let count = 0;
    const each = await runTestNode(executeWorkflowNode, {
      items: [{ n: 1 }, { n: 2 }],
      params: { workflowId: 'w', mode: 'each' },
      executeWorkflow: (request) => {
        count++;
        return Promise.resolve({
          executionId: `c${count}`,
          data: [[{ json: { got: request.items.length } }]],
        });
      },
    });
    expect(count).toBe(2);
    expect(each.json).toEqual([{ got: 1 }, { got: 1 }]);
    const noWait = await runTestNode(executeWorkflowNode, {
      items: [{ n: 1 }],
      params: { workflowId: 'w', options: { waitForSubWorkflow: false } },
      executeWorkflow: (request) => {
        expect(request.wait).toBe(false);
        return Promise.resolve({ executionId: 'c' });
      },
    });
    expect(noWait.json).toEqual([{ n: 1 }]);
  });

  it('takes the workflow from a JSON parameter or a file and maps inputs', async () => {
    const seen: ExecuteWorkflowRequest[] = [];
    const run = (params: JsonObject) =>
      runTestNode(executeWorkflowNode, {
        typeVersion: 1.2,
        items: [{ a: 1, b: 2 }],
        params,
        executeWorkflow: (request) => {
          seen.push(request);
          return Promise.resolve({ executionId: 'c', data: [request.items] });
        },
      });
    await run({ source: 'parameter', workflowJson: '{"nodes":[],"connections":{}}' });
    expect(seen[0]!.source).toEqual({ type: 'json', workflow: { nodes: [], connections: {} } });
    await run({ source: 'localFile', workflowPath: '/tmp/wf.json' });
    expect(seen[1]!.source).toEqual({ type: 'file', path: '/tmp/wf.json' });
    const mapped = await run({
      workflowId: 'w',
      workflowInputs: { mappingMode: 'defineBelow', value: { only: 'x' } },
    });
    expect(mapped.json).toEqual([{ only: 'x' }]);
    await expect(run({ source: 'parameter', workflowJson: '{nope' })).rejects.toThrow(
      /'Workflow JSON' parameter is not valid JSON/,
    );
  });

  it('propagates a child’s error with the child execution id', async () => {
    const error = await runTestNode(executeWorkflowNode, {
      params: { workflowId: 'w' },
      executeWorkflow: () =>
        Promise.reject(
          new BudflowError('NODE_EXECUTION_FAILED', 'child failed', {
            details: { executionId: 'child-7' },
          }),
        ),
    }).then(
      () => undefined,
      (e: unknown) => e as BudflowError,
    );
    expect(error?.message).toBe('child failed');
    expect(error?.details.subExecution).toEqual({ executionId: 'child-7', workflowId: 'w' });
  });
});

describe('Execute Workflow Trigger', () => {
  it('passes input through (v1 and passthrough)', async () => {
    const result = await runTestNode(executeWorkflowTriggerNode, {
      typeVersion: 1,
      items: [{ a: 1 }],
    });
    expect(result.json).toEqual([{ a: 1 }]);
    const explicit = await runTestNode(executeWorkflowTriggerNode, {
      typeVersion: 1.1,
      items: [{ a: 1 }],
      params: { inputSource: 'passthrough' },
    });
    expect(explicit.json).toEqual([{ a: 1 }]);
    // v1.1 defaults to declared inputs: with none declared, items carry no fields.
    const v11 = await runTestNode(executeWorkflowTriggerNode, {
      typeVersion: 1.1,
      items: [{ a: 1 }],
    });
    expect(v11.json).toEqual([{}]);
  });

  it('keeps only declared inputs, converted to their types', async () => {
    const result = await runTestNode(executeWorkflowTriggerNode, {
      typeVersion: 1.1,
      items: [{ id: '5', name: 'x', extra: true }],
      params: {
        inputSource: 'workflowInputs',
        workflowInputs: {
          values: [
            { name: 'id', type: 'number' },
            { name: 'name' },
            { name: 'missing', type: 'string' },
          ],
        },
      },
    });
    expect(result.json).toEqual([{ id: 5, name: 'x', missing: null }]);
    await expect(
      runTestNode(executeWorkflowTriggerNode, {
        typeVersion: 1.1,
        items: [{ id: 'abc' }],
        params: {
          inputSource: 'workflowInputs',
          workflowInputs: { values: [{ name: 'id', type: 'number' }] },
        },
      }),
    ).rejects.toThrow(/Input 'id' must be of type number/);
  });
});
