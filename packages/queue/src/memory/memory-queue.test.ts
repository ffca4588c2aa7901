import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryQueue } from './memory-queue.js';
import type { ExecutionJobData, JobQueue } from '../job-queue.js';

const job = (executionId: string): ExecutionJobData => ({ executionId });
let queue: JobQueue | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await queue?.close();
  queue = undefined;
});

function collector() {
  const done: string[] = [];
  let resolveAll: (() => void) | undefined;
  let expected = 0;
  return {
    done,
    until(count: number) {
      expected = count;
      return new Promise<void>((resolve) => {
        resolveAll = resolve;
        if (done.length >= expected) resolve();
      });
    },
    push(id: string) {
      done.push(id);
      if (done.length >= expected) resolveAll?.();
    },
  };
}

describe('memory queue', () => {
  it('runs jobs by priority (lower first), then in order', async () => {
    queue = createMemoryQueue();
    await queue.enqueue(job('low'), { priority: 500 });
    await queue.enqueue(job('default-1'));
    await queue.enqueue(job('urgent'), { priority: 0 });
    await queue.enqueue(job('default-2'));
    const c = collector();
    const worker = queue.process(async (data) => void c.push(data.executionId), { concurrency: 1 });
    await c.until(4);
    expect(c.done).toEqual(['urgent', 'default-1', 'default-2', 'low']);
    await worker.close();
  });

  it('keeps one job per id', async () => {
    queue = createMemoryQueue();
    await queue.enqueue(job('a'));
    await queue.enqueue(job('a'));
    expect((await queue.metrics()).waiting).toBe(1);
  });

  it('runs a delayed job after its delay', async () => {
    vi.useFakeTimers();
    queue = createMemoryQueue();
    const c = collector();
    queue.process(async (data) => void c.push(data.executionId));
    await queue.enqueue(job('later'), { delayMs: 60_000 });
    await vi.advanceTimersByTimeAsync(59_000);
    expect(c.done).toEqual([]);
    expect((await queue.metrics()).delayed).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(c.done).toEqual(['later']);
  });

  it('retries with backoff, then keeps the job as a dead letter that can be re-driven', async () => {
    vi.useFakeTimers();
    queue = createMemoryQueue({ attempts: 3, backoffMs: 1000 });
    const attempts: number[] = [];
    let healthy = false;
    const failed: string[] = [];
    queue.onFailed((id) => failed.push(id));
    queue.process(async (_data, ctx) => {
      attempts.push(ctx.job.attempt);
      if (!healthy) throw new Error('database unavailable');
    });
    await queue.enqueue(job('x'));
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(2000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(failed).toEqual(['x']);
    const dead = await queue.deadLetters();
    expect(dead).toMatchObject([{ jobId: 'x', reason: 'database unavailable', attempts: 3 }]);
    healthy = true;
    await queue.redrive('x');
    await vi.advanceTimersByTimeAsync(0);
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it('honours concurrency and reports running jobs', async () => {
    queue = createMemoryQueue();
    const release: Array<() => void> = [];
    let peak = 0;
    let running = 0;
    const worker = queue.process(
      () =>
        new Promise<void>((resolve) => {
          running++;
          peak = Math.max(peak, running);
          release.push(() => {
            running--;
            resolve();
          });
        }),
      { concurrency: 2 },
    );
    for (const id of ['a', 'b', 'c']) await queue.enqueue(job(id));
    await new Promise((r) => setImmediate(r));
    expect(worker.running).toBe(2);
    expect((await queue.metrics()).waiting).toBe(1);
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(peak).toBe(2);
  });

  it('graceful close waits for running jobs, then aborts and releases them after the timeout', async () => {
    vi.useFakeTimers();
    queue = createMemoryQueue();
    let aborted = false;
    const worker = queue.process(
      (_data, ctx) =>
        new Promise<void>((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    );
    await queue.enqueue(job('long'));
    await vi.advanceTimersByTimeAsync(0);
    const closing = worker.close(5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await closing;
    expect(aborted).toBe(true);
    // Released, not failed: it waits for the next worker.
    expect(await queue.metrics()).toMatchObject({ waiting: 1, failed: 0 });
  });

  it('fires a cron schedule', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    queue = createMemoryQueue();
    const fired: ExecutionJobData[] = [];
    queue.process(async (data) => void fired.push(data));
    await queue.schedule(
      'every-minute',
      { cron: '* * * * *', timezone: 'UTC' },
      { executionId: 'tpl', kind: 'schedule' },
    );
    await vi.advanceTimersByTimeAsync(3 * 60_000 + 10);
    expect(fired.length).toBe(3);
    await queue.unschedule('every-minute');
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(fired.length).toBe(3);
  });
});
