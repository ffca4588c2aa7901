import { homedir } from 'node:os';
import { join } from 'node:path';
import { BudflowError } from '@budflow/node-sdk';
import { z } from 'zod';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v)));

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(fallback);

function isTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parses sizes such as `16mb`, `512kb`, `1048576` into bytes. */
const size = (fallback: number) =>
  z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*(b|kb|k|mb|m|gb|g|kib|mib|gib)?\s*$/i, {
      message: 'must be a size such as 16mb, 512kb or a number of bytes',
    })
    .optional()
    .transform((v) => {
      if (v === undefined) return fallback;
      const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v)!;
      const unit = (m[2] ?? '').toLowerCase();
      const factor = unit.startsWith('g')
        ? 1024 ** 3
        : unit.startsWith('m')
          ? 1024 ** 2
          : unit.startsWith('k')
            ? 1024
            : 1;
      return Math.floor(Number(m[1]) * factor);
    });

/**
 * Every environment variable the server reads. The README table is generated from the
 * descriptions here (keep them in sync).
 */
export const SERVER_ENV_SCHEMA = z.object({
  BUDFLOW_HOST: z.string().min(1).optional().default('0.0.0.0'),
  BUDFLOW_PORT: int(5678, 0, 65535),
  BUDFLOW_DATA_DIR: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  BUDFLOW_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/i, { message: 'must be a plain SQL identifier' })
    .optional(),
  BUDFLOW_ENCRYPTION_KEY: z
    .string()
    .min(16, { message: 'must be at least 16 characters' })
    .optional(),
  BUDFLOW_JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  BUDFLOW_PUBLIC_URL: z
    .url({ message: 'must be an absolute URL such as https://flows.example.com' })
    .optional(),
  BUDFLOW_PAYLOAD_LIMIT: size(16 * 1024 * 1024),
  BUDFLOW_API_PAYLOAD_LIMIT: size(16 * 1024 * 1024),
  BUDFLOW_TIMEZONE: z
    .string()
    .refine(isTimezone, { message: 'must be an IANA timezone such as Europe/Berlin' })
    .optional(),
  BUDFLOW_LOG_LEVEL: z.enum(LEVELS).optional().default('info'),
  BUDFLOW_CONCURRENCY: int(100, 1, 10_000),
  BUDFLOW_QUEUE_LIMIT: int(10_000, 0, 1_000_000),
  BUDFLOW_EXECUTION_TIMEOUT: int(0, 0, 7 * 24 * 3600),
  BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS: bool(true),
  BUDFLOW_SESSION_TTL: int(7 * 24 * 3600, 60, 365 * 24 * 3600),
  BUDFLOW_SECURE_COOKIE: bool(false),
  BUDFLOW_LOGIN_RATE_LIMIT: int(10, 1, 10_000),
  BUDFLOW_WEBHOOK_RATE_LIMIT: int(0, 0, 1_000_000),
  BUDFLOW_TEST_WEBHOOK_TTL: int(120, 1, 3600),
  BUDFLOW_SHUTDOWN_TIMEOUT: int(30, 0, 3600),
  BUDFLOW_METRICS: bool(true),
  BUDFLOW_STORAGE_WORKER: z.enum(['auto', 'on', 'off']).optional().default('auto'),
  BUDFLOW_EXECUTION_MODE: z.enum(['regular', 'queue']).optional().default('regular'),
  REDIS_URL: z.string().url().optional().default('redis://127.0.0.1:6379'),
  BUDFLOW_QUEUE_NAME: z.string().min(1).optional().default('budflow-executions'),
  BUDFLOW_QUEUE_PREFIX: z.string().min(1).optional().default('budflow'),
});

