/** The BullMQ adapter of `@budflow/queue` (queue mode): needs `bullmq` and `ioredis`. */
export {
  createBullmqQueue,
  obliterateQueue,
  redisOptions,
  waitForRedis,
  type BullmqJobQueue,
  type BullmqQueueOptions,
} from './bullmq-queue.js';
export {
  createExecutionChannel,
  type ExecutionChannel,
  type ExecutionChannelOptions,
  type ExecutionMessage,
} from './execution-channel.js';
