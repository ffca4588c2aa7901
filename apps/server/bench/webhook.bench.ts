/**
 * Webhook benchmark: `budflow start` on SQLite with executions saved, one active workflow
 * Webhook (POST, respond with node) -> Edit Fields (2 expression fields from the body) ->
 * Respond to Webhook (first item), loaded with autocannon on 127.0.0.1 at c=10 and c=50.
 *
 *   pnpm --filter @budflow/server bench:webhook        (BENCH_SECONDS=10 by default)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import type { ExpressionEvaluator, JsonValue } from '@budflow/node-sdk';
import { startServer } from '../src/index.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);

const workflow = {
  name: 'webhook bench',
  nodes: [
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2,
      position: [0, 0],
      webhookId: 'bench',
      parameters: { path: 'bench', httpMethod: 'POST', responseMode: 'responseNode', options: {} },
    },
    {
      name: 'Edit Fields',
      type: 'n8n-nodes-base.set',
      typeVersion: 3.4,
      position: [200, 0],
      parameters: {
        mode: 'manual',
        assignments: {
          assignments: [
            { id: 'a', name: 'name', value: '={{ $json.body.name }}', type: 'string' },
            { id: 'b', name: 'count', value: '={{ $json.body.count + 1 }}', type: 'number' },
          ],
        },
        options: {},
      },
    },
    {
      name: 'Respond to Webhook',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.1,
      position: [400, 0],
      parameters: { respondWith: 'firstIncomingItem', options: {} },
    },
  ],
  connections: {
    Webhook: { main: [[{ node: 'Edit Fields', type: 'main', index: 0 }]] },
    'Edit Fields': { main: [[{ node: 'Respond to Webhook', type: 'main', index: 0 }]] },
  },
  settings: { executionOrder: 'v1' },
};

/**
 * Used only while `@budflow/expression` exports no evaluator: resolves the two expressions of
 * this workflow (a member path, and a member path plus one) without running any code.
 */
function stubEvaluator(): ExpressionEvaluator {
  const resolve = (template: string, json: Record<string, unknown>): JsonValue => {
    const m = /^=\{\{\s*\$json\.([\w.]+)\s*(\+\s*(\d+))?\s*\}\}$/.exec(template);
    if (!m) throw new Error(`stub evaluator cannot evaluate ${template}`);
    let value: unknown = json;
    for (const part of m[1]!.split('.'))
      value = (value as Record<string, unknown> | undefined)?.[part];
    return (m[3] ? Number(value) + Number(m[3]) : value) as JsonValue;
  };
  const walk = (value: JsonValue, json: Record<string, unknown>): JsonValue => {
    if (typeof value === 'string') return value.startsWith('=') ? resolve(value, json) : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, json));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, v === undefined ? null : walk(v, json)]),
      );
    }
    return value;
  };
  return {
    resolveParameters: async (value, scope, indices) =>
      indices.map((i) => walk(value, scope.items[i]?.json ?? {})),
    evaluate: async (template, scope, i) => resolve(template, scope.items[i]?.json ?? {}),
  };
}

/** `BENCH_LAST_NODE=1`: answer from Edit Fields (`lastNode` mode) instead of Respond to Webhook. */
function benchWorkflow() {
  if (process.env.BENCH_LAST_NODE !== '1') return workflow;
  const [webhook, set] = workflow.nodes;
  return {
    ...workflow,
    nodes: [
      { ...webhook!, parameters: { ...webhook!.parameters, responseMode: 'lastNode' } },
      set!,
    ],
    connections: { Webhook: workflow.connections.Webhook },
  };
}

async function main() {
  const dataDir = await mkdtemp(join(tmpdir(), 'budflow-bench-'));
  const expression = (await import('@budflow/expression')) as Record<string, unknown>;
  const real =
    process.env.BENCH_STUB_EVALUATOR !== '1' &&
    typeof expression.createExpressionEvaluator === 'function';
  const startedAt = performance.now();
  const server = await startServer({
    env: {
      ...process.env,
      BUDFLOW_PORT: '0',
      BUDFLOW_HOST: '127.0.0.1',
      BUDFLOW_DATA_DIR: dataDir,
      BUDFLOW_ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
      BUDFLOW_LOG_LEVEL: 'warn',
      BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS: 'true',
    },
    ...(real ? {} : { evaluator: stubEvaluator() }),
  });
  const startMs = performance.now() - startedAt;
  try {
    const setup = await fetch(`${server.url}/api/v1/owner/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password' }),
    });
    const cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    const headers = { 'content-type': 'application/json', cookie };
    const created = (await (
      await fetch(`${server.url}/api/v1/workflows`, {
        method: 'POST',
        headers,
        body: JSON.stringify(benchWorkflow()),
      })
    ).json()) as { id: string };
    const activated = await fetch(`${server.url}/api/v1/workflows/${created.id}/activate`, {
      method: 'POST',
      headers,
    });
    if (activated.status !== 200) throw new Error(`activation failed: ${await activated.text()}`);

    const url = `${server.url}/webhook/bench`;
    const body = JSON.stringify({ name: 'Ada', count: 41 });
    const probe = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const probeBody = await probe.text();
    if (probe.status !== 200) throw new Error(`webhook answered ${probe.status}: ${probeBody}`);

    // autocannon runs in its own process, so this process's CPU time is the server's alone.
    const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
    const run = async (connections: number, duration: number) => {
      const cpu = process.cpuUsage();
      const elu = performance.eventLoopUtilization();
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          cli,
          '--json',
          '-c',
          String(connections),
          '-d',
          String(duration),
          '-m',
          'POST',
          '-H',
          'content-type=application/json',
          '-b',
          body,
          url,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const used = process.cpuUsage(cpu);
      const busy = performance.eventLoopUtilization(elu);
      const r = JSON.parse(stdout) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
      };
      return {
        ...r,
        cpuUsPerRequest: (used.user + used.system) / Math.max(1, r.requests.total),
        mainThreadUsPerRequest: (busy.active * 1000) / Math.max(1, r.requests.total),
        utilization: busy.utilization,
      };
    };

    console.log(
      `webhook benchmark: server ready in ${startMs.toFixed(0)} ms; evaluator: ${real ? '@budflow/expression' : 'stub (no evaluator exported yet)'}`,
    );
    console.log(`probe response: ${probeBody}`);
    await run(10, warmupSeconds);
    const rows: string[] = [];
    for (const c of [10, 50]) {
      const r = await run(c, seconds);
      rows.push(
        `| c=${c} | ${r.requests.average.toFixed(0)} req/s | p50 ${r.latency.p50} ms | p99 ${r.latency.p99} ms | CPU ${(r.cpuUsPerRequest / 1000).toFixed(2)} ms/req, main thread ${(r.mainThreadUsPerRequest / 1000).toFixed(2)} ms/req (busy ${(r.utilization * 100).toFixed(0)} %) | non-2xx ${r.non2xx} | errors ${r.errors} |`,
      );
    }
    const page = (await (
      await fetch(`${server.url}/api/v1/executions?workflowId=${created.id}&limit=1`, { headers })
    ).json()) as { data: Array<{ status: string }> };
    console.log(rows.join('\n'));
    console.log(`last saved execution: ${page.data[0]?.status ?? 'none'} (executions saved: on)`);
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
