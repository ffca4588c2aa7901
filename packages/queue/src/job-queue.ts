import { BudflowError } from '@budflow/node-sdk';

/** The job queue port: the server enqueues executions, workers process them. */

/**
 * How a new run starts, when it is not simply the workflow's trigger with no input: what the
 * server knew when it created the execution (webhook body, manual run options). JSON only.
 */
export interface ExecutionStartPayload {
  startNode?: string;
  destinationNode?: string;
  /** Items for the start node (n8n item shape: `{ json, binary? }`). */
  input?: unknown[];
  pinData?: Record<string, unknown>;
  runData?: Record<string, unknown>;
  /** For `resume`: the items the resume call brought (Wait node on webhook). */
  resumeItems?: unknown[];
  /** The webhook waits for a response from a Respond to Webhook node (sent over pub/sub). */
  respond?: boolean;
}

/** What a job carries: an execution to run (the worker loads everything else from storage). */
export interface ExecutionJobData {
  executionId: string;
  workflowId?: string | null;
  /** `run` a new execution, `resume` a waiting one, `schedule` fire a trigger (repeatable jobs). */
  kind?: 'run' | 'resume' | 'schedule';
  /** Free-form extra data (e.g. the schedule's trigger node). */
  meta?: Record<string, string>;
  start?: ExecutionStartPayload;
}

/** What a worker returns for an execution job (mains answer webhooks from it). JSON only. */
export interface ExecutionJobResult {
  executionId: string;
  status: 'success' | 'error' | 'canceled' | 'waiting' | 'crashed';
  lastNodeExecuted: string | null;
  error: { name?: string; code?: string; message: string } | null;
  /** Epoch ms when a waiting run resumes (null: on a webhook call). */
  waitTill: number | null;
  /** Output of the last node that ran, per output, when this job ran it. */
  output: unknown[][] | null;
  /** True when this job continued an interrupted run from its event log. */
  recovered: boolean;
}

export interface EnqueueOptions {
  /**
   * n8n's priority scale: 0-1000, lower runs first (n8n gives webhook runs 50, others 100).
   * Default 100.
   */
  priority?: number;
  /** Run no earlier than this many ms from now (long Wait nodes, retries). */
  delayMs?: number;
  /** A stable id: enqueueing the same id twice keeps one job. Default: the execution id. */
  jobId?: string;
}

export interface RepeatOptions {
  /** Cron expression (5 or 6 fields). */
  cron: string;
  /** IANA timezone of the cron expression. */
  timezone?: string;
}

export interface JobInfo {
  id: string;
  data: ExecutionJobData;
  /** 1 for the first attempt. */
  attempt: number;
  /** True when an earlier attempt of this job stopped without finishing (worker died). */
  interrupted: boolean;
}

export interface JobContext {
  job: JobInfo;
  /** Aborted on graceful shutdown past its timeout or on cancel. */
  signal: AbortSignal;
  progress(value: number | Record<string, unknown>): Promise<void>;
}

/**
 * Processes one job. Throwing marks an infrastructure failure: the job is retried with backoff,
 * and after the last attempt it goes to the dead letters. A workflow that fails is not a failed
 * job: the handler records it and returns normally.
 */
export type JobHandler = (data: ExecutionJobData, ctx: JobContext) => Promise<unknown>;

export interface ProcessOptions {
  /** Jobs this worker runs at once (default 10). */
  concurrency?: number;
}

export interface DeadLetter {
  jobId: string;
  data: ExecutionJobData;
  reason: string;
  attempts: number;
  failedAt: number | undefined;
}

export interface QueueMetrics {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  prioritized: number;
}

export interface JobWorker {
  /** Jobs running in this worker now. */
  readonly running: number;
  /**
   * Stops taking jobs and waits up to `timeoutMs` for running ones; jobs still running then are
   * aborted and released, so another worker picks them up.
   */
  close(timeoutMs?: number): Promise<void>;
}

export interface JobQueue {
  enqueue(data: ExecutionJobData, options?: EnqueueOptions): Promise<{ jobId: string }>;
  /** A repeatable job: fires `data` on the cron, once per tick across all processes. */
  schedule(name: string, repeat: RepeatOptions, data: ExecutionJobData): Promise<void>;
  unschedule(name: string): Promise<void>;
  /** Names of the repeatable jobs registered (by any process, for shared queues). */
  schedules(): Promise<string[]>;
  /** Starts processing jobs in this process. */
  process(handler: JobHandler, options?: ProcessOptions): JobWorker;
  /** Failed jobs (after their last attempt), newest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Moves a dead letter back to the queue. */
  redrive(jobId: string): Promise<void>;
  /** Removes a waiting or delayed job; false when it is not waiting. */
  remove(jobId: string): Promise<boolean>;
  metrics(): Promise<QueueMetrics>;
  /** Called when a job finishes (in any process, for shared queues). */
  onCompleted(listener: (jobId: string, result: unknown) => void): () => void;
  onFailed(listener: (jobId: string, reason: string) => void): () => void;
  close(): Promise<void>;
}

export const QUEUE_ERROR_CODES = {
  QUEUE_CLOSED: 'QUEUE_CLOSED',
  QUEUE_JOB_NOT_FOUND: 'QUEUE_JOB_NOT_FOUND',
  QUEUE_UNAVAILABLE: 'QUEUE_UNAVAILABLE',
  /** Thrown by a handler: retrying cannot help, the job goes to the dead letters at once. */
  QUEUE_JOB_PERMANENT: 'QUEUE_JOB_PERMANENT',
} as const;

/** A failure retrying cannot fix (e.g. the execution row is gone): straight to the dead letters. */
export function permanentJobError(message: string, cause?: unknown): BudflowError {
  return new BudflowError(
    QUEUE_ERROR_CODES.QUEUE_JOB_PERMANENT,
    message,
    cause === undefined ? {} : { cause },
  );
}

export function isPermanentJobError(error: unknown): boolean {
  return error instanceof BudflowError && error.code === QUEUE_ERROR_CODES.QUEUE_JOB_PERMANENT;
}

export const DEFAULT_PRIORITY = 100;

/** Clamps n8n's 0-1000 priority (lower first) to BullMQ's 1..2^21 range (lower first). */
export function toQueuePriority(priority: number | undefined): number {
  const p = Math.round(priority ?? DEFAULT_PRIORITY);
  return Math.min(1000, Math.max(0, Number.isFinite(p) ? p : DEFAULT_PRIORITY)) + 1;
}
