import { runWorkflow, type ExecutionEvent } from '@budflow/core';
import type { Storage } from '@budflow/storage';
import { sqliteTestStorageFactory } from '@budflow/storage/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultRegistry } from '../create-server.js';
import {
  createGroupCommitRecorder,
  writeBatch,
  type RecorderBatch,
} from './group-commit-recorder.js';

const flow = {
  name: 'two nodes',
  nodes: [
    {
      name: 'Start',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
      parameters: {},
    },
    {
      name: 'NoOp',
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      position: [200, 0],
      parameters: {},
    },
  ],
  connections: { Start: { main: [[{ node: 'NoOp', type: 'main', index: 0 }]] } },
};

describe('group-commit recorder', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await sqliteTestStorageFactory()();
  });
  afterEach(async () => {
    await storage.close();
  });

  it('commits the runs in flight together and saves each one before its run resolves', async () => {
    const batches: RecorderBatch[] = [];
    const recorder = createGroupCommitRecorder(storage, {
      writer: async (batch) => {
        batches.push(batch);
        await writeBatch(storage, batch);
      },
    });
    const registry = defaultRegistry();
    const run = async (id: string) => {
      recorder.create({ id, workflowId: null, mode: 'manual', status: 'new' });
      return runWorkflow(flow, { registry, executionId: id, observer: recorder });
    };
    const results = await Promise.all([run('a'), run('b'), run('c')]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    // Saved by the time the runs resolved: no flush needed.
    for (const id of ['a', 'b', 'c']) {
      const execution = await storage.executions.get(id);
      expect(execution).toMatchObject({
        status: 'success',
        lastNodeExecuted: 'NoOp',
        leaseOwner: null,
      });
      const data = await storage.executions.getData(id);
      expect(Object.keys(data!.runData!)).toEqual(['Start', 'NoOp']);
      const events = await storage.executions.listEvents<ExecutionEvent>(id);
      expect(events.map((e) => e.type)).toEqual([
        'execution.started',
        'node.started',
        'node.finished',
        'node.started',
        'node.finished',
        'execution.finished',
      ]);
    }
    // Three runs, far fewer commits than their 18 events.
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(batches[0]!.creates.map((c) => c.id)).toEqual(['a', 'b', 'c']);
    await recorder.close();
  });

  it('numbers the events of a continued execution after the stored ones', async () => {
    const recorder = createGroupCommitRecorder(storage);
    recorder.create({ id: 'x', workflowId: null, mode: 'manual', status: 'new' });
    await runWorkflow(flow, { registry: defaultRegistry(), executionId: 'x', observer: recorder });
    recorder.continueExecution('x', { lastSeq: 5, runData: {} });
    await recorder.onEvent({
      type: 'execution.finished',
      executionId: 'x',
      seq: 0,
      at: 1,
      status: 'success',
      lastNodeExecuted: undefined,
    });
    const events = await storage.executions.listEvents<ExecutionEvent>('x');
    expect(events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await recorder.close();
  });

  it('rejects the run waiting on a batch that cannot be committed and reports it', async () => {
    const onError = vi.fn();
    const recorder = createGroupCommitRecorder(storage, {
      onError,
      writer: () => Promise.reject(new Error('disk full')),
    });
    await expect(
      recorder.onEvent({
        type: 'execution.finished',
        executionId: 'y',
        seq: 0,
        at: 1,
        status: 'success',
        lastNodeExecuted: undefined,
      }),
    ).rejects.toThrow('disk full');
    expect(onError).toHaveBeenCalledOnce();
    await recorder.close().catch(() => undefined);
  });
});
