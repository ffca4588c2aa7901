/**
 * The server's queue-mode pieces (apps/server/src/queue-mode) against a real worker, Redis and
 * PostgreSQL: a main enqueues and learns the result, live events reach its bus, schedules fire
 * once per tick across two mains, and the queue dashboard is for owners and admins only.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { RunWorkflowResult } from '@budflow/core';
import { obliterateQueue } from '@budflow/queue/bullmq';
import { Hono } from 'hono';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, type LiveEvent } from '../../../server/src/events/event-bus.js';
import {
  startQueueMode,
  type FiredSchedule,
  type QueueMode,
} from '../../../server/src/queue-mode/index.js';
import { startWorker, type RunningWorker } from '../../src/index.js';
import { REDIS_URL, freshPostgres, linearWorkflow, queueEnv, until } from './helpers.js';

const queueName = `qm-${randomBytes(5).toString('hex')}`;
const prefix = `budflow-test-${randomBytes(3).toString('hex')}`;
const logger = pino({ level: 'silent' });
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let worker: RunningWorker;
const mains: QueueMode[] = [];

async function startMain() {
  const bus = createEventBus();
  const main = await startQueueMode({
    redisUrl: REDIS_URL,
    queueName,
    prefix,
    bus,
    logger,
    leaderTtlMs: 1_000,
  });
  mains.push(main);
  return { main, bus };
}

beforeAll(async () => {
  pg = await freshPostgres();
  worker = await startWorker({
    env: queueEnv(
      pg.schema,
      { name: queueName, prefix },
      { BUDFLOW_WORKER_PORT: '0', BUDFLOW_WORKER_HOST: '127.0.0.1' },
    ),
    logger,
  });
});

afterAll(async () => {
  for (const main of mains) await main.close(1_000);
  await worker?.close();
  await obliterateQueue({ url: REDIS_URL, name: queueName, prefix });
  await obliterateQueue({ url: REDIS_URL, name: `${queueName}-schedules`, prefix });
  const redis = new Redis(REDIS_URL);
  await redis.del(`${prefix}:leader`, `${prefix}:leader:fence`);
  await redis.quit();
  await pg?.drop();
});

describe('queue mode (main + worker)', () => {
  it('a main enqueues, the worker runs it, the main gets the result and the live events', async () => {
    const { main, bus } = await startMain();
    const wf = await pg.storage.workflows.create({ document: linearWorkflow(3) as never });
    const id = randomUUID();
    await pg.storage.executions.create({
      id,
      workflowId: wf.id,
      workflowVersionId: wf.versionId,
      mode: 'webhook',
      status: 'new',
    });
    const live: LiveEvent[] = [];
    bus.subscribeExecution(id, (e) => live.push(e));
    let result: RunWorkflowResult | undefined;
    await main.executionQueue.enqueue({
      executionId: id,
      workflowId: wf.id,
      priority: 50,
      run: () => Promise.reject(new Error('a worker runs it, not the main')),
      onResult: (r) => (result = r),
    });
    expect(result).toMatchObject({
      executionId: id,
      status: 'success',
      lastNodeExecuted: 'Set 3',
      output: [[{ json: { a: 3 } }]],
    });
    await until(() => live.some((l) => l.event.type === 'execution.finished'));
    expect(live[0]!.event.type).toBe('execution.started');
    expect(live[0]!.workflowId).toBe(wf.id);
  });

  it('an execution that cannot run rejects the enqueue with the reason', async () => {
    const { main } = await startMain();
    await expect(
      main.executionQueue.enqueue({
        executionId: randomUUID(),
        workflowId: null,
        run: () => Promise.resolve(),
      }),
    ).rejects.toThrow(/does not exist/);
  });

  it('fires a schedule once per tick across two mains, on the leader only', async () => {
    // Two fresh mains: the earlier ones step down (and release the lease) first.
    for (const main of mains.splice(0)) await main.close(1_000);
    const a = (await startMain()).main;
    const b = (await startMain()).main;
    const fired: Array<{ by: string; tick: FiredSchedule }> = [];
    const sa = a.createScheduler(async (tick) => void fired.push({ by: 'a', tick }));
    const sb = b.createScheduler(async (tick) => void fired.push({ by: 'b', tick }));
    // Every main registers the active workflow's schedule at start-up.
    await sa.register('wf-1', 'Every second', ['* * * * * *'], { timezone: 'UTC' });
    await sb.register('wf-1', 'Every second', ['* * * * * *'], { timezone: 'UTC' });
    await until(() => fired.length >= 3);
    await sa.unregisterWorkflow('wf-1');
    expect(await a.schedulesQueue.schedules()).toEqual([]);
    const ticks = fired.map((f) => f.tick.firedAt);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(fired[0]!.tick).toMatchObject({
      workflowId: 'wf-1',
      nodeName: 'Every second',
      kind: 'schedule',
      timezone: 'UTC',
    });
    // Only the leader fires: the main that started first.
    expect(a.election.isLeader).toBe(true);
    expect(b.election.isLeader).toBe(false);
    expect(new Set(fired.map((f) => f.by))).toEqual(new Set(['a']));
  });

  it('shows the queue dashboard to owners and admins only', async () => {
    const main = mains[0]!;
    const app = new Hono();
    main.mountDashboard(app, async (c) => {
      const role = c.req.header('x-test-role');
      return role ? { role } : undefined;
    });
    expect((await app.request('/queues')).status).toBe(401);
    expect((await app.request('/queues', { headers: { 'x-test-role': 'member' } })).status).toBe(
      403,
    );
    const page = await app.request('/queues', { headers: { 'x-test-role': 'owner' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await app.request('/queues/api/queues', { headers: { 'x-test-role': 'admin' } });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain(queueName);
  });
});
