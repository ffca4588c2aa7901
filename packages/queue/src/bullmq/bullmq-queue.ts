import {
  Queue,
  QueueEvents,
  UnrecoverableError,
  Worker,
  type ConnectionOptions,
  type Job,
  type JobsOptions,
} from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { BudflowError } from '@budflow/node-sdk';
import {
  QUEUE_ERROR_CODES,
  isPermanentJobError,
  toQueuePriority,
  type DeadLetter,
  type ExecutionJobData,
  type JobHandler,
  type JobQueue,
  type JobWorker,
  type ProcessOptions,
} from '../job-queue.js';

export interface BullmqQueueOptions {
  /** `redis://…` (default `REDIS_URL`, else `redis://127.0.0.1:6379`). */
  url?: string;
  /** Queue name (default `budflow-executions`). */
  name?: string;
  /** Key prefix in Redis (default `budflow`). */
  prefix?: string;
  /** Attempts per job for infrastructure failures (default 3), exponential backoff from `backoffMs`. */
  attempts?: number;
  backoffMs?: number;
  /**
   * Times a job may be picked up again after its worker died (lock expired) before it fails as a
   * poison job (default 3).
   */
  maxStalledCount?: number;
  /** Lock duration: how long a silent worker keeps its job (default 30 s). */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (default 5 s). */
  stalledIntervalMs?: number;
  /** Completed jobs kept for metrics (default 1000). */
  keepCompleted?: number;
  /** How long to wait for Redis at start-up before failing clearly (default 10 s). */
  connectTimeoutMs?: number;
}

export function redisOptions(url: string): RedisOptions & { maxRetriesPerRequest: null } {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    // BullMQ workers block on Redis; commands must wait for a reconnect rather than fail.
    maxRetriesPerRequest: null,
    // Reconnect with backoff (capped at 5 s) instead of giving up when Redis goes away.
    retryStrategy: (times: number) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
    lazyConnect: true,
  };
}