export type ServerEnv = z.input<typeof SERVER_ENV_SCHEMA>;

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  /** Handed to `createStorage` as it is. */
  database:
    { dialect: 'sqlite'; dataDir: string } | { dialect: 'postgres'; url: string; schema?: string };
  encryptionKey: string | undefined;
  jwtSecret: string | undefined;
  publicUrl: string | undefined;
  payloadLimit: number;
  apiPayloadLimit: number;
  timezone: string;
  logLevel: (typeof LEVELS)[number];
  concurrency: number;
  queueLimit: number;
  /** Default execution timeout in ms (0 = none; a workflow's own setting wins). */
  executionTimeoutMs: number;
  saveSuccessfulExecutions: boolean;
  sessionTtlSeconds: number;
  secureCookie: boolean;
  /** Failed logins per email and IP per minute. */
  loginRateLimit: number;
  /** Requests per webhook path per second (0 = unlimited). */
  webhookRateLimit: number;
  testWebhookTtlMs: number;
  shutdownTimeoutMs: number;
  metrics: boolean;
  /** Commit execution events from a worker thread (`auto`: when it can start). */
  storageWorker: 'auto' | 'on' | 'off';
  /** `queue`: executions run on `budflow worker` processes through BullMQ on Redis. */
  executionMode: 'regular' | 'queue';
  redisUrl: string;
  queueName: string;
  queuePrefix: string;
}

/** Documentation of each variable (the README table). */
export const SERVER_ENV_DOCS: Record<keyof z.infer<typeof SERVER_ENV_SCHEMA>, string> = {
  BUDFLOW_HOST: 'Interface to listen on (default `0.0.0.0`).',
  BUDFLOW_PORT: "HTTP port (default `5678`, n8n's; `0` picks a free port).",
  BUDFLOW_DATA_DIR: 'Data directory: SQLite file, generated encryption key (default `~/.budflow`).',
  DATABASE_URL: 'PostgreSQL URL; when set, PostgreSQL is used instead of SQLite.',
  BUDFLOW_DATABASE_SCHEMA: 'PostgreSQL schema to use (created when missing).',
  BUDFLOW_ENCRYPTION_KEY:
    'Master key for credentials (≥ 16 chars). Default: a key generated into the data dir.',
  BUDFLOW_JWT_SECRET:
    'Secret that signs session cookies (≥ 32 chars). Default: derived from the encryption key.',
  BUDFLOW_PUBLIC_URL:
    'External URL (used for webhook and resume URLs). Default `http://localhost:<port>`.',
  BUDFLOW_PAYLOAD_LIMIT: 'Largest webhook request body (default `16mb`); larger bodies get 413.',
  BUDFLOW_API_PAYLOAD_LIMIT: 'Largest REST API request body (default `16mb`).',
  BUDFLOW_TIMEZONE: 'Default timezone of schedules and `$now` (default: the process timezone).',
  BUDFLOW_LOG_LEVEL: 'pino log level: fatal, error, warn, info (default), debug, trace, silent.',
  BUDFLOW_CONCURRENCY:
    'Executions running at once in this process (default `100`); more wait in the queue.',
  BUDFLOW_QUEUE_LIMIT: 'Executions allowed to wait in the queue (default `10000`); beyond, 503.',
  BUDFLOW_EXECUTION_TIMEOUT: 'Default execution timeout in seconds (default `0` = none).',
  BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS:
    'Keep successful production executions (default `true`); failed ones are always kept.',
  BUDFLOW_SESSION_TTL: 'Session cookie lifetime in seconds (default 7 days).',
  BUDFLOW_SECURE_COOKIE: 'Mark the session cookie `Secure` (set `true` behind HTTPS).',
  BUDFLOW_LOGIN_RATE_LIMIT: 'Failed logins allowed per email and client per minute (default `10`).',
  BUDFLOW_WEBHOOK_RATE_LIMIT: 'Requests per second per webhook path (default `0` = unlimited).',
  BUDFLOW_TEST_WEBHOOK_TTL: 'Seconds a test webhook stays registered (default `120`).',
  BUDFLOW_SHUTDOWN_TIMEOUT:
    'Seconds to let running executions finish on shutdown (default `30`); then they are left for recovery.',
  BUDFLOW_METRICS: 'Serve Prometheus metrics on `/metrics` (default `true`).',
  BUDFLOW_STORAGE_WORKER:
    'Write execution events from a worker thread: `auto` (default, when it can start), `on`, `off`.',
  BUDFLOW_EXECUTION_MODE:
    '`regular` (default: executions run in this process) or `queue` (BullMQ workers run them; needs Redis).',
  REDIS_URL: 'Redis for queue mode (default `redis://127.0.0.1:6379`).',
  BUDFLOW_QUEUE_NAME: 'Queue name shared with the workers (default `budflow-executions`).',
  BUDFLOW_QUEUE_PREFIX: 'Redis key prefix shared with the workers (default `budflow`).',
};

