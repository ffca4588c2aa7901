/**
 * Queue mode end to end: this process plays the main (creates the execution rows in the database,
 * a chunk per statement, and enqueues their ids on BullMQ), one worker child process (the built
 * `apps/worker/dist/main.js`, as `budflow worker` runs it) runs them, and the main counts
 * completions through BullMQ's queue events: enqueue -> run -> results committed -> completion
 * seen. Executions per second of the `linear-10` reference workflow with the worker at
 * concurrency 10 and 50, latency percentiles, and the CPU time per execution of each process
 * (worker, this main, Redis, PostgreSQL; from /proc) for comparisons on a busy machine.
 *
 * `tsx --conditions=@budflow/source packages/queue/bench/queue.bench.ts [--json] [--count N]
 *  [--only c10|c50|c50-relaxed|c50-live-listener] [--profile DIR]`
 * Needs Redis (`REDIS_URL`) and PostgreSQL (`DATABASE_URL`, default the local test database).
 * `BENCH_WORKER_FLAGS` adds Node flags to the worker (e.g. `--max-semi-space-size=64`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newId } from '@budflow/storage';
import { freshPostgresStorage } from '@budflow/storage/testing';
import {
  createBullmqQueue,
  createExecutionChannel,
  obliterateQueue,
  waitForRedis,
  type ExecutionChannel,
} from '../src/bullmq/index.js';
import { cpuByName, cpuOfPid } from './cpu.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const workflowFile = path.resolve(repoRoot, '../shared/bench/workflows/linear-10.json');
/** The built worker, as `budflow worker` runs it (`pnpm bench` builds first). */
const workerMain = path.join(repoRoot, 'apps/worker/dist/main.js');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const KEY = 'budflow-bench-encryption-key-0123456789';

const args = process.argv.slice(2);
const json = args.includes('--json');
const countArg = args.indexOf('--count');
const COUNT = countArg >= 0 ? Number(args[countArg + 1]) : 3000;
const WARMUP = 300;
/** Executions created (one statement) and enqueued together by the main. */
const CHUNK = 100;
/** Executions outstanding (enqueued, not completed) at most. */
const WINDOW = 600;
const profileArg = args.indexOf('--profile');
/** `--profile DIR`: the worker writes a V8 CPU profile there when it stops. */
const profileDir = profileArg >= 0 ? path.resolve(args[profileArg + 1]!) : undefined;
const onlyArg = args.indexOf('--only');
/** `--only c10|c50|c50-relaxed|c50-live-listener`: one scenario. */
const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;

