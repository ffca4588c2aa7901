/**
 * The crash test: a worker child process is killed with SIGKILL in the middle of 200 executions;
 * a second worker finishes them all from their event logs. Only the node that was running in an
 * interrupted execution may repeat its side effect.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullmqQueue, obliterateQueue, type BullmqJobQueue } from '@budflow/queue/bullmq';
import { REDIS_URL, freshPostgres, queueEnv, until } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../../..');
const fixture = path.join(here, 'fixtures/crash-worker.ts');
const TOTAL = 200;
const STEPS = ['Step 1', 'Step 2', 'Step 3', 'Step 4'];

const queueName = `crash-${randomBytes(5).toString('hex')}`;
const prefix = 'budflow-test';
let pg: Awaited<ReturnType<typeof freshPostgres>>;
let queue: BullmqJobQueue;
let sideEffects: Server;
let sideEffectUrl: string;
/** `<execution>/<node>` → calls. */
const calls = new Map<string, number>();
const children: ChildProcess[] = [];

function workflow(): Record<string, unknown> {
  const names = ['Start', ...STEPS, 'Final'];
  const nodes: Array<Record<string, unknown>> = [
    {
      parameters: {},
      id: 'start',
      name: 'Start',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      position: [0, 0],
    },
    ...STEPS.map((name, i) => ({
      parameters: {},
      id: `step-${i}`,
      name,
      type: 'test.sideEffect',
      typeVersion: 1,
      position: [(i + 1) * 200, 0],
    })),
    {
      parameters: {
        assignments: {
          assignments: [
            { id: 'done', name: 'done', value: '={{ $json.steps.length }}', type: 'number' },
          ],
        },
        includeOtherFields: true,
        options: {},
      },
      id: 'final',
      name: 'Final',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [1200, 0],
    },
  ];
  const connections: Record<string, unknown> = {};
  for (let i = 0; i < names.length - 1; i++) {
    connections[names[i]!] = { main: [[{ node: names[i + 1]!, type: 'main', index: 0 }]] };
  }
  return { name: 'crash test', nodes, connections, settings: { executionOrder: 'v1' } };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Starts a worker child process; resolves once it logged `worker ready`. */
async function startChild(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@budflow/source', fixture],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...queueEnv(pg.schema, { name: queueName, prefix }),
        BUDFLOW_WORKER_PORT: String(port),
        BUDFLOW_WORKER_HOST: '127.0.0.1',
        BUDFLOW_WORKER_CONCURRENCY: '10',
        // A dead worker's jobs are looked for quickly (defaults: 30 s lock, 5 s checks).
        BUDFLOW_QUEUE_LOCK_DURATION: '2000',
        BUDFLOW_QUEUE_STALLED_INTERVAL: '500',
        BUDFLOW_WORKER_LIVE_EVENTS: 'false',
        BUDFLOW_LOG_LEVEL: 'info',
        SIDE_EFFECT_URL: sideEffectUrl,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
  });
  return child;
}

beforeAll(async () => {
  pg = await freshPostgres();
  queue = createBullmqQueue({ url: REDIS_URL, name: queueName, prefix });
  sideEffects = createServer((req, res) => {
    const key = decodeURIComponent((req.url ?? '/').slice(1));
    calls.set(key, (calls.get(key) ?? 0) + 1);
    // A little latency, so the kill lands while nodes are running.
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 5);
  });
  await new Promise<void>((r) => sideEffects.listen(0, '127.0.0.1', r));
  sideEffectUrl = `http://127.0.0.1:${(sideEffects.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await queue?.close();
  await obliterateQueue({ url: REDIS_URL, name: queueName, prefix });
  await new Promise((r) => sideEffects?.close(r));
  await pg?.drop();
});

describe('crash test', () => {
  it('kill -9 mid-way: all 200 executions finish, none lost, one node at most repeats', async () => {
    const { storage } = pg;
    const wf = await storage.workflows.create({ document: workflow() as never });
    const ids: string[] = [];
    for (let i = 0; i < TOTAL; i++) {
      const id = randomUUID();
      ids.push(id);
      await storage.executions.create({
        id,
        workflowId: wf.id,
        workflowVersionId: wf.versionId,
        mode: 'manual',
        status: 'new',
      });
    }
    for (const id of ids) await queue.enqueue({ executionId: id, workflowId: wf.id });

    const first = await startChild(await freePort());
    const finalCalls = () => ids.filter((id) => calls.has(`${id}/Step 4`)).length;
    // Kill it once a good part is done and more is running.
    await until(() => finalCalls() >= 40, 60_000, 'first worker progress');
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const doneByFirst = finalCalls();
    expect(doneByFirst).toBeLessThan(TOTAL);

    const port = await freePort();
    await startChild(port);
    const pending = new Set(ids);
    await until(
      async () => {
        for (const id of [...pending]) {
          const row = await storage.executions.get(id);
          if (row && (row.status === 'success' || row.status === 'error')) pending.delete(id);
        }
        return pending.size === 0;
      },
      90_000,
      'all executions finished',
    );

    // None lost, all right.
    let duplicatedExecutions = 0;
    for (const id of ids) {
      const row = (await storage.executions.get(id))!;
      expect(row.status, `execution ${id}`).toBe('success');
      const data = await storage.executions.getData(id);
      const final = data?.runData?.Final?.[0]?.data?.main?.[0]?.[0]?.json;
      expect(final, `output of ${id}`).toEqual({ steps: STEPS, done: 4 });
      // Side effects: every step ran; at most one step (the one running at the kill) twice.
      const counts = STEPS.map((step) => calls.get(`${id}/${step}`) ?? 0);
      expect(Math.min(...counts), `calls of ${id}`).toBeGreaterThanOrEqual(1);
      expect(Math.max(...counts), `calls of ${id}`).toBeLessThanOrEqual(2);
      const repeated = counts.filter((c) => c === 2).length;
      expect(repeated, `repeated steps of ${id}`).toBeLessThanOrEqual(1);
      if (repeated === 1) duplicatedExecutions++;
    }
    // Only executions in flight at the kill (concurrency 10) can have a repeated step.
    expect(duplicatedExecutions).toBeLessThanOrEqual(10);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const recovered = Number(
      /budflow_worker_jobs_started_total\{kind="recover"\} (\d+)/.exec(metrics)?.[1] ?? 0,
    );
    // The second worker recovered the interrupted ones from their event logs.
    expect(recovered).toBeGreaterThan(0);
    process.stdout.write(
      `crash test: ${doneByFirst} done before the kill, ${recovered} recovered from event logs, ${duplicatedExecutions} with one repeated side effect\n`,
    );
  }, 180_000);
});
