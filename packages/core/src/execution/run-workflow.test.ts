import { describe, expect, it, vi } from 'vitest';
import {
  defineNode,
  ERROR_CODES,
  WorkflowValidationError,
  type ExpressionEvaluator,
} from '@budflow/node-sdk';
import { z } from 'zod';
import { createTestNodes, wf } from '../../test/test-nodes.js';
import {
  createNodeRegistry,
  parseWorkflow,
  runDataFromEvents,
  runWorkflow,
  type ExecutionEvent,
} from '../index.js';

const json = (result: Awaited<ReturnType<typeof runWorkflow>>, node: string, run = 0, output = 0) =>
  result.runData[node]?.[run]?.data?.main?.[output]?.map((i) => i.json);

describe('execution order', () => {
  const graph = (order: 'v0' | 'v1', positions: Record<string, [number, number]> = {}) =>
    wf(
      {
        T: { type: 'test.trigger' },
        A: { type: 'test.data', params: { items: [{ a: 1 }] }, position: positions.A ?? [200, 0] },
        A2: { type: 'test.set', position: [400, 0] },
        B: {
          type: 'test.data',
          params: { items: [{ b: 1 }] },
          position: positions.B ?? [200, 300],
        },
        M: { type: 'test.merge', position: [600, 100] },
      },
      [
        ['T', 'A'],
        ['T', 'B'],
        ['A', 'A2'],
        ['A2', 'M', 0, 0],
        ['B', 'M', 0, 1],
      ],
      order === 'v1' ? { executionOrder: 'v1' } : {},
    );

  it('v1 runs a branch to its end before its sibling (depth first)', async () => {
    const { registry, log } = createTestNodes();
    const result = await runWorkflow(graph('v1'), { registry });
    expect(result.status).toBe('success');
    expect(log).toEqual(['A', 'A2', 'B', 'M']);
    expect(json(result, 'M')).toEqual([{ a: 1, x: undefined }, { b: 1 }]);
  });

  it('v1 runs the top-most child first, whatever the connection order', async () => {
    const { registry, log } = createTestNodes();
    await runWorkflow(graph('v1', { A: [200, 500], B: [200, 100] }), { registry });
    expect(log).toEqual(['B', 'A', 'A2', 'M']);
  });

  it('legacy order runs breadth first in connection order', async () => {
    const { registry, log } = createTestNodes();
    const result = await runWorkflow(graph('v0', { A: [200, 500], B: [200, 100] }), { registry });
    expect(log).toEqual(['A', 'B', 'A2', 'M']);
    expect(json(result, 'M')).toHaveLength(2);
  });

  it('records the source of each input, for lineage', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(graph('v1'), { registry });
    expect(result.runData.M![0]!.source).toEqual([{ previousNode: 'A2' }, { previousNode: 'B' }]);
    expect(result.runData.A2![0]!.data!.main[0]![0]!.pairedItem).toEqual({ item: 0 });
  });
});

describe('branching into a two-input node', () => {
  const build = (order: 'v0' | 'v1', min: number) =>
    wf(
      {
        T: { type: 'test.trigger' },
        D: { type: 'test.data', params: { items: [{ n: 1 }, { n: 2 }, { n: 3 }] } },
        If: { type: 'test.if', params: { field: 'n', min } },
        M: { type: 'test.merge' },
      },
      [
        ['T', 'D'],
        ['D', 'If'],
        ['If', 'M', 0, 0],
        ['If', 'M', 1, 1],
      ],
      order === 'v1' ? { executionOrder: 'v1' } : {},
    );

  it.each(['v0', 'v1'] as const)('%s: both branches reach the merge', async (order) => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(build(order, 2), { registry });
    expect(json(result, 'M')).toEqual([{ n: 2 }, { n: 3 }, { n: 1 }]);
    expect(result.runData.M).toHaveLength(1);
  });

  it.each(['v0', 'v1'] as const)('%s: an empty branch still lets the merge run', async (order) => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(build(order, 0), { registry });
    expect(json(result, 'M')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('an empty output schedules no child and a null output leaves no run entry', async () => {
    const { registry, log } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          E: { type: 'test.empty' },
          N: { type: 'test.empty', params: { nothing: true } },
          After: { type: 'test.set' },
        },
        [
          ['T', 'E'],
          ['T', 'N'],
          ['E', 'After'],
          ['N', 'After'],
        ],
        { executionOrder: 'v1' },
      ),
      { registry },
    );
    expect(log).toEqual(['E', 'N']);
    expect(result.runData.E).toHaveLength(1);
    expect(result.runData.N).toBeUndefined();
    expect(result.runData.After).toBeUndefined();
  });
});

