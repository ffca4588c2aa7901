import { homedir } from 'node:os';
import { join } from 'node:path';
import { BudflowError } from '@budflow/node-sdk';
import { z } from 'zod';

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      if (/^(true|1|yes|on)$/i.test(v)) return true;
      if (/^(false|0|no|off)$/i.test(v)) return false;
      ctx.addIssue({ code: 'custom', message: 'must be true or false' });
      return z.NEVER;
    });

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every environment variable the worker reads. */
export const WORKER_ENV_SCHEMA = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
    .optional()
    .default('redis://127.0.0.1:6379'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  BUDFLOW_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/i, { message: 'must be a plain SQL identifier' })
    .optional(),
  BUDFLOW_DATA_DIR: z.string().min(1).optional(),
  BUDFLOW_ENCRYPTION_KEY: z
    .string()
    .min(16, { message: 'must be at least 16 characters' })
    .optional(),
  BUDFLOW_PUBLIC_URL: z
    .url({ message: 'must be an absolute URL such as https://flows.example.com' })
    .optional(),
  BUDFLOW_TIMEZONE: z.string().min(1).optional(),
  BUDFLOW_LOG_LEVEL: z.enum(LEVELS).optional().default('info'),
  BUDFLOW_WORKER_PORT: int(5680, 0, 65535),
  BUDFLOW_WORKER_HOST: z.string().min(1).optional().default('0.0.0.0'),
  BUDFLOW_WORKER_CONCURRENCY: int(10, 1, 10_000),
  BUDFLOW_WORKER_SHUTDOWN_TIMEOUT: int(30, 0, 3600),
  BUDFLOW_WORKER_MAX_ATTEMPTS: int(3, 1, 100),
  BUDFLOW_WORKER_LIVE_EVENTS: bool(true),
  BUDFLOW_QUEUE_NAME: z.string().min(1).optional().default('budflow-executions'),
  BUDFLOW_QUEUE_PREFIX: z.string().min(1).optional().default('budflow'),
  BUDFLOW_QUEUE_LOCK_DURATION: int(30_000, 500, 3_600_000),
  BUDFLOW_QUEUE_STALLED_INTERVAL: int(5_000, 100, 3_600_000),
  BUDFLOW_REDIS_CONNECT_TIMEOUT: int(60, 0, 3600),
  BUDFLOW_EXECUTION_TIMEOUT: int(0, 0, 7 * 24 * 3600),
  BUDFLOW_WORKER_DURABILITY: z.enum(['strict', 'relaxed']).optional().default('strict'),
});

export const WORKER_ENV_DOCS: Record<keyof z.infer<typeof WORKER_ENV_SCHEMA>, string> = {
  REDIS_URL: 'Redis holding the queue (default `redis://127.0.0.1:6379`).',
  DATABASE_URL: 'PostgreSQL URL (the same as the mains); SQLite in the data dir otherwise.',
  BUDFLOW_DATABASE_SCHEMA: 'PostgreSQL schema (the same as the mains).',
  BUDFLOW_DATA_DIR: 'Data directory (SQLite file, encryption key) when DATABASE_URL is not set.',
  BUDFLOW_ENCRYPTION_KEY: 'Credential encryption key: must be the mains’ key.',
  BUDFLOW_PUBLIC_URL: 'Public URL of the mains (resume URLs of Wait nodes).',
  BUDFLOW_TIMEZONE: 'Default timezone of workflows (default the system timezone).',
  BUDFLOW_LOG_LEVEL: 'Log level (default `info`).',
  BUDFLOW_WORKER_PORT: 'Port of `/healthz` and `/metrics` (default `5680`; `0` picks a free one).',
  BUDFLOW_WORKER_HOST: 'Interface of the health/metrics server (default `0.0.0.0`).',
  BUDFLOW_WORKER_CONCURRENCY:
    'Executions this worker runs at once (default `10`); it takes up to 128 more jobs, waiting for the group commit of their end.',
  BUDFLOW_WORKER_SHUTDOWN_TIMEOUT:
    'Seconds running executions get to finish on SIGTERM before they are released (default `30`).',
  BUDFLOW_WORKER_MAX_ATTEMPTS:
    'Times an execution may be started (crashes included) before it is marked failed (default `3`).',
  BUDFLOW_WORKER_LIVE_EVENTS:
    'Publish live execution events to the mains (default `true`; only while some main subscribes to them).',
  BUDFLOW_QUEUE_NAME: 'BullMQ queue name (default `budflow-executions`).',
  BUDFLOW_QUEUE_PREFIX: 'Redis key prefix of the queue (default `budflow`).',
  BUDFLOW_QUEUE_LOCK_DURATION:
    'Milliseconds a silent worker keeps a job before another recovers it (default `30000`).',
  BUDFLOW_QUEUE_STALLED_INTERVAL: 'Milliseconds between stalled-job checks (default `5000`).',
  BUDFLOW_REDIS_CONNECT_TIMEOUT:
    'Seconds to keep retrying Redis at start-up before giving up (default `60`).',
  BUDFLOW_EXECUTION_TIMEOUT: 'Default execution timeout in seconds (0 = none).',
  BUDFLOW_WORKER_DURABILITY:
    '`strict` (default) waits for the disk flush of each checkpoint; `relaxed` does not (PostgreSQL: several times faster; a database crash may lose the last checkpoints, so recovery re-runs a little more).',
};

