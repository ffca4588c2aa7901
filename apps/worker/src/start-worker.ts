import { mkdir } from 'node:fs/promises';
import { createNodeRegistry, type NodeRegistry } from '@budflow/core';
import { createExpressionEvaluator } from '@budflow/expression';
import type { ExpressionEvaluator } from '@budflow/node-sdk';
import { baseNodes } from '@budflow/nodes-base';
import type { JobWorker } from '@budflow/queue';
import {
  createBullmqQueue,
  createExecutionChannel,
  waitForRedis,
  type BullmqJobQueue,
} from '@budflow/queue/bullmq';
import { loadEncryptionKey } from '@budflow/secrets';
import { createStorage, defaultLeaseOwner, type Storage } from '@budflow/storage';
import pino, { type Logger } from 'pino';
import { parseWorkerConfig, type WorkerConfig } from './config.js';
import { createWorkerRecorder } from './group-commit-recorder.js';
import { createExecutionProcessor, type ExecutionProcessor } from './execution-processor.js';
import { createWorkerMetrics, startOpsServer, type OpsServer } from './ops-server.js';

export interface StartWorkerOptions {
  env?: Record<string, string | undefined>;
  /** Defaults to `parseWorkerConfig(env)`. */
  config?: WorkerConfig;
  /** Overrides `BUDFLOW_WORKER_CONCURRENCY` (the `--concurrency` flag). */
  concurrency?: number;
  logger?: Logger;
  registry?: NodeRegistry;
  evaluator?: ExpressionEvaluator;
}

export interface RunningWorker {
  config: WorkerConfig;
  /** Port of `/healthz` and `/metrics`. */
  port: number;
  storage: Storage;
  queue: BullmqJobQueue;
  processor: ExecutionProcessor;
  /** Graceful shutdown: no new jobs, running ones get the shutdown timeout, then are released. */
  close(): Promise<void>;
}

/**
 * Jobs beyond the engine's places, for runs waiting for the commit of their end: about the
 * executions a worker finishes while it waits for a commit (throughput × commit wait). On the
 * reference machine at N = 10, 3 N (30) capped a worker at ~2,000/s and 64 at ~2,100/s; 128 gave
 * 2,215-2,449/s (7 runs). A waiting job holds its summary and output, not its run data.
 */
const COMMIT_SLOTS = 128;

/**
 * Starts a queue-mode worker: waits for Redis (retrying with backoff, a clear error after
 * `BUDFLOW_REDIS_CONNECT_TIMEOUT`), opens storage, takes execution jobs from BullMQ and runs them,
 * renewing its leases, and serves `/healthz` and `/metrics`.
 */
export async function startWorker(options: StartWorkerOptions = {}): Promise<RunningWorker> {
  const env = options.env ?? process.env;
  const parsed = options.config ?? parseWorkerConfig(env);
  const config: WorkerConfig =
    options.concurrency === undefined ? parsed : { ...parsed, concurrency: options.concurrency };
  const logger =
    options.logger ??
    pino({ level: config.logLevel, base: { service: 'budflow-worker' } }).child({});

  await waitForRedis(config.redisUrl, config.redisConnectTimeoutMs, (error, delay) =>
    logger.warn(
      { reason: error.message, retryInMs: delay },
      'Redis is not reachable yet; retrying (set REDIS_URL if it runs elsewhere)',
    ),
  );

  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    if (config.database.dialect === 'sqlite')
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const key = await loadEncryptionKey({
      env: { ...env, BUDFLOW_ENCRYPTION_KEY: config.encryptionKey ?? '' },
      dataDir: config.dataDir,
      warn: (message) => logger.warn(message),
    });
    const storage = await createStorage(config.database, {
      encryptionKey: key.key,
      env,
    });
    cleanups.push(() => storage.close());

    const leaseOwner = `worker:${defaultLeaseOwner()}`;
    const recorder = createWorkerRecorder(storage, {
      leaseOwner,
      leaseMs: 60_000,
      durability: config.durability,
      onError: (error) => logger.error({ err: error }, 'execution events could not be saved'),
    });
    const stopHeartbeat = recorder.startHeartbeat(undefined, (error) =>
      logger.warn({ err: error }, 'lease renewal failed'),
    );
    cleanups.push(async () => stopHeartbeat());

    const queue = createBullmqQueue({
      url: config.redisUrl,
      name: config.queueName,
      prefix: config.queuePrefix,
      lockDurationMs: config.lockDurationMs,
      stalledIntervalMs: config.stalledIntervalMs,
      // The processor stops a poison job itself on its next start after `maxAttempts`.
      maxStalledCount: config.maxAttempts + 1,
    });
    cleanups.push(() => queue.close());
    const channel = createExecutionChannel({
      url: config.redisUrl,
      prefix: config.queuePrefix,
      onError: (error) => logger.debug({ err: error }, 'execution channel error'),
    });
    cleanups.push(() => channel.close());

    let evaluator = options.evaluator;
    if (!evaluator) {
      const own = createExpressionEvaluator();
      evaluator = own;
      cleanups.push(async () => own.close?.());
    }
    const ref: { processor?: ExecutionProcessor } = {};
    const metrics = createWorkerMetrics({
      running: () => ref.processor?.running ?? 0,
      concurrency: config.concurrency,
      queue: () => queue.metrics(),
    });
    const processor = createExecutionProcessor({
      storage,
      registry: options.registry ?? createNodeRegistry(baseNodes),
      evaluator,
      recorder,
      channel,
      liveEvents: config.liveEvents,
      enqueue: (data, enqueueOptions) => queue.enqueue(data, enqueueOptions),
      logger,
      maxAttempts: config.maxAttempts,
      concurrency: config.concurrency,
      publicUrl: config.publicUrl,
      timezone: config.timezone,
      executionTimeoutMs: config.executionTimeoutMs,
      metrics,
    });
    ref.processor = processor;
    channel.subscribe('control', (message) => {
      if (message.type === 'cancel' && processor.cancel(message.executionId, message.reason)) {
        logger.info({ executionId: message.executionId }, 'execution canceled');
      }
    });
    await channel.ready();

    let stopping = false;
    const ops: OpsServer = await startOpsServer({
      host: config.host,
      port: config.port,
      metrics,
      health: () => ({
        ok: !stopping,
        running: processor.running,
        concurrency: config.concurrency,
      }),
    });
    cleanups.push(() => ops.close());

    // More jobs than engine places: a run whose engine is done waits for the group commit of its
    // end (one fsync shared by many runs, ~10-20 ms) before its job completes, without holding
    // a place. `COMMIT_SLOTS` covers a few thousand executions/s times that wait; more would only
    // let this worker hold jobs other workers could run.
    const jobs: JobWorker = queue.process(processor.handler, {
      concurrency: config.concurrency + COMMIT_SLOTS,
    });
    logger.info(
      {
        concurrency: config.concurrency,
        queue: config.queueName,
        port: ops.port,
        database: config.database.dialect,
      },
      'worker ready',
    );

    return {
      config,
      port: ops.port,
      storage,
      queue,
      processor,
      async close() {
        if (stopping) return;
        stopping = true;
        logger.info(
          { running: processor.running, timeoutMs: config.shutdownTimeoutMs },
          'worker stopping: finishing running executions',
        );
        await jobs.close(config.shutdownTimeoutMs);
        await recorder.flush().catch(() => undefined);
        await cleanup();
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
