/**
 * @budflow/server: the BudFlow HTTP server (Hono): REST API, webhooks, schedules, live execution
 * events and operations endpoints, over `@budflow/storage` and an in-process execution queue.
 */
export {
  startServer,
  createLogger,
  defaultRegistry,
  LOG_REDACT_PATHS,
  type RunningServer,
  type StartServerOptions,
} from './create-server.js';
export {
  parseServerConfig,
  SERVER_ENV_SCHEMA,
  SERVER_ENV_DOCS,
  CONFIG_ERROR_CODE,
  type ServerConfig,
} from './config/server-config.js';
export {
  createInProcessQueue,
  QUEUE_ERROR_CODES,
  type ExecutionJob,
  type ExecutionQueue,
  type ExecutionQueueStats,
  type InProcessQueueOptions,
} from './execution/execution-queue.js';
export {
  ExecutionService,
  type ExecutionRequest,
  type StartedExecution,
} from './execution/execution-service.js';
export { AuthService, hashPassword, verifyPassword, safeEqual } from './auth/auth-service.js';
export { createEventBus, type EventBus, type LiveEvent } from './events/event-bus.js';
export { HTTP_ERROR_CODES } from './http/http-error.js';
export type { ServerServices } from './api/api-env.js';
