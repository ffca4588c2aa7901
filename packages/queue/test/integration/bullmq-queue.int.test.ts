import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { permanentJobError, type ExecutionJobData, type JobQueue } from '../../src/index.js';
import {
  createBullmqQueue,
  createExecutionChannel,
  obliterateQueue,
  waitForRedis,
  type BullmqQueueOptions,
  type ExecutionMessage,
} from '../../src/bullmq/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const opened: Array<{ queue: JobQueue; name: string; prefix: string }> = [];

function freshQueue(extra: BullmqQueueOptions = {}, shared?: { name: string; prefix: string }) {
  const name = shared?.name ?? `q-${randomBytes(5).toString('hex')}`;
  const prefix = shared?.prefix ?? 'budflow-test';
  const queue = createBullmqQueue({ url, name, prefix, backoffMs: 50, ...extra });
  opened.push({ queue, name, prefix });
  return queue;
}

afterEach(async () => {
  const seen = new Set<string>();
  for (const { queue, name, prefix } of opened.splice(0)) {
    await queue.close();
    if (!seen.has(name)) {
      seen.add(name);
      await obliterateQueue({ url, name, prefix });
    }
  }
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const job = (id: string): ExecutionJobData => ({ executionId: id, workflowId: 'w' });

describe('BullMQ queue', () => {
  it('waitForRedis answers for a live Redis and fails clearly for a dead one', async () => {
    await waitForRedis(url, 2_000);
    await expect(waitForRedis('redis://127.0.0.1:1', 300)).rejects.toThrow(
      /Redis at redis:\/\/127\.0\.0\.1:1 does not answer/,
    );
  });

  it('enqueue → worker → result, seen by another process through queue events', async () => {
    const main = freshQueue();
    const other = freshQueue({}, main);
    const results = new Map<string, unknown>();
    main.onCompleted((id, result) => results.set(id, result));
    await main.eventsReady();
    const worker = other.process(async (data, ctx) => {
      await ctx.progress(50);
      return { doubled: data.executionId.repeat(2), attempt: ctx.job.attempt };
    });
    await main.enqueue(job('e1'));
    await until(() => results.has('e1'));
    expect(results.get('e1')).toEqual({ doubled: 'e1e1', attempt: 1 });
    await worker.close();
  });

  it('runs higher priorities (lower numbers, n8n scale) first', async () => {
    const queue = freshQueue();
    await queue.enqueue(job('low'), { priority: 500 });
    await queue.enqueue(job('default'));
    await queue.enqueue(job('webhook'), { priority: 50 });
    await queue.enqueue(job('urgent'), { priority: 0 });
    const order: string[] = [];
    const worker = queue.process(
      async (data) => {
        order.push(data.executionId);
      },
      { concurrency: 1 },
    );
    await until(() => order.length === 4);
    expect(order).toEqual(['urgent', 'webhook', 'default', 'low']);
    await worker.close();
  });

  it('runs a delayed job only after its delay', async () => {
    const queue = freshQueue();
    const ranAt = new Map<string, number>();
    const worker = queue.process(async (data) => {
      ranAt.set(data.executionId, Date.now());
    });
    const enqueuedAt = Date.now();
    await queue.enqueue(job('later'), { delayMs: 700 });
    await queue.enqueue(job('now'));
    await until(() => ranAt.size === 2);
    expect(ranAt.get('later')! - enqueuedAt).toBeGreaterThanOrEqual(700);
    expect(ranAt.get('now')!).toBeLessThan(ranAt.get('later')!);
    expect((await queue.metrics()).delayed).toBe(0);
    await worker.close();
  });

  it('fires a cron schedule once per tick across two mains', async () => {
    const mainA = freshQueue();
    const mainB = freshQueue({}, mainA);
    // Both mains register the same schedule (as every main does at start-up).
    await mainA.schedule('every-second', { cron: '* * * * * *' }, job('tick'));
    await mainB.schedule('every-second', { cron: '* * * * * *' }, job('tick'));
    const fired: string[] = [];
    const workerA = mainA.process(async (_data, ctx) => {
      fired.push(ctx.job.id);
    });
    const workerB = mainB.process(async (_data, ctx) => {
      fired.push(ctx.job.id);
    });
    await until(() => fired.length >= 3);
    await mainA.unschedule('every-second');
    await workerA.close();
    await workerB.close();
    // One job per tick: the ids (scheduler + tick time) never repeat.
    expect(new Set(fired).size).toBe(fired.length);
    const ticks = fired.map((id) => Number(id.split(':').pop()));
    expect(new Set(ticks).size).toBe(ticks.length);
  });

  it('sends failed jobs to the dead letters after their attempts, and re-drives them', async () => {
    const queue = freshQueue({ attempts: 2 });
    let failing = true;
    const attempts: number[] = [];
    const worker = queue.process(async (_data, ctx) => {
      attempts.push(ctx.job.attempt);
      if (failing) throw new Error('database unreachable');
      return 'ok';
    });
    await queue.enqueue(job('flaky'));
    await until(async () => (await queue.deadLetters()).length === 1);
    const [letter] = await queue.deadLetters();
    expect(letter).toMatchObject({ jobId: 'flaky', reason: 'database unreachable', attempts: 2 });
    expect(attempts).toEqual([1, 2]);
    failing = false;
    await queue.redrive('flaky');
    await until(async () => (await queue.metrics()).completed === 1);
    expect(await queue.deadLetters()).toEqual([]);
    await expect(queue.redrive('flaky')).rejects.toMatchObject({ code: 'QUEUE_JOB_NOT_FOUND' });
    await worker.close();
  });

  it('a permanent error skips the retries', async () => {
    const queue = freshQueue({ attempts: 5 });
    let calls = 0;
    const worker = queue.process(async () => {
      calls++;
      throw permanentJobError("execution row 'x' does not exist");
    });
    await queue.enqueue(job('x'));
    await until(async () => (await queue.deadLetters()).length === 1);
    expect(calls).toBe(1);
    expect((await queue.deadLetters())[0]!.reason).toBe("execution row 'x' does not exist");
    await worker.close();
  });

  it('enqueues the jobs of one turn together, each with its own options, one job per id', async () => {
    const queue = freshQueue();
    const results = await Promise.all([
      queue.enqueue(job('b1')),
      queue.enqueue(job('b2'), { priority: 50 }),
      queue.enqueue(job('b3'), { delayMs: 60_000 }),
      queue.enqueue(job('b1')),
    ]);
    expect(results.map((r) => r.jobId)).toEqual(['b1', 'b2', 'b3', 'b1']);
    expect(await queue.metrics()).toMatchObject({ waiting: 2, delayed: 1 });
    const seen: string[] = [];
    const worker = queue.process(async (data) => {
      seen.push(data.executionId);
    });
    await until(() => seen.length === 2);
    // Priority 50 runs before the default 100, as in n8n.
    expect(seen).toEqual(['b2', 'b1']);
    await worker.close();
  });

  it('a job BullMQ refuses fails alone, not the others enqueued in the same turn', async () => {
    const queue = freshQueue();
    const [good, bad] = await Promise.allSettled([
      queue.enqueue(job('fine-1')),
      // BullMQ refuses integer-like custom ids.
      queue.enqueue(job('12345')),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { jobId: 'fine-1' } });
    expect(bad.status).toBe('rejected');
    expect((await queue.metrics()).waiting).toBe(1);
  });

  it('removes a waiting job, not a finished one', async () => {
    const queue = freshQueue();
    await queue.enqueue(job('w1'), { delayMs: 60_000 });
    expect(await queue.remove('w1')).toBe(true);
    expect(await queue.remove('w1')).toBe(false);
    expect((await queue.metrics()).delayed).toBe(0);
  });

  it('graceful close lets running jobs finish', async () => {
    const queue = freshQueue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let finished = false;
    let started = false;
    const worker = queue.process(async () => {
      started = true;
      await gate;
      finished = true;
    });
    await queue.enqueue(job('slow'));
    await until(() => started);
    expect(worker.running).toBe(1);
    const closing = worker.close(10_000);
    release();
    await closing;
    expect(finished).toBe(true);
  });
});

describe('execution channel', () => {
  it('carries events to mains and cancels to workers, on separate topics', async () => {
    const prefix = `budflow-test-${randomBytes(4).toString('hex')}`;
    const main = createExecutionChannel({ url, prefix });
    const worker = createExecutionChannel({ url, prefix });
    const atMain: ExecutionMessage[] = [];
    const atWorker: ExecutionMessage[] = [];
    main.subscribe('events', (m) => atMain.push(m));
    worker.subscribe('control', (m) => atWorker.push(m));
    try {
      await Promise.all([main.ready(), worker.ready()]);
      await worker.publish({ type: 'response', executionId: 'e', response: { body: 'hi' } });
      await main.publish({ type: 'cancel', executionId: 'e' });
      await until(() => atMain.length === 1 && atWorker.length === 1);
      expect(atMain[0]).toEqual({ type: 'response', executionId: 'e', response: { body: 'hi' } });
      expect(atWorker[0]).toEqual({ type: 'cancel', executionId: 'e' });
    } finally {
      await main.close();
      await worker.close();
    }
  });

  it('sends the messages of one turn as one PUBLISH, in order', async () => {
    const prefix = `budflow-test-${randomBytes(4).toString('hex')}`;
    const main = createExecutionChannel({ url, prefix });
    const worker = createExecutionChannel({ url, prefix });
    const monitor = await new Redis(url).monitor();
    const publishes: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'publish' && args[1] === `${prefix}:executions:events`) {
        publishes.push(args[2]!);
      }
    });
    const atMain: ExecutionMessage[] = [];
    main.subscribe('events', (m) => atMain.push(m));
    try {
      await main.ready();
      const meta = { executionId: 'e', workflowId: 'w', projectId: null };
      await Promise.all([
        worker.publish({ type: 'event', ...meta, event: { seq: 0 } }),
        worker.publishEvent(meta, JSON.stringify({ seq: 1, text: 'a "quoted" \\ text' })),
        worker.publish({ type: 'response', executionId: 'e', response: { body: 'hi' } }),
      ]);
      await until(() => atMain.length === 3);
      expect(atMain).toEqual([
        { type: 'event', ...meta, event: { seq: 0 } },
        { type: 'event', ...meta, event: { seq: 1, text: 'a "quoted" \\ text' } },
        { type: 'response', executionId: 'e', response: { body: 'hi' } },
      ]);
      // A later message marks the end: MONITOR shows commands in order on its connection.
      await worker.publish({ type: 'response', executionId: 'end', response: null });
      await until(() => publishes.some((p) => p.includes('"end"')));
      // One PUBLISH carried the three messages of the first turn, one the marker.
      expect(publishes).toHaveLength(2);
    } finally {
      monitor.disconnect();
      await main.close();
      await worker.close();
    }
  });

  it('publishes live events only while a main listens; responses always', async () => {
    const prefix = `budflow-test-${randomBytes(4).toString('hex')}`;
    const worker = createExecutionChannel({ url, prefix, liveRecheckMs: 50 });
    const monitor = await new Redis(url).monitor();
    const published: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'publish' && args[1] === `${prefix}:executions:events`) {
        published.push(args[2]!);
      }
    });
    const meta = { executionId: 'e', workflowId: null, projectId: null };
    const main = createExecutionChannel({ url, prefix });
    const atMain: ExecutionMessage[] = [];
    try {
      // Nobody listens: the first PUBLISH finds that out, later events are not sent at all.
      await worker.publishEvent(meta, '{"seq":0}');
      await until(() => published.length === 1);
      await worker.publishEvent(meta, '{"seq":1}');
      await worker.publish({ type: 'response', executionId: 'e', response: 'r' });
      await until(() => published.length === 2);
      expect(published.map((p) => JSON.parse(p) as unknown)).toEqual([
        { type: 'event', ...meta, event: { seq: 0 } },
        { type: 'response', executionId: 'e', response: 'r' },
      ]);

      // A main subscribes: live events reach it again once the worker has looked.
      main.subscribe('events', (m) => atMain.push(m));
      await main.ready();
      let seq = 2;
      await until(async () => {
        await worker.publishEvent(meta, JSON.stringify({ seq: seq++ }));
        return atMain.length > 0;
      });
      expect(atMain[0]).toMatchObject({ type: 'event', executionId: 'e' });
    } finally {
      monitor.disconnect();
      await main.close();
      await worker.close();
    }
  });
});
