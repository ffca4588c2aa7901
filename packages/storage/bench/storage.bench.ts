/**
 * Storage benchmark: execution-event inserts per second and full execution saves per second, on
 * SQLite (temp dir) and on PostgreSQL (DATABASE_URL, default the local test server) when reachable.
 *
 *   pnpm --filter @budflow/storage bench          (add -- --json for JSON lines)
 *   tsx --conditions=@budflow/source packages/storage/bench/storage.bench.ts
 */
import type { ExecutionEvent } from '@budflow/core';
import { createExecutionRecorder, type Storage } from '../src/index.js';
import {
  postgresTestStorageFactory,
  sqliteTestStorageFactory,
  type TestStorageFactory,
} from '../src/testing/index.js';

const NODES = 5;
const ITEMS_PER_NODE = 10;

function task(node: string) {
  return {
    startTime: 0,
    executionTime: 1,
    executionIndex: 0,
    executionStatus: 'success' as const,
    source: [{ previousNode: 'prev' }],
    data: {
      main: [
        Array.from({ length: ITEMS_PER_NODE }, (_, i) => ({
          json: { node, i, name: `item ${i}`, email: `user${i}@example.com`, score: i * 1.5 },
          pairedItem: { item: i },
        })),
      ],
    },
  };
}

/** The events of one run of a linear workflow of NODES nodes. */
function runEvents(executionId: string): ExecutionEvent[] {
  const events: ExecutionEvent[] = [];
  let seq = 0;
  const at = Date.now();
  events.push({
    type: 'execution.started',
    executionId,
    seq: seq++,
    at,
    workflowId: 'bench',
    mode: 'manual',
    startNode: 'N0',
    input: [{ json: {} }],
  });
  for (let n = 0; n < NODES; n++) {
    const nodeName = `N${n}`;
    events.push({ type: 'node.started', executionId, seq: seq++, at, nodeName, runIndex: 0 });
    events.push({
      type: 'node.finished',
      executionId,
      seq: seq++,
      at,
      nodeName,
      runIndex: 0,
      itemCounts: [ITEMS_PER_NODE],
      durationMs: 1,
      status: 'success',
      task: task(nodeName),
      state: {
        stack:
          n + 1 < NODES
            ? [
                {
                  node: `N${n + 1}`,
                  data: { main: [{ ref: { previousNode: nodeName } }] },
                  source: [{ previousNode: nodeName }],
                },
              ]
            : [],
        waiting: {},
        executionIndex: n + 1,
        nodeContexts: {},
      },
    });
  }
  events.push({
    type: 'execution.finished',
    executionId,
    seq: seq++,
    at,
    status: 'success',
    lastNodeExecuted: `N${NODES - 1}`,
  });
  return events;
}

const json = process.argv.includes('--json');
let dialectLabel = '';

async function timed(label: string, count: number, unit: string, fn: () => Promise<void>) {
  const start = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = count / seconds;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ name: 'storage', dialect: dialectLabel, metric: label, unit: `${unit}/s`, perSec: Math.round(rate), count, seconds: Number(seconds.toFixed(3)) })}\n`,
    );
    return rate;
  }
  console.log(
    `  ${label.padEnd(52)} ${rate.toFixed(0).padStart(8)} ${unit}/s  (${count} in ${seconds.toFixed(2)} s)`,
  );
  return rate;
}

async function bench(name: string, factory: TestStorageFactory, scale: number) {
  dialectLabel = name.split(' ')[0]!.toLowerCase();
  if (!json) console.log(`\n${name}`);
  const storage: Storage = await factory();
  try {
    // 1. One event per statement (the engine awaiting each event, batching off).
    {
      const exec = await storage.executions.create({ mode: 'manual', status: 'running' });
      const n = 2000 * scale;
      await timed('event inserts, one per statement', n, 'events', async () => {
        for (let i = 0; i < n; i++) {
          await storage.executions.appendEvents([
            {
              type: 'node.started',
              executionId: exec.id,
              seq: i,
              at: i,
              nodeName: 'N',
              runIndex: 0,
            } as never,
          ]);
        }
      });
    }
    // 2. Events in batches of 100 per transaction (bulk import, replay).
    {
      const exec = await storage.executions.create({ mode: 'manual', status: 'running' });
      const n = 20_000 * scale;
      await timed('event inserts, 100 per transaction', n, 'events', async () => {
        for (let i = 0; i < n; i += 100) {
          await storage.transaction((repos) =>
            repos.executions.appendEvents(
              Array.from({ length: 100 }, (_, j) => ({
                type: 'node.started',
                executionId: exec.id,
                seq: i + j,
                at: i + j,
                nodeName: 'N',
                runIndex: 0,
              })),
            ),
          );
        }
      });
    }
    // 3. Realistic events (with task data and state) through the recorder, as the engine emits them.
    {
      const runs = 100 * scale;
      const count = runs * runEvents('x').length;
      for (const durability of ['strict', 'relaxed'] as const) {
        if (durability === 'relaxed' && storage.dialect !== 'postgres') continue;
        const recorder = createExecutionRecorder(storage, { durability });
        const all = Array.from({ length: runs }, (_, i) => runEvents(`rec-${durability}-${i}`));
        await timed(
          `recorder events (${NODES}-node runs, ${durability})`,
          count,
          'events',
          async () => {
            for (const events of all) for (const event of events) await recorder.onEvent(event);
          },
        );
        const more = Array.from({ length: runs }, (_, i) => runEvents(`save-${durability}-${i}`));
        await timed(
          `full execution saves (${NODES} nodes x ${ITEMS_PER_NODE} items, ${durability})`,
          runs,
          'executions',
          async () => {
            for (const events of more) {
              await storage.executions.create({
                id: events[0]!.executionId,
                mode: 'manual',
                workflowId: 'bench',
                workflow: { name: 'bench', nodes: [], connections: {} },
              });
              for (const event of events) await recorder.onEvent(event);
            }
          },
        );
      }
    }
  } finally {
    await storage.close();
  }
}

const scale = Number(process.env.BENCH_SCALE ?? 1);
await bench('SQLite (better-sqlite3, WAL, synchronous=NORMAL)', sqliteTestStorageFactory(), scale);
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
if (await reachable(url)) {
  await bench('PostgreSQL (pg pool, local server)', postgresTestStorageFactory(url), scale);
} else if (!json) {
  console.log(`\nPostgreSQL: skipped (no server at ${url}; set DATABASE_URL)`);
}

async function reachable(connectionString: string): Promise<boolean> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