describe('loops', () => {
  it('a node whose second output feeds back runs once per batch', async () => {
    const { registry, log } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: [1, 2, 3, 4, 5].map((n) => ({ n })) } },
          Loop: { type: 'test.loop', params: { batchSize: 2 } },
          Body: { type: 'test.set', params: { field: 'seen', value: true } },
          Done: { type: 'test.set', params: { field: 'done', value: true } },
        },
        [
          ['T', 'D'],
          ['D', 'Loop'],
          ['Loop', 'Done', 0],
          ['Loop', 'Body', 1],
          ['Body', 'Loop'],
        ],
        { executionOrder: 'v1' },
      ),
      { registry },
    );
    expect(result.status).toBe('success');
    expect(result.runData.Body).toHaveLength(3);
    expect(result.runData.Loop).toHaveLength(4);
    expect(json(result, 'Done')).toEqual(
      [1, 2, 3, 4, 5].map((n) => ({ n, seen: true, done: true })),
    );
    expect(log.filter((n) => n === 'Loop')).toHaveLength(4);
  });

  it('stops a node scheduled twice in a row without a run entry (endless-loop guard)', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(
      wf({ T: { type: 'test.trigger' }, N: { type: 'test.empty', params: { nothing: true } } }, [
        ['T', 'N'],
        ['T', 'N'],
      ]),
      { registry },
    );
    expect(result.status).toBe('error');
    expect(result.error?.code).toBe(ERROR_CODES.EXECUTION_ENDLESS_LOOP);
  });
});

describe('errors', () => {
  const validate = (settings: Record<string, unknown>) =>
    wf(
      {
        T: { type: 'test.trigger' },
        D: { type: 'test.data', params: { items: [{ id: 1 }, { id: 2, bad: true }, { id: 3 }] } },
        V: { type: 'test.validate', ...settings },
      },
      [
        ['T', 'D'],
        ['D', 'V'],
      ],
      { executionOrder: 'v1' },
    );

  it('a failing node stops the run with a NodeError naming node and item', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(validate({}), { registry });
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({
      name: 'NodeError',
      nodeName: 'V',
      itemIndex: 1,
      message: 'item 1 is bad',
    });
    expect(result.runData.V![0]!.error?.nodeName).toBe('V');
    expect(result.lastNodeExecuted).toBe('V');
  });

  it('continueErrorOutput moves failed items to the error output, merged with their input', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(validate({ onError: 'continueErrorOutput' }), { registry });
    expect(result.status).toBe('success');
    // n8n emits both lists in reverse item order (its engine fixture error_outputs shows it).
    expect(json(result, 'V', 0, 0)).toEqual([
      { id: 3, ok: true },
      { id: 1, ok: true },
    ]);
    expect(json(result, 'V', 0, 1)).toEqual([{ id: 2, bad: true, error: 'item 1 is bad' }]);
  });

  it('the legacy errorOutput flag means continueErrorOutput', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(validate({ errorOutput: true, continueOnFail: true }), {
      registry,
    });
    expect(json(result, 'V', 0, 1)).toEqual([{ id: 2, bad: true, error: 'item 1 is bad' }]);
  });

  it('continueRegularOutput keeps error items on the main output', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(validate({ onError: 'continueRegularOutput' }), { registry });
    expect(json(result, 'V')).toEqual([
      { id: 1, ok: true },
      { error: 'item 1 is bad' },
      { id: 3, ok: true },
    ]);
  });

  it('retries with n8n clamps on tries and wait', async () => {
    const { registry, log } = createTestNodes();
    const sleeps: number[] = [];
    const clock = { now: () => 0, sleep: async (ms: number) => void sleeps.push(ms) };
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          F: {
            type: 'test.flaky',
            params: { failTimes: 2 },
            retryOnFail: true,
            maxTries: 9,
            waitBetweenTries: 0,
          },
        },
        [['T', 'F']],
      ),
      { registry, clock },
    );
    expect(result.status).toBe('success');
    expect(log).toEqual(['F', 'F', 'F']);
    expect(sleeps).toEqual([1000, 1000]);
  });

  it('gives up after maxTries', async () => {
    const { registry, log } = createTestNodes();
    const clock = { now: () => 0, sleep: async () => {} };
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          F: { type: 'test.flaky', params: { failTimes: 5 }, retryOnFail: true, maxTries: 2 },
        },
        [['T', 'F']],
      ),
      { registry, clock },
    );
    expect(result.status).toBe('error');
    expect(result.error?.message).toBe('failure 2');
    expect(log).toHaveLength(2);
  });

  it('evaluates expressions with the default sandboxed evaluator when none is given', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: [{ a: 2 }, { a: 5 }] } },
          S: { type: 'test.set', params: { field: 'b', value: '={{ $json.a * 10 }}' } },
        },
        [
          ['T', 'D'],
          ['D', 'S'],
        ],
      ),
      { registry },
    );
    expect(result.status).toBe('success');
    expect(json(result, 'S')).toEqual([
      { a: 2, b: 20 },
      { a: 5, b: 50 },
    ]);
  });
});