export interface WorkerConfig {
  redisUrl: string;
  /** Handed to `createStorage` as it is. */
  database:
    { dialect: 'sqlite'; dataDir: string } | { dialect: 'postgres'; url: string; schema?: string };
  dataDir: string;
  encryptionKey: string | undefined;
  publicUrl: string;
  timezone: string;
  logLevel: (typeof LEVELS)[number];
  port: number;
  host: string;
  concurrency: number;
  shutdownTimeoutMs: number;
  maxAttempts: number;
  liveEvents: boolean;
  queueName: string;
  queuePrefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  redisConnectTimeoutMs: number;
  executionTimeoutMs: number;
  durability: 'strict' | 'relaxed';
}

export const WORKER_CONFIG_INVALID = 'CONFIG_INVALID';

/** Reads the worker's configuration; errors name each bad variable. */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const input = Object.fromEntries(
    Object.keys(WORKER_ENV_SCHEMA.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = WORKER_ENV_SCHEMA.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new BudflowError(
      WORKER_CONFIG_INVALID,
      `invalid worker configuration:\n  ${lines.join('\n  ')}`,
      { details: { issues: lines } },
    );
  }
  const e = parsed.data;
  const dataDir = e.BUDFLOW_DATA_DIR ?? join(homedir(), '.budflow');
  return {
    redisUrl: e.REDIS_URL,
    database: e.DATABASE_URL
      ? {
          dialect: 'postgres',
          url: e.DATABASE_URL,
          ...(e.BUDFLOW_DATABASE_SCHEMA ? { schema: e.BUDFLOW_DATABASE_SCHEMA } : {}),
        }
      : { dialect: 'sqlite', dataDir },
    dataDir,
    encryptionKey: e.BUDFLOW_ENCRYPTION_KEY,
    publicUrl: (e.BUDFLOW_PUBLIC_URL ?? 'http://localhost:5678').replace(/\/+$/, ''),
    timezone: e.BUDFLOW_TIMEZONE ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    logLevel: e.BUDFLOW_LOG_LEVEL,
    port: e.BUDFLOW_WORKER_PORT,
    host: e.BUDFLOW_WORKER_HOST,
    concurrency: e.BUDFLOW_WORKER_CONCURRENCY,
    shutdownTimeoutMs: e.BUDFLOW_WORKER_SHUTDOWN_TIMEOUT * 1000,
    maxAttempts: e.BUDFLOW_WORKER_MAX_ATTEMPTS,
    liveEvents: e.BUDFLOW_WORKER_LIVE_EVENTS,
    queueName: e.BUDFLOW_QUEUE_NAME,
    queuePrefix: e.BUDFLOW_QUEUE_PREFIX,
    lockDurationMs: e.BUDFLOW_QUEUE_LOCK_DURATION,
    stalledIntervalMs: e.BUDFLOW_QUEUE_STALLED_INTERVAL,
    redisConnectTimeoutMs: e.BUDFLOW_REDIS_CONNECT_TIMEOUT * 1000,
    executionTimeoutMs: e.BUDFLOW_EXECUTION_TIMEOUT * 1000,
    durability: e.BUDFLOW_WORKER_DURABILITY,
  };
}
