import { createNodeRegistry, runWorkflow, type ExecutionEvent } from '@budflow/core';
import { baseNodes } from '@budflow/nodes-base';
import type { Storage } from '@budflow/storage';
import { sqliteTestStorageFactory } from '@budflow/storage/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkerRecorder } from './group-commit-recorder.js';

const registry = createNodeRegistry(baseNodes);
const workflow = {
  name: 'two sets',
  nodes: [
    {
      id: '1',
      name: 'Start',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    },
    {
      id: '2',
      name: 'Set',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
      parameters: {
        assignments: { assignments: [{ id: 'a', name: 'a', value: 1, type: 'number' }] },
        options: {},
      },
    },
  ],
  connections: { Start: { main: [[{ node: 'Set', type: 'main', index: 0 }]] } },
};

let storage: Storage;
beforeEach(async () => {
  storage = await sqliteTestStorageFactory()();
});
afterEach(async () => {
  await storage.close();
});

describe('worker recorder (group commit)', () => {
  it('records the events and the result of a run whose row a main created', async () => {
    await storage.executions.create({ id: 'e1', mode: 'webhook', status: 'new' });
    const recorder = createWorkerRecorder(storage, { leaseOwner: 'w1' });
    recorder.expect('e1');
    recorder.pureNodes('e1', new Set(['Start', 'Set']));
    const result = await runWorkflow(workflow, { registry, executionId: 'e1', observer: recorder });
    expect(result.status).toBe('success');
    // The end is awaited: the row is final when the run returns.
    const row = await storage.executions.get('e1');
    expect(row).toMatchObject({ status: 'success', lastNodeExecuted: 'Set', leaseOwner: null });
    const events = await storage.executions.listEvents<ExecutionEvent>('e1');
    expect(events.map((e) => e.type)).toEqual([
      'execution.started',
      'node.started',
      'node.finished',
      'node.started',
      'node.finished',
      'execution.finished',
    ]);
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    // Run data is the log's (not written a second time), read back as the engine had it.
    const data = await storage.executions.getData('e1');
    expect(data?.runData?.Set?.[0]?.data?.main?.[0]).toMatchObject([{ json: { a: 1 } }]);
    expect(data?.runData).toEqual(JSON.parse(JSON.stringify(result.runData)));
  });

  it('replaces the run data stored before of a run it continues', async () => {
    await storage.executions.create({ id: 'e4', mode: 'webhook', status: 'new' });
    const recorder = createWorkerRecorder(storage, { leaseOwner: 'w1' });
    recorder.expect('e4');
    const first = await runWorkflow(workflow, { registry, executionId: 'e4', observer: recorder });
    // Run data another process stored, out of date once the run goes on here.
    await storage.executions.saveData('e4', { runData: { Old: [] } });
    const log = await storage.executions.listEvents<ExecutionEvent>('e4');
    recorder.continueExecution('e4', { lastSeq: log.at(-1)!.seq, runData: first.runData });
    await recorder.onEvent({
      type: 'execution.finished',
      executionId: 'e4',
      seq: 0,
      at: Date.now(),
      lastNodeExecuted: 'Set',
    } as ExecutionEvent);
    const data = await storage.executions.getData('e4');
    expect(data?.runData).toEqual(JSON.parse(JSON.stringify(first.runData)));
  });

  it('creates the rows of runs it was not told about (sub-workflows) and numbers continued runs on', async () => {
    const recorder = createWorkerRecorder(storage, { leaseOwner: 'w1' });
    await runWorkflow(workflow, { registry, executionId: 'child', observer: recorder });
    expect((await storage.executions.get('child'))?.status).toBe('success');

    recorder.continueExecution('child', { lastSeq: 5, runData: {} });
    await recorder.onEvent({
      type: 'execution.finished',
      executionId: 'child',
      seq: 0,
      at: Date.now(),
      lastNodeExecuted: 'Set',
    } as ExecutionEvent);
    const events = await storage.executions.listEvents<ExecutionEvent>('child');
    expect(events.at(-1)?.seq).toBe(6);
  });

  it('record() returns each event as stored and what to wait for: side effects and the end only', async () => {
    await storage.executions.create({ id: 'e3', mode: 'webhook', status: 'new' });
    const recorder = createWorkerRecorder(storage, { leaseOwner: 'w1' });
    recorder.expect('e3');
    recorder.pureNodes('e3', new Set(['Start']));
    const at = Date.now();
    const base = { executionId: 'e3', at };
    const started = recorder.record({
      ...base,
      type: 'execution.started',
      seq: 0,
      workflowId: undefined,
      mode: 'webhook',
      startNode: 'Start',
      input: [],
    });
    const pure = recorder.record({
      ...base,
      type: 'node.finished',
      seq: 1,
      nodeName: 'Start',
      runIndex: 0,
      task: { startTime: at, executionTime: 0, executionIndex: 0, source: [] },
    } as unknown as ExecutionEvent);
    const effect = recorder.record({
      ...base,
      type: 'node.finished',
      seq: 2,
      nodeName: 'Set',
      runIndex: 0,
      task: { startTime: at, executionTime: 0, executionIndex: 1, source: [] },
    } as unknown as ExecutionEvent);
    expect(started.committed).toBeUndefined();
    expect(pure.committed).toBeUndefined();
    expect(effect.committed).toBeInstanceOf(Promise);
    await effect.committed;
    const stored = await storage.executions.listEvents<ExecutionEvent>('e3');
    expect(stored.map((e) => JSON.stringify(e))).toEqual([started.json, pure.json, effect.json]);

    // A continued run: the JSON carries the sequence number as stored, after the earlier log.
    recorder.continueExecution('e3', { lastSeq: 2, runData: {} });
    const end = recorder.record({
      ...base,
      type: 'execution.finished',
      seq: 0,
      lastNodeExecuted: 'Set',
    } as ExecutionEvent);
    expect(JSON.parse(end.json)).toMatchObject({ type: 'execution.finished', seq: 3 });
    await end.committed;
    expect(await storage.executions.get('e3')).toMatchObject({ status: 'success', lastSeq: 3 });
  });

  it('heartbeats renew the lease of runs in progress', async () => {
    await storage.executions.create({ id: 'e2', mode: 'webhook', status: 'new' });
    const recorder = createWorkerRecorder(storage, { leaseOwner: 'w9', leaseMs: 60_000 });
    recorder.expect('e2');
    await recorder.onEvent({
      type: 'execution.started',
      executionId: 'e2',
      seq: 0,
      at: Date.now(),
      workflowId: undefined,
      mode: 'webhook',
      startNode: 'Start',
      input: [],
    });
    await recorder.heartbeat();
    const row = await storage.executions.get('e2');
    expect(row).toMatchObject({ status: 'running', leaseOwner: 'w9' });
    expect(row!.leaseExpiresAt).toBeGreaterThan(Date.now());
  });
});
