import { BudflowError } from '@budflow/node-sdk';

/**
 * What the server hands to a queue: one execution to run. `executionId` is what a remote queue
 * (BullMQ) would carry; `run` is the in-process body. A remote adapter sends the id and lets the
 * worker call the same execution service, then resolves `enqueue` when the job completes.
 */
export interface ExecutionJob {
  executionId: string;
  workflowId: string | null;
  /** n8n's 0-1000 scale: lower runs first (webhooks 50, default 100), as in BullMQ queue mode. */
  priority?: number;
  run(signal: AbortSignal): Promise<void>;
}

export interface ExecutionQueueStats {
  running: number;
  waiting: number;
  concurrency: number;
}

/** The execution queue port: the in-process adapter below, BullMQ in queue mode. */
export interface ExecutionQueue {
  /** Resolves when the job has finished (or rejects with its error); rejects when full. */
  enqueue(job: ExecutionJob): Promise<void>;
  /** Aborts a running job or drops a waiting one. False when the id is unknown here. */
  cancel(executionId: string, reason?: unknown): boolean;
  stats(): ExecutionQueueStats;
  /** Stops taking jobs, waits up to `timeoutMs` for running ones; returns the ids still running. */
  close(timeoutMs: number): Promise<string[]>;
}

export const QUEUE_ERROR_CODES = {
  QUEUE_FULL: 'QUEUE_FULL',
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  EXECUTION_CANCELED: 'EXECUTION_CANCELED',
} as const;

interface Entry {
  job: ExecutionJob;
  controller: AbortController;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface InProcessQueueOptions {
  concurrency: number;
  /** Jobs allowed to wait (default unlimited). */
  limit?: number;
}

/** In-process queue: at most `concurrency` jobs at once, the rest wait by priority then age. */
export function createInProcessQueue(options: InProcessQueueOptions): ExecutionQueue {
  const waiting: Entry[] = [];
  const running = new Map<string, Entry>();
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let closed = false;
  let idle: (() => void) | undefined;

  const start = (entry: Entry) => {
    running.set(entry.job.executionId, entry);
    let promise: Promise<void>;
    try {
      promise = entry.job.run(entry.controller.signal);
    } catch (error) {
      promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const settled = () => {
      running.delete(entry.job.executionId);
      pump();
    };
    promise.then(
      () => {
        entry.resolve();
        settled();
      },
      (error: unknown) => {
        entry.reject(error);
        settled();
      },
    );
  };

  const pump = () => {
    while (running.size < options.concurrency && waiting.length > 0) start(waiting.shift()!);
    if (running.size === 0 && waiting.length === 0) idle?.();
  };

  return {
    enqueue(job) {
      if (closed) {
        return Promise.reject(
          new BudflowError(QUEUE_ERROR_CODES.QUEUE_CLOSED, 'the server is shutting down'),
        );
      }
      return new Promise<void>((resolve, reject) => {
        const entry: Entry = { job, controller: new AbortController(), resolve, reject };
        if (running.size < options.concurrency) return start(entry);
        if (waiting.length >= limit) {
          return reject(
            new BudflowError(
              QUEUE_ERROR_CODES.QUEUE_FULL,
              `the execution queue is full (${waiting.length} waiting); retry later or raise BUDFLOW_QUEUE_LIMIT`,
            ),
          );
        }
        const priority = job.priority ?? 100;
        const at = waiting.findIndex((w) => (w.job.priority ?? 100) > priority);
        if (at === -1) waiting.push(entry);
        else waiting.splice(at, 0, entry);
      });
    },

    cancel(executionId, reason) {
      const active = running.get(executionId);
      const why =
        reason ??
        new BudflowError(
          QUEUE_ERROR_CODES.EXECUTION_CANCELED,
          `execution ${executionId} was canceled`,
        );
      if (active) {
        active.controller.abort(why);
        return true;
      }
      const index = waiting.findIndex((w) => w.job.executionId === executionId);
      if (index === -1) return false;
      const [entry] = waiting.splice(index, 1);
      entry!.reject(why);
      return true;
    },

    stats: () => ({
      running: running.size,
      waiting: waiting.length,
      concurrency: options.concurrency,
    }),

    async close(timeoutMs) {
      closed = true;
      for (const entry of waiting.splice(0)) {
        entry.reject(
          new BudflowError(QUEUE_ERROR_CODES.QUEUE_CLOSED, 'the server is shutting down'),
        );
      }
      if (running.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(timer);
      }
      return [...running.keys()];
    },
  };
}