interface Result {
  name: string;
  workflow: string;
  workers: number;
  concurrency: number;
  liveEvents: boolean;
  /** The main subscribes to the live events, as apps/server does (they are then published). */
  liveListener: boolean;
  durability: 'strict' | 'relaxed';
  count: number;
  seconds: number;
  execPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU µs per execution of each process (Linux /proc): worker, main (this process), Redis, PostgreSQL. */
  cpuUs: Record<string, number>;
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(process.env.BENCH_WORKER_FLAGS ? process.env.BENCH_WORKER_FLAGS.split(' ') : []),
      workerMain,
    ],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('worker ready')) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`worker exited (${code}): ${stderr.slice(-500)}`)),
    );
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function scenario(
  concurrency: number,
  liveEvents: boolean,
  durability: 'strict' | 'relaxed',
  liveListener: boolean,
): Promise<Result> {
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const prefix = 'budflow-bench';
  const { storage, schema, drop } = await freshPostgresStorage(DATABASE_URL, {
    poolSize: 8,
    schemaPrefix: 'bench_queue',
    encryptionKey: KEY,
  });
  const queue = createBullmqQueue({ url: REDIS_URL, name, prefix, keepCompleted: 100 });
  let worker: ChildProcess | undefined;
  let cpu: Record<string, number> = {};
  let channel: ExecutionChannel | undefined;
  let liveMessages = 0;
  try {
    if (liveListener) {
      // Like apps/server's forwardWorkerEvents: every live event arrives here, parsed.
      channel = createExecutionChannel({ url: REDIS_URL, prefix });
      channel.subscribe('events', (message) => {
        if (message.type === 'event') liveMessages++;
      });
      await channel.ready();
    }
    const document = JSON.parse(await readFile(workflowFile, 'utf8')) as Record<string, unknown>;
    const wf = await storage.workflows.create({ document: document as never });
    worker = await startWorker({
      REDIS_URL,
      DATABASE_URL,
      BUDFLOW_DATABASE_SCHEMA: schema,
      BUDFLOW_ENCRYPTION_KEY: KEY,
      BUDFLOW_QUEUE_NAME: name,
      BUDFLOW_QUEUE_PREFIX: prefix,
      BUDFLOW_WORKER_CONCURRENCY: String(concurrency),
      BUDFLOW_WORKER_PORT: '0',
      BUDFLOW_WORKER_HOST: '127.0.0.1',
      BUDFLOW_WORKER_LIVE_EVENTS: String(liveEvents),
      BUDFLOW_LOG_LEVEL: 'info',
      BUDFLOW_WORKER_DURABILITY: durability,
    });
    const enqueuedAt = new Map<string, number>();
    const latencies: number[] = [];
    let completed = 0;
    let wanted = 0;
    let onAll: (() => void) | undefined;
    let onDone: (() => void) | undefined;
    queue.onCompleted((jobId) => {
      const at = enqueuedAt.get(jobId);
      if (at === undefined) return;
      enqueuedAt.delete(jobId);
      latencies.push(performance.now() - at);
      completed++;
      onDone?.();
      if (completed === wanted) onAll?.();
    });
    await queue.eventsReady();

    const run = async (n: number) => {
      completed = 0;
      wanted = n;
      latencies.length = 0;
      const all = new Promise<void>((resolve) => (onAll = resolve));
      const started = performance.now();
      // The main's part, as a main under a burst of webhook calls does it: create the rows of
      // a chunk in one statement (its recorder's group commit), then enqueue their ids (jobs
      // enqueued in one turn go to Redis together). At most WINDOW executions are outstanding,
      // so the latency is the system's, not the time spent waiting behind a 3,000-job backlog.
      let next = 0;
      let outstanding = 0;
      let wake: (() => void) | undefined;
      onDone = () => {
        outstanding--;
        wake?.();
      };
      while (next < n) {
        // Refill a whole chunk at a time, as a main under steady load would batch its rows.
        while (outstanding > WINDOW - CHUNK) {
          await new Promise<void>((resolve) => (wake = resolve));
        }
        const size = Math.min(CHUNK, n - next);
        next += size;
        outstanding += size;
        // Time-ordered ids, as the server's main makes them (they append to the indexes).
        const ids = Array.from({ length: size }, () => newId());
        const at = performance.now();
        for (const id of ids) enqueuedAt.set(id, at);
        await storage.executions.createMany(
          ids.map((id) => ({
            id,
            workflowId: wf.id,
            workflowVersionId: wf.versionId,
            mode: 'webhook',
            status: 'new' as const,
          })),
        );
        await Promise.all(ids.map((id) => queue.enqueue({ executionId: id, workflowId: wf.id })));
      }
      await all;
      return (performance.now() - started) / 1000;
    };

    await run(WARMUP);
    const c0 = cpuByName(['redis-server', 'postgres']);
    const w0 = cpuOfPid(worker.pid!);
    const m0 = process.cpuUsage();
    const seconds = await run(COUNT);
    const c1 = cpuByName(['redis-server', 'postgres']);
    const w1 = cpuOfPid(worker.pid!);
    const m = process.cpuUsage(m0);
    const per = (ms: number) => Math.round((ms * 1000) / COUNT);
    if (liveListener && liveMessages === 0) throw new Error('no live event reached the main');
    cpu = {
      worker: per(w1 - w0),
      main: per((m.user + m.system) / 1000),
      redis: per(c1['redis-server']! - c0['redis-server']!),
      postgres: per(c1.postgres! - c0.postgres!),
    };
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      name: `queue-linear-10-c${concurrency}${liveEvents ? '' : '-no-live-events'}${durability === 'relaxed' ? '-relaxed' : ''}${liveListener ? '-live-listener' : ''}`,
      workflow: 'linear-10',
      workers: 1,
      concurrency,
      liveEvents,
      liveListener,
      durability,
      count: COUNT,
      seconds: Number(seconds.toFixed(3)),
      execPerSec: Math.round(COUNT / seconds),
      p50Ms: Number(percentile(sorted, 0.5).toFixed(1)),
      p99Ms: Number(percentile(sorted, 0.99).toFixed(1)),
      cpuUs: cpu,
    };
  } finally {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await channel?.close();
    await queue.close();
    await obliterateQueue({ url: REDIS_URL, name, prefix });
    await drop();
  }
}

async function main() {
  if (!existsSync(workerMain)) {
    throw new Error(`${workerMain} is missing: build first (pnpm bench without --no-build)`);
  }
  await waitForRedis(REDIS_URL, 5_000);
  if (!json) {
    console.log(
      `queue mode end to end: 1 worker process, PostgreSQL, ${COUNT} executions of linear-10 (after ${WARMUP} warm-up)`,
    );
  }
  for (const [concurrency, live, durability, listener] of [
    [10, true, 'strict', false],
    [50, true, 'strict', false],
    [50, true, 'relaxed', false],
    [50, true, 'strict', true],
  ] as const) {
    const key = `c${concurrency}${durability === 'relaxed' ? '-relaxed' : ''}${listener ? '-live-listener' : ''}`;
    if (only !== undefined && only !== key) continue;
    const r = await scenario(concurrency, live, durability, listener);
    if (json) process.stdout.write(`${JSON.stringify(r)}\n`);
    else {
      console.log(
        `${r.name.padEnd(40)} ${String(r.execPerSec).padStart(6)} exec/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  (${r.count} in ${r.seconds} s)  CPU µs/exec ${JSON.stringify(r.cpuUs)}`,
      );
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
