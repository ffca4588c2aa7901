/** @budflow/worker: the queue-mode worker (`budflow worker`). */
export {
  parseWorkerConfig,
  WORKER_ENV_DOCS,
  WORKER_ENV_SCHEMA,
  type WorkerConfig,
} from './config.js';
export {
  createExecutionProcessor,
  WORKER_ERROR_CODES,
  type ExecutionProcessor,
  type ExecutionProcessorOptions,
  type ProcessorMetrics,
} from './execution-processor.js';
export { createWorkerMetrics, startOpsServer, type WorkerMetrics } from './ops-server.js';
export { startWorker, type RunningWorker, type StartWorkerOptions } from './start-worker.js';
export { runWorkerProcess } from './run-worker-process.js';
