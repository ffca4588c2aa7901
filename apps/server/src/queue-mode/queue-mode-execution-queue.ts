import type { RunWorkflowResult } from '@budflow/core';
import { BudflowError, type WebhookResponse } from '@budflow/node-sdk';
import type {
  ExecutionJobData,
  ExecutionJobResult,
  ExecutionStartPayload,
  JobQueue,
} from '@budflow/queue';
import type { ExecutionChannel } from '@budflow/queue/bullmq';
import type {
  ExecutionJob,
  ExecutionQueue,
  ExecutionQueueStats,
} from '../execution/execution-queue.js';

/**
 * What the execution service hands to the queue in queue mode: the usual job (its `run` closure
 * is not called — a worker runs the execution) plus what the worker needs to start it and where
 * the result and a Respond to Webhook response go.
 */
export interface QueueModeExecutionJob extends ExecutionJob {
  /** `resume` for a waiting execution (default `run`). */
  kind?: 'run' | 'resume';
  /** Webhook input, start node, pin data… (JSON). */
  payload?: ExecutionStartPayload;
  /** Receives the Respond to Webhook response (sent by the worker over pub/sub). */
  onResponse?: (response: WebhookResponse) => void;
  /** Receives the worker's result before `enqueue` resolves. */
  onResult?: (result: RunWorkflowResult) => void;
}

export interface QueueModeExecutionQueueOptions {
  queue: JobQueue & { eventsReady?(): Promise<void> };
  channel: ExecutionChannel;
  /** Reports problems that have no caller to go to. */
  onError?: (error: unknown) => void;
  /**
   * Runs before each job goes on the queue: the execution service's recorder flush, so the row
   * a worker loads is committed (the group-commit recorder creates rows asynchronously).
   */
  beforeEnqueue?: () => Promise<void>;
}

interface Pending {
  executionId: string;
  jobId: string;
  resolve: () => void;
  reject: (error: unknown) => void;
  onResult: ((result: RunWorkflowResult) => void) | undefined;
  onResponse: ((response: WebhookResponse) => void) | undefined;
  /** Settles once the job is on the queue (or could not be put there). */
  enqueued: Promise<unknown>;
}

export const QUEUE_MODE_ERROR_CODES = {
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  EXECUTION_CANCELED: 'EXECUTION_CANCELED',
  EXECUTION_JOB_FAILED: 'EXECUTION_JOB_FAILED',
} as const;

/** The worker's JSON result as the engine's result type (run data stays in storage). */
export function toRunWorkflowResult(result: ExecutionJobResult): RunWorkflowResult {
  const at = new Date();
  return {
    executionId: result.executionId,
    status: result.status === 'crashed' ? 'error' : result.status,
    runData: {},
    lastNodeExecuted: result.lastNodeExecuted ?? undefined,
    error: result.error
      ? ({
          name: result.error.name ?? 'Error',
          message: result.error.message,
          ...(result.error.code ? { code: result.error.code } : {}),
        } as RunWorkflowResult['error'])
      : undefined,
    startedAt: at,
    stoppedAt: at,
    waitTill:
      result.status === 'waiting'
        ? result.waitTill === null
          ? null
          : new Date(result.waitTill)
        : undefined,
    state: undefined,
    staticData: {},
    customData: {},
    output: (result.output as RunWorkflowResult['output']) ?? undefined,
  };
}

export interface QueueModeExecutionQueue extends ExecutionQueue {
  enqueue(job: QueueModeExecutionJob): Promise<void>;
  /** Resolves once completions and responses from workers are being received. */
  ready(): Promise<void>;
}

/**
 * The server's `ExecutionQueue` in queue mode: `enqueue` puts the execution id (and its start
 * payload) on BullMQ and settles when a worker finishes it — learned from BullMQ's queue events —
 * handing the worker's result to `onResult`. Respond to Webhook responses arrive over Redis
 * pub/sub. `cancel` removes a job still waiting, or tells the workers to abort it.
 */
