import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createNodeRegistry, type NodeRegistry } from '@budflow/core';
import { createInMemoryBinaryHelpers, type ExpressionEvaluator } from '@budflow/node-sdk';
import { createExpressionEvaluator } from '@budflow/expression';
import { baseNodes } from '@budflow/nodes-base';
import { loadEncryptionKey } from '@budflow/secrets';
import { createStorage, recoverStaleExecutions, type Storage } from '@budflow/storage';
import { createNodeWebSocket } from '@hono/node-ws';
import type { Hono } from 'hono';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppEnv, ServerServices } from './api/api-env.js';
import { getCookie } from 'hono/cookie';
import { API_KEY_HEADER, AuthService, SESSION_COOKIE, sessionSecret } from './auth/auth-service.js';
import { parseServerConfig, type ServerConfig } from './config/server-config.js';
import { createEventBus } from './events/event-bus.js';
import { createInProcessQueue, type ExecutionQueue } from './execution/execution-queue.js';
import { ExecutionService } from './execution/execution-service.js';
import { writeBatch } from './execution/group-commit-recorder.js';
import { startStorageWriter, type StorageWriter } from './execution/storage-writer.js';
import { createApp } from './http/create-app.js';
import { createRequestListener } from './http/node-listener.js';
import { createWebhookEndpoints } from './http/webhook-endpoints.js';
import { createServerMetrics } from './ops/metrics.js';
import { ActivationManager } from './triggers/activation-manager.js';
import { createPollRunner } from './triggers/poll-trigger.js';
import type { QueueMode } from './queue-mode/start-queue-mode.js';

export interface StartServerOptions {
  /** Defaults to `parseServerConfig(env)`. */
  config?: ServerConfig;
  env?: Record<string, string | undefined>;
  logger?: Logger;
  /** Defaults to `@budflow/nodes-base` plus the server's fallbacks. */
  registry?: NodeRegistry;
  /** Defaults to `@budflow/expression`'s evaluator when that package provides one. */
  evaluator?: ExpressionEvaluator | null;
  /** Swap in another queue (BullMQ in queue mode). */
  queue?: ExecutionQueue;
}

export interface RunningServer {
  /** `http://host:port` as reachable locally. */
  url: string;
  port: number;
  app: Hono<AppEnv>;
  services: ServerServices;
  /** Graceful shutdown: stop accepting, let running executions finish (bounded), close storage. */
  close(): Promise<void>;
}

/** Secret-bearing fields pino must never print. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'headers["x-budflow-api-key"]',
  '*.password',
  '*.passwordHash',
  '*.data.password',
  '*.encryptionKey',
  '*.token',
  'key',
];

/** The server's pino logger; lines go to stdout unless `destination` is given. */
export function createLogger(
  level: ServerConfig['logLevel'],
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'budflow' },
    redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

export function defaultRegistry(): NodeRegistry {
  return createNodeRegistry(baseNodes);
}

/** Builds every service, starts listening and activates the active workflows. */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const config = options.config ?? parseServerConfig(env);
  const logger = options.logger ?? createLogger(config.logLevel);
  let storage: Storage | undefined;
  let writer: StorageWriter | undefined;
  try {
    if (config.database.dialect === 'sqlite')
      await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
    const key = await loadEncryptionKey({
      env: { ...env, BUDFLOW_ENCRYPTION_KEY: config.encryptionKey ?? '' },
      dataDir: config.dataDir,
      // Meant for a human at the console: printed as is, and logged.
      warn: (message) => {
        process.stderr.write(`${message}\n`);
        logger.warn(
          { keyFile: join(config.dataDir, 'encryption.key') },
          'generated encryption key in use',
        );
      },
    });
    const storageConfig = config.database;
    storage = await createStorage(storageConfig, { encryptionKey: key.key, env });
    if (config.storageWorker === 'on') {
      writer = await startStorageWriter(storageConfig, key.key, (message) =>
        logger.warn({ reason: message }, 'storage writer worker failed to start'),
      );
      if (!writer) {
        throw new Error('BUDFLOW_STORAGE_WORKER=on but the storage writer worker could not start');
      }
    }
    return await listen(config, logger, storage, writer, key.key, options);
  } catch (error) {
    await writer?.close().catch(() => undefined);
    await storage?.close().catch(() => undefined);
    throw error;
  }
}

