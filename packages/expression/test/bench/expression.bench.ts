/**
 * Evaluations per second of the expression evaluator, printed as a table. Run with
 * `pnpm --filter @budflow/expression bench` (TZ=UTC).
 */
import type { ExpressionScope, Item, JsonObject, TaskData } from '@budflow/node-sdk';
import { createSandbox } from '@budflow/sandbox';
import { createExpressionEvaluator, expressionPrelude } from '../../src/index.js';

const N = 10_000;
const CITIES = ['Berlin', 'Paris', 'Rome', 'Madrid', 'Vienna', 'Prague', 'Lisbon'];

function makeItems(): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < N; i++) {
    const json: JsonObject = {
      id: i,
      a: i,
      name: `user-${i}`,
      email: `user${i}@example.com`,
      age: 18 + (i % 60),
      city: CITIES[i % CITIES.length]!,
      active: i % 3 !== 0,
      score: (i * 7919) % 1000,
      price: Math.round(((i % 500) + 0.25) * 100) / 100,
      quantity: 1 + (i % 9),
    };
    items.push({ json, pairedItem: { item: i } });
  }
  return items;
}

function scopeFor(items: Item[]): ExpressionScope {
  const source: TaskData = {
    startTime: 0,
    executionTime: 0,
    executionIndex: 0,
    executionStatus: 'success',
    source: [],
    data: { main: [items.map((it) => ({ json: it.json, pairedItem: { item: 0 } }))] },
  };
  return {
    nodeName: 'Set',
    nodeType: 'n8n-nodes-base.set',
    nodeTypeVersion: 3.4,
    nodeParameters: {},
    items,
    inputs: [items],
    runIndex: 0,
    runData: { Source: [source] },
    workflow: {
      id: 'bench',
      name: 'bench',
      active: false,
      timezone: 'UTC',
      nodeParameters: () => ({}),
      hasNode: (n) => n === 'Source' || n === 'Set',
      parentNodes: () => ['Source'],
    },
    execution: { id: '1', mode: 'manual', customData: {} },
    previousNode: { name: 'Source', outputIndex: 0, runIndex: 0 },
    vars: {},
  };
}

/** `--json`: one JSON object per line, nothing else (as `pnpm bench --json` promises). */
const JSON_LINES = process.argv.includes('--json');

async function measure(label: string, fn: () => Promise<number>, rounds = 5): Promise<void> {
  await fn(); // warm-up: compile, JIT, sandbox context
  const times: number[] = [];
  const cpus: number[] = [];
  let evaluations = 0;
  for (let r = 0; r < rounds; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    evaluations = await fn();
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpus.push((used.user + used.system) / 1000);
  }
  times.sort((x, y) => x - y);
  cpus.sort((x, y) => x - y);
  const wall = times[Math.floor(times.length / 2)]!;
  const cpu = cpus[Math.floor(cpus.length / 2)]!;
  const perSec = (ms: number) => Math.round((evaluations / ms) * 1000);
  // CPU time of all threads is shown too: on a shared machine wall time includes waiting for a core.
  if (JSON_LINES) {
    const figures = {
      perSecWall: perSec(wall),
      perCpuSecond: perSec(cpu),
      wallMs: wall,
      cpuMs: cpu,
    };
    console.log(JSON.stringify({ name: 'expression', metric: label, ...figures }));
    return;
  }
  const rate = (ms: number) => perSec(ms).toLocaleString('en-US').padStart(11);
  console.log(
    `${label.padEnd(58)} ${rate(wall)} /s wall (${wall.toFixed(1)} ms)  ${rate(cpu)} /s per CPU-second (${cpu.toFixed(1)} ms)`,
  );
}

const items = makeItems();
const scope = scopeFor(items);
const indices = items.map((_, i) => i);

async function coldStart(
  isolation: 'worker' | 'inline',
): Promise<{ wallMs: number; cpuMs: number }> {
  const c = process.cpuUsage();
  const t = performance.now();
  const sandbox = createSandbox({ prelude: expressionPrelude(), isolation });
  await sandbox.warmUp();
  const ready = performance.now() - t;
  const used = process.cpuUsage(c);
  await sandbox.close();
  return { wallMs: ready, cpuMs: (used.user + used.system) / 1000 };
}
const coldWorker = await coldStart('worker');
const coldInline = await coldStart('inline');
const warmInline = await coldStart('inline');

const evaluator = createExpressionEvaluator();
const sandboxOnly = createExpressionEvaluator({ fastPath: false });

if (JSON_LINES) {
  for (const [metric, value] of [
    ['sandbox cold start, worker thread (from TypeScript sources)', coldWorker],
    ['sandbox cold start, inline', coldInline],
    ['new context once the WebAssembly is compiled in this thread', warmInline],
  ] as const) {
    console.log(JSON.stringify({ name: 'expression', metric, ...value }));
  }
} else {
  const text = (v: { wallMs: number; cpuMs: number }) =>
    `${v.wallMs.toFixed(0)} ms wall, ${v.cpuMs.toFixed(0)} ms CPU`;
  console.log(`TZ=${process.env.TZ ?? '(unset)'}  items=${N}`);
  console.log(
    `sandbox cold start, worker thread (from TypeScript sources: includes tsx in the worker): ${text(coldWorker)}`,
  );
  console.log(`sandbox cold start, inline: ${text(coldInline)}`);
  console.log(
    `new context once the WebAssembly is compiled in this thread (also a reset): ${text(warmInline)}`,
  );
}

await measure('{{ $json.a + 1 }} fast path (host)', async () => {
  await evaluator.resolveParameters('={{ $json.a + 1 }}', scope, indices);
  return N;
});
await measure('{{ $json.a + 1 }} sandboxed, one batch', async () => {
  await sandboxOnly.resolveParameters('={{ $json.a + 1 }}', scope, indices);
  return N;
});
await measure('{{ $json.name.toTitleCase() }} (extension, sandbox batch)', async () => {
  await evaluator.resolveParameters('={{ $json.name.toTitleCase() }}', scope, indices);
  return N;
});
await measure('{{ $json.email.extractDomain().toUpperCase() }} (sandbox)', async () => {
  await evaluator.resolveParameters(
    '={{ $json.email.extractDomain().toUpperCase() }}',
    scope,
    indices,
  );
  return N;
});
await measure("{{ $('Source').item.json.a }} fast path (lineage on host)", async () => {
  await evaluator.resolveParameters("={{ $('Source').item.json.a }}", scope, indices);
  return N;
});
await measure("{{ $('Source').item.json.a * 2 }} sandboxed, one batch", async () => {
  await sandboxOnly.resolveParameters("={{ $('Source').item.json.a * 2 }}", scope, indices);
  return N;
});
const setParams = {
  assignments: [
    { name: 'total', value: '={{ $json.price * $json.quantity }}', type: 'number' },
    { name: 'label', value: '={{ $json.name.toUpperCase() + "-" + $json.city }}', type: 'string' },
    { name: 'senior', value: '={{ $json.age >= 60 }}', type: 'boolean' },
  ],
};
await measure('items-10k Set node: 3 expressions x 10k items', async () => {
  await evaluator.resolveParameters(setParams, scope, indices);
  return 3 * N;
});
await measure('items-10k Set node, sandbox only', async () => {
  await sandboxOnly.resolveParameters(setParams, scope, indices);
  return 3 * N;
});

await evaluator.close();
await sandboxOnly.close();