export const CONFIG_ERROR_CODE = 'SERVER_CONFIG_INVALID';

/**
 * Reads the server configuration from environment variables. Throws one error listing every
 * invalid variable by name.
 */
export function parseServerConfig(
  env: Record<string, string | undefined> = process.env,
): ServerConfig {
  // Empty strings mean "unset", as in most twelve-factor tooling.
  const input = Object.fromEntries(
    Object.keys(SERVER_ENV_SCHEMA.shape)
      .map((k) => [k, env[k]?.trim()])
      .filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = SERVER_ENV_SCHEMA.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
    throw new BudflowError(
      CONFIG_ERROR_CODE,
      `invalid configuration:\n  ${problems.join('\n  ')}`,
      {
        details: { problems },
      },
    );
  }
  const e = parsed.data;
  const dataDir = e.BUDFLOW_DATA_DIR ?? join(homedir(), '.budflow');
  return {
    host: e.BUDFLOW_HOST,
    port: e.BUDFLOW_PORT,
    dataDir,
    database: e.DATABASE_URL
      ? {
          dialect: 'postgres',
          url: e.DATABASE_URL,
          ...(e.BUDFLOW_DATABASE_SCHEMA ? { schema: e.BUDFLOW_DATABASE_SCHEMA } : {}),
        }
      : { dialect: 'sqlite', dataDir },
    encryptionKey: e.BUDFLOW_ENCRYPTION_KEY,
    jwtSecret: e.BUDFLOW_JWT_SECRET,
    publicUrl: e.BUDFLOW_PUBLIC_URL?.replace(/\/+$/, ''),
    payloadLimit: e.BUDFLOW_PAYLOAD_LIMIT,
    apiPayloadLimit: e.BUDFLOW_API_PAYLOAD_LIMIT,
    timezone: e.BUDFLOW_TIMEZONE ?? (Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'),
    logLevel: e.BUDFLOW_LOG_LEVEL,
    concurrency: e.BUDFLOW_CONCURRENCY,
    queueLimit: e.BUDFLOW_QUEUE_LIMIT,
    executionTimeoutMs: e.BUDFLOW_EXECUTION_TIMEOUT * 1000,
    saveSuccessfulExecutions: e.BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS,
    sessionTtlSeconds: e.BUDFLOW_SESSION_TTL,
    secureCookie: e.BUDFLOW_SECURE_COOKIE,
    loginRateLimit: e.BUDFLOW_LOGIN_RATE_LIMIT,
    webhookRateLimit: e.BUDFLOW_WEBHOOK_RATE_LIMIT,
    testWebhookTtlMs: e.BUDFLOW_TEST_WEBHOOK_TTL * 1000,
    shutdownTimeoutMs: e.BUDFLOW_SHUTDOWN_TIMEOUT * 1000,
    metrics: e.BUDFLOW_METRICS,
    storageWorker: e.BUDFLOW_STORAGE_WORKER,
    executionMode: e.BUDFLOW_EXECUTION_MODE,
    redisUrl: e.REDIS_URL,
    queueName: e.BUDFLOW_QUEUE_NAME,
    queuePrefix: e.BUDFLOW_QUEUE_PREFIX,
  };
}
