/** Queue mode (`BUDFLOW_EXECUTION_MODE=queue`): the server side of BullMQ workers. */
export {
  createQueueModeExecutionQueue,
  toRunWorkflowResult,
  QUEUE_MODE_ERROR_CODES,
  type QueueModeExecutionJob,
  type QueueModeExecutionQueue,
  type QueueModeExecutionQueueOptions,
} from './queue-mode-execution-queue.js';
export { forwardWorkerEvents } from './live-events.js';
export {
  createLeaderScheduler,
  type FiredSchedule,
  type LeaderScheduler,
  type LeaderSchedulerOptions,
} from './leader-schedules.js';
export { mountQueueDashboard, type QueueDashboardOptions } from './queue-dashboard.js';
export { startQueueMode, type QueueMode, type QueueModeOptions } from './start-queue-mode.js';
