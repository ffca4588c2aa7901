import { createMemoryQueue, type ExecutionJobResult, type JobQueue } from '@budflow/queue';
import type { ExecutionChannel, ExecutionMessage } from '@budflow/queue/bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus, type LiveEvent } from '../events/event-bus.js';
import { forwardWorkerEvents } from './live-events.js';
import { createQueueModeExecutionQueue } from './queue-mode-execution-queue.js';

/** Pub/sub in memory: what one side publishes, every subscriber of the topic hears. */
function memoryChannel(): ExecutionChannel & { published: ExecutionMessage[] } {
  const listeners = {
    events: new Set<(m: ExecutionMessage) => void>(),
    control: new Set<(m: ExecutionMessage) => void>(),
  };
  const published: ExecutionMessage[] = [];
  return {
    published,
    async publish(message) {
      published.push(message);
      const topic = message.type === 'cancel' ? 'control' : 'events';
      for (const l of listeners[topic]) l(message);
    },
    subscribe(topic, listener) {
      listeners[topic].add(listener);
      return () => listeners[topic].delete(listener);
    },
    ready: async () => {},
    close: async () => {},
  };
}

const result = (
  executionId: string,
  over: Partial<ExecutionJobResult> = {},
): ExecutionJobResult => ({
  executionId,
  status: 'success',
  lastNodeExecuted: 'Last',
  error: null,
  waitTill: null,
  output: [[{ json: { ok: true } }]],
  recovered: false,
  ...over,
});

const noRun = () => Promise.reject(new Error('not run in the main'));
let queue: JobQueue;

afterEach(async () => {
  await queue?.close();
});

describe('queue-mode execution queue', () => {
  it('enqueues the id and start payload, and hands the worker result over', async () => {
    queue = createMemoryQueue();
    const channel = memoryChannel();
    const q = createQueueModeExecutionQueue({ queue, channel });
    const seen: unknown[] = [];
    queue.process(async (data) => {
      seen.push(data);
      return result(data.executionId);
    });
    let got: unknown;
    await q.enqueue({
      executionId: 'e1',
      workflowId: 'w1',
      priority: 50,
      payload: { startNode: 'Webhook', input: [{ json: { a: 1 } }] },
      run: noRun,
      onResult: (r) => (got = r),
    });
    expect(seen).toEqual([
      {
        executionId: 'e1',
        workflowId: 'w1',
        kind: 'run',
        start: { startNode: 'Webhook', input: [{ json: { a: 1 } }] },
      },
    ]);
    expect(got).toMatchObject({
      executionId: 'e1',
      status: 'success',
      lastNodeExecuted: 'Last',
      output: [[{ json: { ok: true } }]],
    });
  });

  it('passes a Respond to Webhook response from the worker to the waiting request', async () => {
    queue = createMemoryQueue();
    const channel = memoryChannel();
    const q = createQueueModeExecutionQueue({ queue, channel });
    queue.process(async (data) => {
      expect(data.start?.respond).toBe(true);
      await channel.publish({
        type: 'response',
        executionId: data.executionId,
        response: { statusCode: 201, body: { made: true } },
      });
      return result(data.executionId);
    });
    const responses: unknown[] = [];
    await q.enqueue({
      executionId: 'e2',
      workflowId: null,
      run: noRun,
      onResponse: (r) => responses.push(r),
    });
    expect(responses).toEqual([{ statusCode: 201, body: { made: true } }]);
  });

  it('rejects when the job ends in the dead letters', async () => {
    queue = createMemoryQueue({ attempts: 1 });
    const q = createQueueModeExecutionQueue({ queue, channel: memoryChannel() });
    queue.process(async () => {
      throw new Error("execution 'e3' does not exist");
    });
    await expect(q.enqueue({ executionId: 'e3', workflowId: null, run: noRun })).rejects.toThrow(
      /e3 could not run: execution 'e3' does not exist/,
    );
  });

  it('cancels a waiting job and tells the workers', async () => {
    queue = createMemoryQueue();
    const channel = memoryChannel();
    const q = createQueueModeExecutionQueue({ queue, channel });
    // No worker yet: the job waits.
    const done = q.enqueue({ executionId: 'e4', workflowId: null, run: noRun });
    expect(q.cancel('e4')).toBe(true);
    await expect(done).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    expect(channel.published).toContainEqual({
      type: 'cancel',
      executionId: 'e4',
      reason: 'execution e4 was canceled',
    });
    expect(q.cancel('unknown')).toBe(false);
  });

  it('refuses new jobs once closed, and reports what still runs', async () => {
    queue = createMemoryQueue();
    const q = createQueueModeExecutionQueue({ queue, channel: memoryChannel() });
    const pending = q.enqueue({ executionId: 'e5', workflowId: null, run: noRun });
    pending.catch(() => undefined);
    expect(await q.close(0)).toEqual(['e5']);
    await expect(
      q.enqueue({ executionId: 'e6', workflowId: null, run: noRun }),
    ).rejects.toMatchObject({
      code: 'QUEUE_CLOSED',
    });
  });
});

describe('worker events', () => {
  it('reach the event bus of the main', async () => {
    const channel = memoryChannel();
    const bus = createEventBus();
    const got: LiveEvent[] = [];
    bus.subscribeExecution('e1', (l) => got.push(l));
    const off = forwardWorkerEvents(channel, bus);
    const event = { type: 'execution.finished', executionId: 'e1', seq: 3, at: 1 };
    await channel.publish({
      type: 'event',
      executionId: 'e1',
      workflowId: 'w',
      projectId: null,
      event,
    });
    await channel.publish({ type: 'response', executionId: 'e1', response: {} });
    off();
    await channel.publish({
      type: 'event',
      executionId: 'e1',
      workflowId: 'w',
      projectId: null,
      event,
    });
    expect(got).toEqual([{ event, workflowId: 'w', projectId: null }]);
  });
});