/** Redacts the password of a Redis URL for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** One PING on a fresh connection that does not retry on its own. */
async function pingOnce(url: string, timeoutMs: number): Promise<void> {
  const client = new Redis({
    ...redisOptions(url),
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: Math.max(100, timeoutMs),
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/**
 * Waits until Redis answers PING, retrying with backoff (100 ms doubling to 2 s); fails with a
 * clear error naming the URL (password hidden) after `timeoutMs`. `onRetry` hears each failure.
 */
export async function waitForRedis(
  url: string,
  timeoutMs = 10_000,
  onRetry?: (error: Error, nextDelayMs: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    try {
      await pingOnce(url, Math.min(2_000, Math.max(100, deadline - Date.now())));
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) {
        throw new BudflowError(
          QUEUE_ERROR_CODES.QUEUE_UNAVAILABLE,
          `Redis at ${safeUrl(url)} does not answer (${(error as Error).message}); is it running? Set REDIS_URL.`,
          { cause: error },
        );
      }
      onRetry?.(error as Error, delay);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(2000, delay * 2);
    }
  }
}

/**
 * The BullMQ adapter (queue mode): jobs in Redis shared by every main and worker. Priorities use
 * n8n's scale, repeatable jobs are BullMQ job schedulers (one firing per tick across all mains),
 * a worker that dies leaves its job to be picked up again after its lock expires (marked
 * `interrupted`, so the handler recovers the execution from its event log), and a job that
 * stalls more than `maxStalledCount` times fails as a poison job.
 */
export interface BullmqJobQueue extends JobQueue {
  /** The BullMQ queue (bull-board, tests). */
  readonly bullQueue: Queue<ExecutionJobData>;
  readonly name: string;
  readonly prefix: string;
  /** Resolves once `onCompleted`/`onFailed` listeners receive events (they only see later ones). */
  eventsReady(): Promise<void>;
}

export function createBullmqQueue(options: BullmqQueueOptions = {}): BullmqJobQueue {
  const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const name = options.name ?? 'budflow-executions';
  const prefix = options.prefix ?? 'budflow';
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  const connection = redisOptions(url) as ConnectionOptions;
  const queue = new Queue<ExecutionJobData>(name, { connection, prefix });
  queue.on('error', () => undefined);
  let events: QueueEvents | undefined;
  const completedListeners = new Set<(id: string, result: unknown) => void>();
  const failedListeners = new Set<(id: string, reason: string) => void>();
  const workers = new Set<JobWorker>();

  const ensureEvents = (): QueueEvents => {
    if (events) return events;
    events = new QueueEvents(name, { connection, prefix });
    events.on('error', () => undefined);
    events.on('completed', ({ jobId, returnvalue }) => {
      let result: unknown = returnvalue;
      if (typeof returnvalue === 'string') {
        try {
          result = JSON.parse(returnvalue);
        } catch {
          // Not JSON: hand it over as it is.
        }
      }
      for (const l of completedListeners) l(jobId, result);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      for (const l of failedListeners) l(jobId, failedReason);
    });
    return events;
  };

  /**
   * Jobs enqueued in the same turn of the event loop go to Redis together (`addBulk`: one
   * round trip for a burst of webhook calls instead of one per job).
   */
  let bulk:
    | {
        jobs: Array<{ name: string; data: ExecutionJobData; opts: JobsOptions }>;
        waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
      }
    | undefined;
  const flushBulk = () => {
    const b = bulk;
    bulk = undefined;
    if (!b) return;
    const one = (i: number) =>
      queue.add(b.jobs[i]!.name, b.jobs[i]!.data, b.jobs[i]!.opts).then(
        () => b.waiters[i]!.resolve(),
        (error: unknown) => b.waiters[i]!.reject(error),
      );
    const settled =
      b.jobs.length === 1
        ? one(0)
        : queue.addBulk(b.jobs).then(
            () => b.waiters.forEach((w) => w.resolve()),
            // One bad job fails the whole bulk: add them one by one so only it fails (jobs the
            // bulk added already are not added twice: every job has an id).
            () => Promise.all(b.jobs.map((_, i) => one(i))).then(() => undefined),
          );
    adding.add(settled);
    void settled.finally(() => adding.delete(settled));
  };
  const adding = new Set<Promise<void>>();

  const toDeadLetter = (job: Job<ExecutionJobData>): DeadLetter => ({
    jobId: job.id ?? '',
    data: job.data,
    reason: job.failedReason ?? '',
    attempts: job.attemptsMade,
    failedAt: job.finishedOn,
  });

  return {
    bullQueue: queue,
    name,
    prefix,
    async eventsReady() {
      await ensureEvents().waitUntilReady();
    },
    enqueue(data, enqueueOptions = {}) {
      const jobId = enqueueOptions.jobId ?? data.executionId;
      const job = {
        name: 'execution',
        data,
        opts: {
          jobId,
          priority: toQueuePriority(enqueueOptions.priority),
          ...(enqueueOptions.delayMs && enqueueOptions.delayMs > 0
            ? { delay: enqueueOptions.delayMs }
            : {}),
          attempts,
          backoff: { type: 'exponential' as const, delay: backoffMs },
          removeOnComplete: { count: options.keepCompleted ?? 1000 },
          removeOnFail: false,
        },
      };
      return new Promise<{ jobId: string }>((resolve, reject) => {
        if (!bulk) {
          bulk = { jobs: [], waiters: [] };
          setImmediate(flushBulk);
        }
        bulk.jobs.push(job);
        bulk.waiters.push({ resolve: () => resolve({ jobId }), reject });
      });
    },
    async schedule(scheduleName, repeat, data) {
      await queue.upsertJobScheduler(
        scheduleName,
        { pattern: repeat.cron, ...(repeat.timezone ? { tz: repeat.timezone } : {}) },
        {
          name: 'schedule',
          data,
          opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
        },
      );
    },
    async schedules() {
      const all = await queue.getJobSchedulers(0, -1);
      return all.map((s) => s.key);
    },
    async unschedule(scheduleName) {
      await queue.removeJobScheduler(scheduleName);
    },
    process(handler: JobHandler, processOptions: ProcessOptions = {}): JobWorker {
      const controllers = new Map<string, AbortController>();
      const worker = new Worker<ExecutionJobData>(
        name,
        // No third parameter: BullMQ then makes no AbortController of its own per job (its
        // signal only carries `Worker.cancelJob`, which this adapter does not use; `close`
        // aborts the controllers below).
        async (job) => {
          const controller = new AbortController();
          const id = job.id ?? '';
          controllers.set(id, controller);
          try {
            const result = await handler(job.data, {
              job: {
                id,
                data: job.data,
                attempt: job.attemptsStarted,
                // Started more often than it failed: an earlier attempt died mid-run.
                interrupted: job.attemptsStarted > job.attemptsMade + 1 || job.stalledCounter > 0,
              },
              signal: controller.signal,
              progress: (value) => job.updateProgress(value),
            });
            return result;
          } catch (error) {
            // Retrying cannot help: BullMQ fails the job at once (a dead letter).
            if (isPermanentJobError(error)) throw new UnrecoverableError((error as Error).message);
            throw error;
          } finally {
            controllers.delete(id);
          }
        },
        {
          // Commands issued in the same turn go out in one write: a group commit completes
          // many jobs at once, and each completion is a `moveToFinished` script call.
          connection: { ...connection, enableAutoPipelining: true } as ConnectionOptions,
          prefix,
          concurrency: Math.max(1, processOptions.concurrency ?? 10),
          maxStalledCount: options.maxStalledCount ?? 3,
          lockDuration: options.lockDurationMs ?? 30_000,
          stalledInterval: options.stalledIntervalMs ?? 5_000,
        },
      );
      worker.on('error', () => undefined);
      const handle: JobWorker = {
        get running() {
          return controllers.size;
        },
        async close(timeoutMs = 30_000) {
          workers.delete(handle);
          let timer: NodeJS.Timeout | undefined;
          const graceful = worker.close();
          const forced = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              // Past the grace period: abort what still runs and release it (its lock lapses and
              // another worker recovers it from the event log).
              for (const c of controllers.values()) c.abort(new Error('worker shutting down'));
              void worker.close(true).then(resolve, resolve);
            }, timeoutMs);
            timer.unref?.();
          });
          await Promise.race([graceful, forced]);
          if (timer) clearTimeout(timer);
        },
      };
      workers.add(handle);
      return handle;
    },
    async deadLetters(limit = 100) {
      const jobs = await queue.getFailed(0, Math.max(0, limit - 1));
      return jobs.filter((j): j is Job<ExecutionJobData> => Boolean(j)).map(toDeadLetter);
    },
    async redrive(jobId) {
      const job = await queue.getJob(jobId);
      if (!job || !(await job.isFailed())) {
        throw new BudflowError(QUEUE_ERROR_CODES.QUEUE_JOB_NOT_FOUND, `no dead letter '${jobId}'`);
      }
      await job.retry('failed');
    },
    async remove(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'waiting' && state !== 'delayed' && state !== 'prioritized') return false;
      return (await queue.remove(jobId)) === 1;
    },
    async metrics() {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'completed',
        'failed',
        'prioritized',
      );
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
        prioritized: counts.prioritized ?? 0,
      };
    },
    onCompleted(listener) {
      ensureEvents();
      completedListeners.add(listener);
      return () => completedListeners.delete(listener);
    },
    onFailed(listener) {
      ensureEvents();
      failedListeners.add(listener);
      return () => failedListeners.delete(listener);
    },
    async close() {
      flushBulk();
      await Promise.all(adding);
      await Promise.all([...workers].map((w) => w.close(5_000)));
      await events?.close();
      await queue.close();
    },
  };
}

/** Deletes every key of a queue (tests and `budflow queue reset`). */
export async function obliterateQueue(
  options: Pick<BullmqQueueOptions, 'url' | 'name' | 'prefix'>,
): Promise<void> {
  const url = options.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const queue = new Queue(options.name ?? 'budflow-executions', {
    connection: redisOptions(url) as ConnectionOptions,
    prefix: options.prefix ?? 'budflow',
  });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}