async function listen(
  config: ServerConfig,
  logger: Logger,
  storage: Storage,
  writer: StorageWriter | undefined,
  encryptionKey: string,
  options: StartServerOptions,
): Promise<RunningServer> {
  const registry = options.registry ?? defaultRegistry();
  const evaluator =
    options.evaluator === null ? undefined : (options.evaluator ?? createExpressionEvaluator());
  if (!evaluator)
    logger.warn('no expression evaluator available: nodes with {{ }} expressions will fail');
  const bus = createEventBus();
  // Queue mode: executions go to BullMQ and `budflow worker` processes run them; the flush makes
  // sure a worker finds the execution row committed.
  let flushRecorder: () => Promise<void> = async () => {};
  let queueMode: QueueMode | undefined;
  if (!options.queue && config.executionMode === 'queue') {
    // Imported here: BullMQ, ioredis and the queue dashboard (~270 modules) load only in queue
    // mode, not for the default single-process server.
    const { startQueueMode } = await import('./queue-mode/start-queue-mode.js');
    queueMode = await startQueueMode({
      redisUrl: config.redisUrl,
      queueName: config.queueName,
      prefix: config.queuePrefix,
      bus,
      logger,
      beforeEnqueue: () => flushRecorder(),
    });
  }
  const queue =
    options.queue ??
    queueMode?.executionQueue ??
    createInProcessQueue({ concurrency: config.concurrency, limit: config.queueLimit });
  const metrics = config.metrics ? createServerMetrics(() => queue.stats()) : undefined;
  const helpers = createInMemoryBinaryHelpers();
  let ready = false;
  const publicUrl = { value: config.publicUrl ?? `http://localhost:${config.port}` };

  const executions = new ExecutionService({
    storage,
    registry,
    evaluator,
    queue,
    bus,
    metrics,
    logger,
    get publicUrl() {
      return publicUrl.value;
    },
    timezone: config.timezone,
    executionTimeoutMs: config.executionTimeoutMs,
    saveSuccessfulExecutions: config.saveSuccessfulExecutions,
    // Batches commit here until the writer worker is up (`auto` starts it in the background, so
    // start-up never waits for it); batches stay in order across the switch.
    writer: (batch) => (writer ? writer.write(batch) : writeBatch(storage, batch)),
  });
  flushRecorder = () => executions.recorder.flush();
  let closingStarted = false;
  const writerStarting =
    config.storageWorker === 'auto' && !writer
      ? startStorageWriter(config.database, encryptionKey, (message) =>
          logger.warn({ reason: message }, 'storage writer worker failed to start'),
        ).then((started) => {
          if (closingStarted) void started?.close();
          else writer = started;
        })
      : Promise.resolve();

  const activation = new ActivationManager({
    storage,
    registry,
    logger,
    timezone: config.timezone,
    testWebhookTtlMs: config.testWebhookTtlMs,
    launch: async ({ workflow, parsed, nodeName, input }) => {
      await executions.start({
        workflowId: workflow.id,
        workflowVersionId: workflow.versionId,
        projectId: workflow.projectId,
        document: workflow.document,
        parsed,
        mode: 'trigger',
        startNode: nodeName,
        input,
      });
    },
    poll: createPollRunner({
      registry,
      ...(evaluator ? { evaluator } : {}),
      credentials: storage.credentials.resolver(),
      helpers,
      timezone: config.timezone,
    }),
  });

  const auth = new AuthService({
    storage,
    secret: sessionSecret(config.jwtSecret, encryptionKey),
    sessionTtlSeconds: config.sessionTtlSeconds,
    loginRateLimit: config.loginRateLimit,
  });

  const services: ServerServices = {
    config,
    storage,
    registry,
    queue,
    bus,
    metrics,
    logger,
    auth,
    executions,
    activation,
    helpers,
    get publicUrl() {
      return publicUrl.value;
    },
    isReady: () => ready,
  };

  // node-ws reads `app` only when a socket upgrades, so the app can be set after creation.
  const wsInit: { app: Hono<any> } = { app: undefined as unknown as Hono<any> };
  const ws = createNodeWebSocket(wsInit);
  const webhooks = createWebhookEndpoints(services);
  const app = createApp(services, ws.upgradeWebSocket, webhooks);
  wsInit.app = app;
  // bull-board at /queues, for owners and admins (session cookie or API key).
  queueMode?.mountDashboard(app, async (c) => {
    const key = c.req.header(API_KEY_HEADER);
    if (key) return auth.verifyApiKey(key);
    const token = getCookie(c, SESSION_COOKIE);
    return token ? auth.verifySession(token) : undefined;
  });

  const server = createHttpServer(createRequestListener(app, webhooks, services, config.host));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  ws.injectWebSocket(server);
  // Keep-alive sockets must not hold shutdown hostage for long.
  server.keepAliveTimeout = 5_000;
  const port = (server.address() as AddressInfo).port;
  if (!config.publicUrl) publicUrl.value = `http://localhost:${port}`;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const activated = await activation.activateAll();
  if (activated.failed > 0) {
    logger.warn(
      { failed: activated.failed },
      'some active workflows could not be activated (see their activationError)',
    );
  }
  // In queue mode workers resume timed waits and recover interrupted executions themselves.
  if (!queueMode) executions.startWaitPoller();
  ready = true;
  logger.info(
    {
      url,
      activeWorkflows: activated.activated,
      database: config.database.dialect,
      storageWorker: writer !== undefined,
    },
    'BudFlow is ready',
  );

  // Executions a previous process left running are resumed in the background.
  if (!queueMode)
    void recoverStaleExecutions(storage, {
      registry,
      ...(evaluator ? { evaluator } : {}),
      credentials: storage.credentials.resolver(),
      helpers,
    })
      .then((outcomes) => {
        if (outcomes.length > 0) logger.info({ outcomes }, 'recovered interrupted executions');
      })
      .catch((error: unknown) =>
        logger.error({ err: error }, 'recovery of interrupted executions failed'),
      );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      ready = false;
      closingStarted = true;
      await writerStarting;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await activation.close();
      const unfinished = await queue.close(config.shutdownTimeoutMs);
      if (unfinished.length > 0) {
        logger.warn(
          { unfinished },
          'executions still running at shutdown: they resume at the next start',
        );
      }
      await executions.close();
      await queueMode?.close(config.shutdownTimeoutMs);
      await writer?.close();
      server.closeAllConnections?.();
      ws.wss.close();
      await stopped;
      await evaluator?.close?.();
      await storage.close();
      logger.info('BudFlow stopped');
    })());

  return { url, port, app, services, close };
}
