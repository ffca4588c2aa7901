import { Redis, type RedisOptions } from 'ioredis';

/** ioredis options from a `redis://` / `rediss://` URL: reconnects with capped backoff. */
export function redisOptionsFromUrl(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    retryStrategy: (times: number) => Math.min(5000, 100 * 2 ** Math.min(times, 6)),
    // Fail a command quickly while disconnected: the lease loop retries on its own schedule.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  };
}

export function defaultRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A client that never throws 'error' events at the process (they are retried). */
export function createRedis(url: string): Redis {
  const client = new Redis(redisOptionsFromUrl(url));
  client.on('error', () => undefined);
  return client;
}
