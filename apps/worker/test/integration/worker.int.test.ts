import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { obliterateQueue } from '@budflow/queue/bullmq';
import type { Storage } from '@budflow/storage';
import { startWorker, type RunningWorker } from '../../src/index.js';
import { REDIS_URL, freshPostgres, linearWorkflow, queueEnv, until } from './helpers.js';

const queueName = `worker-${randomBytes(5).toString('hex')}`;
const prefix = 'budflow-test';
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let storage: Storage;
let worker: RunningWorker;

beforeAll(async () => {
  pg = await freshPostgres();
  storage = pg.storage;
  worker = await startWorker({
    env: queueEnv(
      pg.schema,
      { name: queueName, prefix },
      {
        BUDFLOW_WORKER_PORT: '0',
        BUDFLOW_WORKER_HOST: '127.0.0.1',
        BUDFLOW_WORKER_MAX_ATTEMPTS: '2',
      },
    ),
    concurrency: 4,
    logger: pino({ level: 'silent' }),
  });
});

afterAll(async () => {
  await worker?.close();
  await obliterateQueue({ url: REDIS_URL, name: queueName, prefix });
  await pg?.drop();
});

async function newExecution(document: Record<string, unknown>) {
  const workflow = await storage.workflows.create({ document: document as never });
  const id = randomUUID();
  await storage.executions.create({
    id,
    workflowId: workflow.id,
    workflowVersionId: workflow.versionId,
    mode: 'manual',
    status: 'new',
  });
  return id;
}

describe('worker', () => {
  it('runs an enqueued execution and stores its result', async () => {
    const id = await newExecution(linearWorkflow(5));
    const results = new Map<string, unknown>();
    worker.queue.onCompleted((jobId, result) => results.set(jobId, result));
    await worker.queue.eventsReady();
    await worker.queue.enqueue({ executionId: id, workflowId: null });
    await until(() => results.has(id));
    expect(results.get(id)).toMatchObject({
      executionId: id,
      status: 'success',
      lastNodeExecuted: 'Set 5',
      output: [[{ json: { a: 5 } }]],
      recovered: false,
    });
    const row = await storage.executions.get(id);
    expect(row).toMatchObject({ status: 'success', lastNodeExecuted: 'Set 5' });
    const events = await storage.executions.listEvents(id);
    expect(events.filter((e) => e.type === 'node.finished')).toHaveLength(6);
  });

  it('sends a job whose execution row is missing to the dead letters with the reason', async () => {
    const id = randomUUID();
    await worker.queue.enqueue({ executionId: id });
    await until(async () => (await worker.queue.deadLetters()).some((d) => d.jobId === id));
    const letter = (await worker.queue.deadLetters()).find((d) => d.jobId === id)!;
    expect(letter.reason).toMatch(/does not exist/);
    expect(letter.attempts).toBe(1);
  });

  it('stops a poison execution after its attempts and marks it failed', async () => {
    const id = await newExecution(linearWorkflow(2));
    // As if two workers had died running it: the third start is past BUDFLOW_WORKER_MAX_ATTEMPTS.
    await expect(
      worker.processor.handler(
        { executionId: id },
        {
          job: { id, data: { executionId: id }, attempt: 3, interrupted: true },
          signal: new AbortController().signal,
          progress: async () => {},
        },
      ),
    ).rejects.toMatchObject({ code: 'QUEUE_JOB_PERMANENT' });
    const row = await storage.executions.get(id);
    expect(row?.status).toBe('error');
    expect(row?.error).toMatchObject({ code: 'EXECUTION_POISON' });
  });

  it('fails clearly when Redis does not answer within BUDFLOW_REDIS_CONNECT_TIMEOUT', async () => {
    const retries: string[] = [];
    const quiet = pino({ level: 'warn' }, { write: (line: string) => void retries.push(line) });
    await expect(
      startWorker({
        env: { REDIS_URL: 'redis://127.0.0.1:1', BUDFLOW_REDIS_CONNECT_TIMEOUT: '1' },
        logger: quiet,
      }),
    ).rejects.toThrow(/Redis at redis:\/\/127\.0\.0\.1:1\/? does not answer .*Set REDIS_URL/);
    // It retried with backoff (logged) before giving up.
    expect(retries.length).toBeGreaterThan(1);
    expect(retries[0]).toMatch(/Redis is not reachable yet; retrying/);
  });

  it('answers /healthz and /metrics on its own port', async () => {
    const health = await fetch(`http://127.0.0.1:${worker.port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', concurrency: 4 });
    const metrics = await (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    expect(metrics).toMatch(/budflow_worker_executions_total\{status="success"\} \d+/);
    expect(metrics).toMatch(/budflow_queue_jobs\{state="failed"\} 1/);
  });
});