describe('node settings', () => {
  const three = [{ n: 1 }, { n: 2 }, { n: 3 }];
  it('executeOnce gives the node only the first item', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: three } },
          S: { type: 'test.set', executeOnce: true },
        },
        [
          ['T', 'D'],
          ['D', 'S'],
        ],
      ),
      { registry },
    );
    expect(json(result, 'S')).toEqual([{ n: 1 }]);
  });

  it('alwaysOutputData turns an empty output into one empty item', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          E: { type: 'test.empty', alwaysOutputData: true },
          S: { type: 'test.set' },
        },
        [
          ['T', 'E'],
          ['E', 'S'],
        ],
      ),
      { registry },
    );
    expect(json(result, 'E')).toEqual([{}]);
    expect(json(result, 'S')).toEqual([{ x: undefined }]);
  });

  it('a disabled node passes its first input through', async () => {
    const { registry } = createTestNodes();
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: three } },
          S: { type: 'test.set', params: { field: 'y', value: 1 }, disabled: true },
        },
        [
          ['T', 'D'],
          ['D', 'S'],
        ],
      ),
      { registry },
    );
    expect(json(result, 'S')).toEqual(three);
  });

  it('pinned data is returned instead of running the node', async () => {
    const { registry, log } = createTestNodes();
    const workflow = {
      ...wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: three } },
          S: { type: 'test.set' },
        },
        [
          ['T', 'D'],
          ['D', 'S'],
        ],
      ),
      pinData: { D: [{ json: { pinned: true } }] },
    };
    const result = await runWorkflow(workflow, { registry });
    expect(log).toEqual(['S']);
    expect(json(result, 'S')).toEqual([{ pinned: true, x: undefined }]);
    const unpinned = await runWorkflow(workflow, { registry, pinData: false });
    expect(json(unpinned, 'D')).toEqual(three);
  });
});

describe('partial execution', () => {
  const chain = () =>
    wf(
      {
        T: { type: 'test.trigger' },
        A: { type: 'test.data', params: { items: [{ a: 1 }] } },
        B: { type: 'test.set', params: { field: 'b', value: 2 } },
        C: { type: 'test.set', params: { field: 'c', value: 3 } },
      },
      [
        ['T', 'A'],
        ['A', 'B'],
        ['B', 'C'],
      ],
      { executionOrder: 'v1' },
    );

  it('runs only up to the destination node', async () => {
    const { registry, log } = createTestNodes();
    const result = await runWorkflow(chain(), { registry, destinationNode: 'B' });
    expect(log).toEqual(['A', 'B']);
    expect(result.runData.C).toBeUndefined();
  });

  it('reuses earlier run data and reruns dirty nodes only', async () => {
    const { registry, log } = createTestNodes();
    const first = await runWorkflow(chain(), { registry });
    log.length = 0;
    const second = await runWorkflow(chain(), {
      registry,
      destinationNode: 'C',
      runData: first.runData,
      dirtyNodes: ['C'],
    });
    expect(log).toEqual(['C']);
    expect(second.runData.A).toBe(first.runData.A);
    expect(json(second, 'C')).toEqual([{ a: 1, b: 2, c: 3 }]);
  });
});

