import { Cron } from 'croner';
import { BudflowError } from '@budflow/node-sdk';
import {
  QUEUE_ERROR_CODES,
  isPermanentJobError,
  toQueuePriority,
  type DeadLetter,
  type EnqueueOptions,
  type ExecutionJobData,
  type JobHandler,
  type JobQueue,
  type JobWorker,
  type ProcessOptions,
  type QueueMetrics,
} from '../job-queue.js';

export interface MemoryQueueOptions {
  /** Attempts per job before it becomes a dead letter (default 3). */
  attempts?: number;
  /** First retry delay; doubles per attempt (default 1000 ms). */
  backoffMs?: number;
  /** Completed jobs remembered for metrics (default 1000). */
  keepCompleted?: number;
}

interface MemoryJob {
  id: string;
  data: ExecutionJobData;
  priority: number;
  seq: number;
  attempt: number;
  failedAt?: number;
  reason?: string;
}

/**
 * The in-process queue (single-process mode): priorities (lower first, then FIFO), delays,
 * cron schedules, retries with exponential backoff and a dead-letter list, all in memory.
 */
export function createMemoryQueue(options: MemoryQueueOptions = {}): JobQueue {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 1000;
  const keepCompleted = options.keepCompleted ?? 1000;
  let seq = 0;
  let closed = false;
  const waiting: MemoryJob[] = [];
  const delayed = new Map<string, { job: MemoryJob; timer: NodeJS.Timeout }>();
  const active = new Map<string, { job: MemoryJob; controller: AbortController }>();
  const failed = new Map<string, MemoryJob>();
  const known = new Set<string>();
  let completed = 0;
  const schedules = new Map<string, Cron>();
  const completedListeners = new Set<(id: string, result: unknown) => void>();
  const failedListeners = new Set<(id: string, reason: string) => void>();
  const workers = new Set<{ pump: () => void }>();

  const insert = (job: MemoryJob) => {
    let index = waiting.length;
    while (index > 0) {
      const before = waiting[index - 1]!;
      if (
        before.priority < job.priority ||
        (before.priority === job.priority && before.seq < job.seq)
      )
        break;
      index--;
    }
    waiting.splice(index, 0, job);
    for (const worker of workers) worker.pump();
  };

  const later = (job: MemoryJob, delay: number) => {
    const timer = setTimeout(() => {
      delayed.delete(job.id);
      insert(job);
    }, delay);
    timer.unref?.();
    delayed.set(job.id, { job, timer });
  };

  const assertOpen = () => {
    if (closed) throw new BudflowError(QUEUE_ERROR_CODES.QUEUE_CLOSED, 'the queue is closed');
  };

  const queue: JobQueue = {
    async enqueue(data, enqueueOptions: EnqueueOptions = {}) {
      assertOpen();
      const id = enqueueOptions.jobId ?? data.executionId;
      if (known.has(id)) return { jobId: id };
      known.add(id);
      const job: MemoryJob = {
        id,
        data,
        priority: toQueuePriority(enqueueOptions.priority),
        seq: seq++,
        attempt: 0,
      };
      if (enqueueOptions.delayMs && enqueueOptions.delayMs > 0) later(job, enqueueOptions.delayMs);
      else insert(job);
      return { jobId: id };
    },
    async schedule(name, repeat, data) {
      assertOpen();
      schedules.get(name)?.stop();
      const cron = new Cron(repeat.cron, { timezone: repeat.timezone, unref: true }, () => {
        const fired = Date.now();
        void queue.enqueue(data, { jobId: `${name}:${fired}` });
      });
      schedules.set(name, cron);
    },
    async schedules() {
      return [...schedules.keys()];
    },
    async unschedule(name) {
      schedules.get(name)?.stop();
      schedules.delete(name);
    },
    process(handler: JobHandler, processOptions: ProcessOptions = {}): JobWorker {
      const concurrency = Math.max(1, processOptions.concurrency ?? 10);
      let stopping = false;
      const mine = new Set<string>();
      let drained: (() => void) | undefined;
      const run = (job: MemoryJob) => {
        const controller = new AbortController();
        job.attempt++;
        active.set(job.id, { job, controller });
        mine.add(job.id);
        const info = { id: job.id, data: job.data, attempt: job.attempt, interrupted: false };
        Promise.resolve()
          .then(() =>
            handler(job.data, { job: info, signal: controller.signal, progress: async () => {} }),
          )
          .then(
            (result) => {
              completed = Math.min(keepCompleted, completed + 1);
              known.delete(job.id);
              for (const l of completedListeners) l(job.id, result);
            },
            (error: unknown) => {
              const reason = error instanceof Error ? error.message : String(error);
              if (controller.signal.aborted && stopping) {
                // Released on shutdown: back to the queue for another worker.
                insert(job);
                return;
              }
              if (job.attempt < attempts && !isPermanentJobError(error)) {
                later(job, backoffMs * 2 ** (job.attempt - 1));
                return;
              }
              job.failedAt = Date.now();
              job.reason = reason;
              failed.set(job.id, job);
              for (const l of failedListeners) l(job.id, reason);
            },
          )
          .finally(() => {
            active.delete(job.id);
            mine.delete(job.id);
            if (mine.size === 0) drained?.();
            worker.pump();
          });
      };
      const worker = {
        pump: () => {
          while (!stopping && !closed && mine.size < concurrency && waiting.length > 0)
            run(waiting.shift()!);
        },
      };
      workers.add(worker);
      worker.pump();
      return {
        get running() {
          return mine.size;
        },
        async close(timeoutMs = 30_000) {
          stopping = true;
          workers.delete(worker);
          if (mine.size === 0) return;
          const done = new Promise<void>((resolve) => (drained = resolve));
          const timer = setTimeout(() => {
            for (const id of mine)
              active.get(id)?.controller.abort(new Error('worker shutting down'));
          }, timeoutMs);
          timer.unref?.();
          await done;
          clearTimeout(timer);
        },
      };
    },
    async deadLetters(limit = 100) {
      return [...failed.values()]
        .sort((a, b) => (b.failedAt ?? 0) - (a.failedAt ?? 0))
        .slice(0, limit)
        .map((job): DeadLetter => ({
          jobId: job.id,
          data: job.data,
          reason: job.reason ?? '',
          attempts: job.attempt,
          failedAt: job.failedAt,
        }));
    },
    async redrive(jobId) {
      const job = failed.get(jobId);
      if (!job)
        throw new BudflowError(QUEUE_ERROR_CODES.QUEUE_JOB_NOT_FOUND, `no dead letter '${jobId}'`);
      failed.delete(jobId);
      job.attempt = 0;
      insert(job);
    },
    async remove(jobId) {
      const index = waiting.findIndex((j) => j.id === jobId);
      if (index >= 0) {
        waiting.splice(index, 1);
        known.delete(jobId);
        return true;
      }
      const d = delayed.get(jobId);
      if (d) {
        clearTimeout(d.timer);
        delayed.delete(jobId);
        known.delete(jobId);
        return true;
      }
      return false;
    },
    async metrics(): Promise<QueueMetrics> {
      return {
        waiting: waiting.length,
        active: active.size,
        delayed: delayed.size,
        completed,
        failed: failed.size,
        prioritized: waiting.filter((j) => j.priority !== toQueuePriority(undefined)).length,
      };
    },
    onCompleted(listener) {
      completedListeners.add(listener);
      return () => completedListeners.delete(listener);
    },
    onFailed(listener) {
      failedListeners.add(listener);
      return () => failedListeners.delete(listener);
    },
    async close() {
      closed = true;
      for (const cron of schedules.values()) cron.stop();
      schedules.clear();
      for (const { timer } of delayed.values()) clearTimeout(timer);
      delayed.clear();
    },
  };
  return queue;
}
