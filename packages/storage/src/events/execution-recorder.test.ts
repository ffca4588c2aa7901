import type { CredentialResolver, ExecutionObserver } from '@budflow/core';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { Storage } from '../storage.js';
import { sqliteTestStorageFactory } from '../testing/index.js';
import { createExecutionRecorder, runEndPatch } from './execution-recorder.js';

describe('execution recorder heartbeat', () => {
  let storage: Storage | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await storage?.close();
  });

  it('renews the lease of running executions on a timer, and stops', async () => {
    storage = await sqliteTestStorageFactory()();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = 1000;
    const recorder = createExecutionRecorder(storage, { now: () => now, leaseMs: 3000 });
    await recorder.onEvent({
      type: 'execution.started',
      executionId: 'hb',
      seq: 0,
      at: 1,
      workflowId: undefined,
      mode: 'manual',
      startNode: 'A',
      input: [],
    });
    const renew = vi.spyOn(storage.executions, 'renewLease');
    const stop = recorder.startHeartbeat();
    now = 2000;
    vi.advanceTimersByTime(1000);
    expect(renew).toHaveBeenCalledWith('hb', recorder.leaseOwner, 5000);
    stop();
    vi.advanceTimersByTime(5000);
    expect(renew).toHaveBeenCalledTimes(1);
  });

  it('implements the engine ports', async () => {
    storage = await sqliteTestStorageFactory()();
    expectTypeOf(createExecutionRecorder(storage)).toExtend<ExecutionObserver>();
    expectTypeOf(storage.credentials.resolver()).toExtend<CredentialResolver>();
  });
});

describe('runEndPatch', () => {
  const released = { waitTill: null, leaseOwner: null, leaseExpiresAt: null };

  it('gives each end its status, stop time and last node, and releases the lease', () => {
    const base = { executionId: 'e', seq: 7, at: 42 };
    expect(
      runEndPatch({
        ...base,
        type: 'execution.finished',
        status: 'success',
        lastNodeExecuted: 'B',
      }),
    ).toEqual({ status: 'success', stoppedAt: 42, lastNodeExecuted: 'B', ...released });
    const error = { name: 'NodeError', code: 'E_NODE', message: 'boom' };
    expect(
      runEndPatch({ ...base, type: 'execution.failed', error, lastNodeExecuted: undefined }),
    ).toEqual({ status: 'error', stoppedAt: 42, error, ...released });
    expect(runEndPatch({ ...base, type: 'execution.canceled', reason: 'timeout' })).toEqual({
      status: 'canceled',
      stoppedAt: 42,
      ...released,
    });
  });
});
