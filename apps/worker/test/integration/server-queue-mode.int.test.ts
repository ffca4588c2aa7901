/**
 * `budflow start` in queue mode end to end: the server (BUDFLOW_EXECUTION_MODE=queue) and a
 * worker share PostgreSQL and Redis; a webhook call is enqueued, the worker runs it, and the
 * webhook answers with the worker's last-node output.
 */
import { randomBytes } from 'node:crypto';
import { obliterateQueue } from '@budflow/queue/bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/src/index.js';
import { startWorker, type RunningWorker } from '../../src/index.js';
import { REDIS_URL, freshPostgres, queueEnv } from './helpers.js';

const queueName = `srv-${randomBytes(5).toString('hex')}`;
const prefix = `budflow-test-${randomBytes(3).toString('hex')}`;
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let worker: RunningWorker;
let server: RunningServer;

beforeAll(async () => {
  pg = await freshPostgres();
  const shared = queueEnv(pg.schema, { name: queueName, prefix });
  worker = await startWorker({
    env: { ...shared, BUDFLOW_WORKER_PORT: '0', BUDFLOW_WORKER_HOST: '127.0.0.1' },
    logger: pino({ level: 'silent' }),
  });
  server = await startServer({
    env: {
      ...shared,
      BUDFLOW_EXECUTION_MODE: 'queue',
      BUDFLOW_PORT: '0',
      BUDFLOW_HOST: '127.0.0.1',
      BUDFLOW_LOG_LEVEL: 'silent',
      BUDFLOW_STORAGE_WORKER: 'off',
      BUDFLOW_SHUTDOWN_TIMEOUT: '5',
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await worker?.close();
  await obliterateQueue({ url: REDIS_URL, name: queueName, prefix });
  await obliterateQueue({ url: REDIS_URL, name: `${queueName}-schedules`, prefix });
  const redis = new Redis(REDIS_URL);
  await redis.del(`${prefix}:leader`, `${prefix}:leader:fence`);
  await redis.quit();
  await pg?.drop();
});

describe('server in queue mode', () => {
  it('a webhook runs on the worker and answers with its output', async () => {
    const owner = await fetch(`${server.url}/api/v1/owner/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.com', password: 'password123' }),
    });
    expect(owner.status).toBeLessThan(300);
    const cookie = owner.headers.get('set-cookie')!.split(';')[0]!;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${server.url}/api/v1${path}`, {
        method,
        headers: { cookie, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    const created = await api('POST', '/workflows', {
      name: 'queue webhook',
      nodes: [
        {
          name: 'Webhook',
          type: 'n8n-nodes-base.webhook',
          typeVersion: 2,
          position: [0, 0],
          webhookId: 'queue-hook',
          parameters: { path: 'queue-hook', httpMethod: 'POST', responseMode: 'lastNode' },
        },
        {
          name: 'Double',
          type: 'n8n-nodes-base.set',
          typeVersion: 3.4,
          position: [200, 0],
          parameters: {
            assignments: {
              assignments: [
                { id: '1', name: 'doubled', value: '={{ $json.body.n * 2 }}', type: 'number' },
              ],
            },
            options: {},
          },
        },
      ],
      connections: { Webhook: { main: [[{ node: 'Double', type: 'main', index: 0 }]] } },
      settings: { executionOrder: 'v1' },
    });
    expect(created.status).toBe(201);
    expect((await api('POST', `/workflows/${created.body.id}/activate`)).status).toBe(200);

    const call = await fetch(`${server.url}/webhook/queue-hook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 21 }),
    });
    expect(call.status).toBe(200);
    expect(await call.json()).toEqual({ doubled: 42 });

    const metrics = await fetch(`http://127.0.0.1:${worker.port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/budflow_worker_jobs_started_total\{kind="run"\} 1/);
  }, 60_000);
});