export function createQueueModeExecutionQueue(
  options: QueueModeExecutionQueueOptions,
): QueueModeExecutionQueue {
  const { queue, channel } = options;
  const byJob = new Map<string, Pending>();
  const byExecution = new Map<string, Pending>();
  let closed = false;
  let idle: (() => void) | undefined;
  let lastStats: ExecutionQueueStats = { running: 0, waiting: 0, concurrency: 0 };

  const settle = (pending: Pending) => {
    byJob.delete(pending.jobId);
    byExecution.delete(pending.executionId);
    if (byJob.size === 0) idle?.();
  };

  const offCompleted = queue.onCompleted((jobId, raw) => {
    const pending = byJob.get(jobId);
    if (!pending) return;
    settle(pending);
    try {
      if (raw && typeof raw === 'object') {
        pending.onResult?.(toRunWorkflowResult(raw as ExecutionJobResult));
      }
      pending.resolve();
    } catch (error) {
      pending.reject(error);
    }
  });
  const offFailed = queue.onFailed((jobId, reason) => {
    const pending = byJob.get(jobId);
    if (!pending) return;
    settle(pending);
    pending.reject(
      new BudflowError(
        QUEUE_MODE_ERROR_CODES.EXECUTION_JOB_FAILED,
        `execution ${pending.executionId} could not run: ${reason}`,
      ),
    );
  });
  const offEvents = channel.subscribe('events', (message) => {
    if (message.type !== 'response') return;
    const pending = byExecution.get(message.executionId);
    try {
      pending?.onResponse?.(message.response as WebhookResponse);
    } catch (error) {
      options.onError?.(error);
    }
  });

  const refreshStats = () => {
    queue.metrics().then(
      (m) => {
        lastStats = { running: m.active, waiting: m.waiting + m.delayed, concurrency: 0 };
      },
      (error: unknown) => options.onError?.(error),
    );
  };

  return {
    async ready() {
      await Promise.all([queue.eventsReady?.(), channel.ready()]);
    },

    enqueue(job: QueueModeExecutionJob) {
      if (closed) {
        return Promise.reject(
          new BudflowError(QUEUE_MODE_ERROR_CODES.QUEUE_CLOSED, 'the server is shutting down'),
        );
      }
      const kind = job.kind ?? 'run';
      // A resume gets its own job id: the execution's first job may still be kept as completed.
      const jobId = kind === 'run' ? job.executionId : `${job.executionId}:resume:${Date.now()}`;
      return new Promise<void>((resolve, reject) => {
        const pending: Pending = {
          executionId: job.executionId,
          jobId,
          resolve,
          reject,
          onResult: job.onResult,
          onResponse: job.onResponse,
          enqueued: Promise.resolve(),
        };
        byJob.set(jobId, pending);
        byExecution.set(job.executionId, pending);
        const data: ExecutionJobData = {
          executionId: job.executionId,
          workflowId: job.workflowId,
          kind,
          ...(job.payload || job.onResponse
            ? { start: { ...job.payload, ...(job.onResponse ? { respond: true } : {}) } }
            : {}),
        };
        pending.enqueued = Promise.resolve(options.beforeEnqueue?.())
          .then(() =>
            queue.enqueue(data, {
              jobId,
              ...(job.priority !== undefined ? { priority: job.priority } : {}),
            }),
          )
          .catch((error: unknown) => {
            settle(pending);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    },

    cancel(executionId, reason) {
      const pending = byExecution.get(executionId);
      const why =
        reason ??
        new BudflowError(
          QUEUE_MODE_ERROR_CODES.EXECUTION_CANCELED,
          `execution ${executionId} was canceled`,
        );
      // Whichever worker runs it aborts it; its result then settles the pending job.
      channel
        .publish({
          type: 'cancel',
          executionId,
          reason: why instanceof Error ? why.message : String(why),
        })
        .catch((error: unknown) => options.onError?.(error));
      if (!pending) return false;
      pending.enqueued
        .then(() => queue.remove(pending.jobId))
        .then(
          (removed) => {
            if (!removed) return;
            settle(pending);
            pending.reject(why);
          },
          (error: unknown) => options.onError?.(error),
        );
      return true;
    },

    stats() {
      refreshStats();
      return { ...lastStats, running: Math.max(lastStats.running, 0) };
    },

    async close(timeoutMs) {
      closed = true;
      if (byJob.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (idle = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
        ]);
        clearTimeout(timer);
      }
      offCompleted();
      offFailed();
      offEvents();
      return [...byExecution.keys()];
    },
  };
}
