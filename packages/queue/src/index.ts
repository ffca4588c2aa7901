/**
 * @budflow/queue: the job queue port BudFlow's server and workers share, with the in-process
 * adapter (single-process mode). The BullMQ adapter is `@budflow/queue/bullmq`.
 */
export {
  DEFAULT_PRIORITY,
  QUEUE_ERROR_CODES,
  isPermanentJobError,
  permanentJobError,
  toQueuePriority,
  type DeadLetter,
  type EnqueueOptions,
  type ExecutionJobData,
  type ExecutionJobResult,
  type ExecutionStartPayload,
  type JobContext,
  type JobHandler,
  type JobInfo,
  type JobQueue,
  type JobWorker,
  type ProcessOptions,
  type QueueMetrics,
  type RepeatOptions,
} from './job-queue.js';
export { createMemoryQueue, type MemoryQueueOptions } from './memory/memory-queue.js';
