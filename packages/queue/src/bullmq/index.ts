/** The BullMQ adapter of `@budflow/queue` (queue mode): needs `bullmq` and `ioredis`. */
export {
  createBullmqQueue,
  obliterateQueue,
  waitForRedis,
  type BullmqQueueOptions,
} from './bullmq-queue.js';
