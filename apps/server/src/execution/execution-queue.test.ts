import { describe, expect, it } from 'vitest';
import { createInProcessQueue, type ExecutionJob } from './execution-queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const job = (id: string, run: ExecutionJob['run'], priority?: number): ExecutionJob => ({
  executionId: id,
  workflowId: null,
  run,
  ...(priority === undefined ? {} : { priority }),
});

describe('in-process execution queue', () => {
  it('runs at most `concurrency` jobs and starts waiting ones by priority', async () => {
    const queue = createInProcessQueue({ concurrency: 1 });
    const order: string[] = [];
    const gate = deferred();
    const first = queue.enqueue(
      job('a', async () => {
        order.push('a');
        await gate.promise;
      }),
    );
    // n8n's scale: a lower number runs first.
    const low = queue.enqueue(job('low', async () => void order.push('low'), 900));
    const high = queue.enqueue(job('high', async () => void order.push('high'), 10));
    expect(queue.stats()).toEqual({ running: 1, waiting: 2, concurrency: 1 });
    gate.resolve();
    await Promise.all([first, low, high]);
    expect(order).toEqual(['a', 'high', 'low']);
  });

  it('refuses jobs beyond the queue limit', async () => {
    const queue = createInProcessQueue({ concurrency: 1, limit: 1 });
    const gate = deferred();
    const running = queue.enqueue(job('a', () => gate.promise));
    const waiting = queue.enqueue(job('b', async () => {}));
    await expect(queue.enqueue(job('c', async () => {}))).rejects.toMatchObject({
      code: 'QUEUE_FULL',
    });
    gate.resolve();
    await Promise.all([running, waiting]);
  });

  it('cancels a running job through its signal and drops a waiting one', async () => {
    const queue = createInProcessQueue({ concurrency: 1 });
    const running = queue.enqueue(
      job(
        'a',
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason as Error)),
          ),
      ),
    );
    const waiting = queue.enqueue(job('b', async () => {}));
    expect(queue.cancel('b')).toBe(true);
    await expect(waiting).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    expect(queue.cancel('a')).toBe(true);
    await expect(running).rejects.toMatchObject({ code: 'EXECUTION_CANCELED' });
    expect(queue.cancel('nope')).toBe(false);
  });

  it('waits for running jobs on close and refuses new ones', async () => {
    const queue = createInProcessQueue({ concurrency: 2 });
    const gate = deferred();
    const running = queue.enqueue(job('a', () => gate.promise));
    const closing = queue.close(60_000);
    await expect(queue.enqueue(job('b', async () => {}))).rejects.toMatchObject({
      code: 'QUEUE_CLOSED',
    });
    gate.resolve();
    await running;
    expect(await closing).toEqual([]);
  });
});
