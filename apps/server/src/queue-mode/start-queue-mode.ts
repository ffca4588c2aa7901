import {
  createBroadcast,
  createLeaderElection,
  type Broadcast,
  type LeaderElection,
} from '@budflow/cluster';
import {
  createBullmqQueue,
  createExecutionChannel,
  waitForRedis,
  type BullmqJobQueue,
  type ExecutionChannel,
} from '@budflow/queue/bullmq';
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.js';
import {
  createLeaderScheduler,
  type FiredSchedule,
  type LeaderScheduler,
} from './leader-schedules.js';
import { forwardWorkerEvents } from './live-events.js';
import { mountQueueDashboard } from './queue-dashboard.js';
import {
  createQueueModeExecutionQueue,
  type QueueModeExecutionQueue,
} from './queue-mode-execution-queue.js';

export interface QueueModeOptions {
  /** Default `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  redisUrl?: string;
  /** BullMQ queue of executions (default `budflow-executions`; the workers' `BUDFLOW_QUEUE_NAME`). */
  queueName?: string;
  /** Redis key prefix (default `budflow`; the workers' `BUDFLOW_QUEUE_PREFIX`). */
  prefix?: string;
  bus: EventBus;
  logger: Logger;
  /** How long to retry Redis at start-up (default 60 s). */
  connectTimeoutMs?: number;
  /** Leader lease time to live (default 5 s). */
  leaderTtlMs?: number;
  /** See `QueueModeExecutionQueueOptions.beforeEnqueue` (the recorder's flush). */
  beforeEnqueue?: () => Promise<void>;
}

export interface QueueMode {
  /** Pass to `startServer({ queue })` / the execution service. */
  executionQueue: QueueModeExecutionQueue;
  queue: BullmqJobQueue;
  schedulesQueue: BullmqJobQueue;
  channel: ExecutionChannel;
  election: LeaderElection;
  /** Activation changes between mains. */
  broadcast: Broadcast;
  /** Leader-only schedule firing; `fire` launches a trigger execution (it enqueues). */
  createScheduler(fire: (tick: FiredSchedule) => Promise<void>): LeaderScheduler;
  /** bull-board at `/queues` for owners and admins. */
  mountDashboard(
    app: Hono<any>,
    userOf: (c: Context) => Promise<{ role: string } | undefined>,
  ): void;
  close(timeoutMs?: number): Promise<void>;
}

/**
 * Everything a main needs in queue mode: waits for Redis (clear error after the timeout), the
 * BullMQ execution queue with completions and webhook responses from workers, live events from
 * workers into the local event bus, the leader election and the cluster broadcast.
 */
export async function startQueueMode(o: QueueModeOptions): Promise<QueueMode> {
  const url = o.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = o.prefix ?? 'budflow';
  const name = o.queueName ?? 'budflow-executions';
  const onError = (error: unknown) => o.logger.warn({ err: error }, 'queue mode');
  await waitForRedis(url, o.connectTimeoutMs ?? 60_000, (error, delay) =>
    o.logger.warn(
      { reason: error.message, retryInMs: delay },
      'Redis is not reachable yet; retrying (set REDIS_URL if it runs elsewhere)',
    ),
  );
  const queue = createBullmqQueue({ url, name, prefix });
  const schedulesQueue = createBullmqQueue({ url, name: `${name}-schedules`, prefix });
  const channel = createExecutionChannel({ url, prefix, onError });
  const executionQueue = createQueueModeExecutionQueue({
    queue,
    channel,
    onError,
    ...(o.beforeEnqueue ? { beforeEnqueue: o.beforeEnqueue } : {}),
  });
  const offEvents = forwardWorkerEvents(channel, o.bus);
  const election = createLeaderElection({
    url,
    key: `${prefix}:leader`,
    ...(o.leaderTtlMs ? { ttlMs: o.leaderTtlMs } : {}),
    onError,
    onLeadershipChange: ({ isLeader, token }) =>
      o.logger.info({ isLeader, token }, isLeader ? 'this main leads' : 'this main follows'),
  });
  const broadcast = createBroadcast({ url, channel: `${prefix}:cluster`, onError });
  const schedulers: LeaderScheduler[] = [];
  await Promise.all([executionQueue.ready(), broadcast.ready()]);
  await election.start();
  return {
    executionQueue,
    queue,
    schedulesQueue,
    channel,
    election,
    broadcast,
    createScheduler(fire) {
      const scheduler = createLeaderScheduler({ queue: schedulesQueue, election, fire, onError });
      schedulers.push(scheduler);
      return scheduler;
    },
    mountDashboard(app, userOf) {
      mountQueueDashboard(app, {
        queues: [queue.bullQueue, schedulesQueue.bullQueue],
        userOf,
      });
    },
    async close(timeoutMs = 10_000) {
      await executionQueue.close(timeoutMs);
      for (const s of schedulers) await s.close();
      offEvents();
      await election.stop();
      await broadcast.close();
      await channel.close();
      await schedulesQueue.close();
      await queue.close();
    },
  };
}