describe('cancellation and timeout', () => {
  const hanging = () =>
    wf({ T: { type: 'test.trigger' }, H: { type: 'test.hang' }, After: { type: 'test.set' } }, [
      ['T', 'H'],
      ['H', 'After'],
    ]);

  it('an aborted signal cancels the run', async () => {
    const { registry } = createTestNodes();
    const controller = new AbortController();
    const running = runWorkflow(hanging(), { registry, signal: controller.signal });
    await Promise.resolve();
    controller.abort();
    const result = await running;
    expect(result.status).toBe('canceled');
    expect(result.error?.code).toBe(ERROR_CODES.EXECUTION_CANCELED);
    expect(result.runData.After).toBeUndefined();
  });

  it('a node that ignores its signal is abandoned when the run is canceled', async () => {
    const { registry, log } = createTestNodes();
    const controller = new AbortController();
    const deaf = wf(
      { T: { type: 'test.trigger' }, D: { type: 'test.deaf' }, After: { type: 'test.set' } },
      [
        ['T', 'D'],
        ['D', 'After'],
      ],
    );
    const running = runWorkflow(deaf, { registry, signal: controller.signal });
    await vi.waitFor(() => expect(log).toContain('D'));
    controller.abort();
    const result = await running;
    expect(result.status).toBe('canceled');
    expect(result.runData.After).toBeUndefined();
  });

  it('nodes get a live signal in runs that nothing can cancel', async () => {
    const { registry } = createTestNodes();
    const plain = wf({ T: { type: 'test.trigger' }, S: { type: 'test.signal' } }, [['T', 'S']]);
    const result = await runWorkflow(plain, { registry });
    expect(json(result, 'S')).toEqual([{ isSignal: true, aborted: false }]);
  });

  it('the execution timeout stops a hanging node', async () => {
    vi.useFakeTimers();
    try {
      const { registry } = createTestNodes();
      const running = runWorkflow(hanging(), { registry, timeoutMs: 5000 });
      await vi.advanceTimersByTimeAsync(5001);
      const result = await running;
      expect(result.status).toBe('canceled');
      expect(result.error?.code).toBe(ERROR_CODES.EXECUTION_TIMEOUT);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('events, waiting and resume', () => {
  const waitFlow = () =>
    wf(
      {
        T: { type: 'test.trigger' },
        D: { type: 'test.data', params: { items: [{ n: 1 }] } },
        W: { type: 'test.wait' },
        S: { type: 'test.set', params: { field: 'after', value: true } },
      },
      [
        ['T', 'D'],
        ['D', 'W'],
        ['W', 'S'],
      ],
      { executionOrder: 'v1' },
    );

  it('emits events in order and the log rebuilds the run data', async () => {
    const { registry } = createTestNodes();
    const events: ExecutionEvent[] = [];
    const result = await runWorkflow(
      wf({ T: { type: 'test.trigger' }, S: { type: 'test.set' } }, [['T', 'S']]),
      { registry, observer: { onEvent: (e) => void events.push(e) } },
    );
    expect(events.map((e) => e.type)).toEqual([
      'execution.started',
      'node.started',
      'node.finished',
      'node.started',
      'node.finished',
      'execution.finished',
    ]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(runDataFromEvents(events)).toEqual(result.runData);
  });

  it('a waiting node parks the run and resume continues after it', async () => {
    const { registry, log } = createTestNodes();
    const parked = await runWorkflow(waitFlow(), { registry });
    expect(parked.status).toBe('waiting');
    expect(parked.waitTill).toBeNull();
    expect(parked.runData.S).toBeUndefined();
    const state = JSON.parse(JSON.stringify(parked.state));
    const resumed = await runWorkflow(waitFlow(), {
      registry,
      resume: { runData: JSON.parse(JSON.stringify(parked.runData)), state },
    });
    expect(resumed.status).toBe('success');
    expect(resumed.runData.W).toHaveLength(1);
    expect(json(resumed, 'S')).toEqual([{ n: 1, after: true }]);
    expect(log.filter((n) => n === 'W')).toHaveLength(1);
  });

  it('resuming from the state of any node.finished event gives the same output', async () => {
    const { registry } = createTestNodes();
    const flow = wf(
      {
        T: { type: 'test.trigger' },
        D: { type: 'test.data', params: { items: [{ n: 1 }, { n: 2 }] } },
        A: { type: 'test.set', params: { field: 'a', value: 1 } },
        B: { type: 'test.set', params: { field: 'b', value: 2 } },
      },
      [
        ['T', 'D'],
        ['D', 'A'],
        ['A', 'B'],
      ],
    );
    const events: ExecutionEvent[] = [];
    const full = await runWorkflow(flow, {
      registry,
      observer: { onEvent: (e) => void events.push(e) },
    });
    const finished = events.filter((e) => e.type === 'node.finished');
    for (let cut = 1; cut < finished.length; cut++) {
      const prefix = events.slice(0, events.indexOf(finished[cut - 1]!) + 1);
      const last = finished[cut - 1]!;
      if (last.type !== 'node.finished') throw new Error('unreachable');
      const resumed = await runWorkflow(flow, {
        registry,
        resume: {
          runData: JSON.parse(JSON.stringify(runDataFromEvents(prefix))),
          state: JSON.parse(JSON.stringify(last.state)),
        },
      });
      expect(json(resumed, 'B')).toEqual(json(full, 'B'));
    }
  });
});

describe('validation', () => {
  it('lists every problem with a JSON path', () => {
    const { registry } = createTestNodes();
    const bad = {
      nodes: [
        { name: 'T', type: 'test.trigger', typeVersion: 1, parameters: {}, position: [0, 0] },
        { name: 'T', type: 'test.set', typeVersion: 1, parameters: {}, position: [0, 0] },
        { name: 'X', type: 'test.sett', typeVersion: 1, parameters: {}, position: [0, 0] },
        {
          name: 'I',
          type: 'test.if',
          typeVersion: 1,
          parameters: { field: 5, min: '={{ 1 }}' },
          position: [0, 0],
        },
        { name: 'NoType', typeVersion: 1, parameters: {} },
      ],
      connections: { T: { main: [[{ node: 'Missing', type: 'main', index: 0 }]] } },
    };
    let error: unknown;
    try {
      parseWorkflow(bad, { registry });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkflowValidationError);
    const problems = (error as WorkflowValidationError).problems;
    expect(problems.map((p) => p.path)).toEqual([
      'nodes[1].name',
      'nodes[2].type',
      'nodes[3].parameters.field',
      'nodes[4].type',
      'connections.T.main[0][0].node',
    ]);
    expect(problems[1]!.message).toContain("did you mean 'test.set'");
  });

  it('an unknown typeVersion names the known versions', () => {
    const { registry } = createTestNodes();
    expect(() =>
      parseWorkflow(
        {
          nodes: [{ name: 'A', type: 'n8n-nodes-base.testSet', typeVersion: 7, parameters: {} }],
          connections: {},
        },
        { registry },
      ),
    ).toThrow(/has no typeVersion 7 \(known: 1, 2\)/);
  });

  it('gives each item its own parameters whatever the order a node asks in', async () => {
    const { definitions } = createTestNodes();
    const order = [2, 0, 1, 2, 2, 1, 3, 0, 1];
    const probe = defineNode({
      type: 'test.probe',
      version: 1,
      title: 'Probe',
      category: 'core',
      params: z.object({ label: z.string(), value: z.number() }),
      execute(ctx) {
        return order.map((i) => {
          const params = ctx.params(i);
          return { json: { asked: i, label: params.label, value: params.value } };
        });
      },
    });
    const registry = createNodeRegistry([...definitions, probe]);
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] } },
          P: { type: 'test.probe', params: { label: 'fixed', value: '={{ $json.n * 10 }}' } },
        },
        [
          ['T', 'D'],
          ['D', 'P'],
        ],
      ),
      { registry },
    );
    expect(result.status).toBe('success');
    expect(json(result, 'P')).toEqual(
      order.map((i) => ({ asked: i, label: 'fixed', value: (i + 1) * 10 })),
    );
  });

  it('evaluator batches parameters once per node run', async () => {
    const { registry } = createTestNodes();
    const calls: number[][] = [];
    const evaluator: ExpressionEvaluator = {
      async resolveParameters(value, scope, indices) {
        calls.push([...indices]);
        return indices.map((i) => ({ ...(value as object), value: scope.items[i]!.json.n }));
      },
      async evaluate() {
        return undefined;
      },
    };
    const result = await runWorkflow(
      wf(
        {
          T: { type: 'test.trigger' },
          D: { type: 'test.data', params: { items: [{ n: 1 }, { n: 2 }] } },
          S: { type: 'test.set', params: { field: 'copy', value: '={{ $json.n }}' } },
        },
        [
          ['T', 'D'],
          ['D', 'S'],
        ],
      ),
      { registry, evaluator },
    );
    expect(calls).toEqual([[0, 1]]);
    expect(json(result, 'S')).toEqual([
      { n: 1, copy: 1 },
      { n: 2, copy: 2 },
    ]);
  });
});
