import { describe, expect, it } from 'vitest';
import { parseWorkerConfig } from './config.js';

describe('parseWorkerConfig', () => {
  it('has defaults for everything', () => {
    const config = parseWorkerConfig({});
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      database: { dialect: 'sqlite' },
      port: 5680,
      concurrency: 10,
      shutdownTimeoutMs: 30_000,
      maxAttempts: 3,
      queueName: 'budflow-executions',
      queuePrefix: 'budflow',
      liveEvents: true,
    });
  });

  it('reads PostgreSQL, Redis and the worker settings', () => {
    const config = parseWorkerConfig({
      DATABASE_URL: 'postgres://u@db/app',
      BUDFLOW_DATABASE_SCHEMA: 'flows',
      REDIS_URL: 'redis://cache:6380/2',
      BUDFLOW_WORKER_CONCURRENCY: '50',
      BUDFLOW_WORKER_SHUTDOWN_TIMEOUT: '5',
      BUDFLOW_WORKER_LIVE_EVENTS: 'off',
    });
    expect(config.database).toEqual({
      dialect: 'postgres',
      url: 'postgres://u@db/app',
      schema: 'flows',
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://cache:6380/2',
      concurrency: 50,
      shutdownTimeoutMs: 5_000,
      liveEvents: false,
    });
  });

  it('names every bad variable in one error', () => {
    expect(() =>
      parseWorkerConfig({
        REDIS_URL: 'http://cache',
        BUDFLOW_WORKER_CONCURRENCY: '0',
        BUDFLOW_WORKER_LIVE_EVENTS: 'maybe',
      }),
    ).toThrow(
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL[\s\S]*BUDFLOW_WORKER_CONCURRENCY: must be an integer from 1 to 10000[\s\S]*BUDFLOW_WORKER_LIVE_EVENTS: must be true or false/,
    );
  });
});
