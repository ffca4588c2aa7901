/**
 * Webhook benchmark: the server on SQLite with executions saved, one active workflow
 * Webhook (POST, respond with node) -> Edit Fields (2 expression fields from the body) ->
 * Respond to Webhook (first item), loaded with autocannon on 127.0.0.1 at c=10 and c=50.
 *
 *   pnpm bench --filter webhook          (builds first; --no-build reuses dist/)
 *   pnpm --filter @budflow/server bench:webhook
 *
 * The server runs in its own process from the built `dist/` (as `budflow start` does; no
 * TypeScript loader measured), autocannon in another, this one only coordinates.
 * BENCH_FROM_SOURCE=1 runs the server from `src/` through tsx instead; BENCH_SERVER_ENTRY=<file>
 * runs another build of it (to compare two builds on the same machine). BENCH_SECONDS (10) and
 * BENCH_WARMUP_SECONDS (3) set the durations; BENCH_LAST_NODE=1 answers from Edit Fields
 * (`lastNode` mode) instead of Respond to Webhook.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const fromSource = process.env.BENCH_FROM_SOURCE === '1';
const serverRoot = fileURLToPath(new URL('..', import.meta.url));

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

interface ServerStats {
  /** Process CPU (every thread), microseconds. */
  cpu: number;
  /** Main thread's event loop: active milliseconds and utilization since start. */
  elu: { active: number; idle: number; utilization: number };
}

/** The server in its own process; it answers `stats` and `close` over IPC. */
interface ServerProcess {
  url: string;
  child: ChildProcess;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

const RUNNER = `
const { startServer } = await import(process.env.BENCH_SERVER_ENTRY);
const server = await startServer();
process.on('message', (message) => {
  if (message === 'stats') {
    const { user, system } = process.cpuUsage();
    process.send({ stats: { cpu: user + system, elu: performance.eventLoopUtilization() } });
  } else if (message === 'close') {
    server.close().then(() => process.exit(0));
  }
});
process.send({ url: server.url });
`;

async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const entry =
    process.env.BENCH_SERVER_ENTRY ||
    (fromSource ? join(serverRoot, 'src/index.ts') : join(serverRoot, 'dist/index.js'));
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (pnpm build)`);
  // A file, not `--eval`: worker threads inherit the flags, and `--input-type` breaks them.
  const runner = join(env.BUDFLOW_DATA_DIR!, 'bench-runner.mjs');
  await writeFile(runner, RUNNER);
  const child = spawn(
    process.execPath,
    [...(fromSource ? ['--import', 'tsx', '--conditions=@budflow/source'] : []), runner],
    {
      cwd: serverRoot,
      env: { ...env, BENCH_SERVER_ENTRY: pathToFileURL(entry).href },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) =>
      reject(new Error(`the server exited (${code}) before it was ready`)),
    );
  });
  return {
    url,
    child,
    stats: () =>
      new Promise((resolve) => {
        child.once('message', (message: { stats: ServerStats }) => resolve(message.stats));
        child.send('stats');
      }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send('close');
      }),
  };
}

/** CPU time of one thread in microseconds (Linux /proc); undefined elsewhere. */
function threadCpu(pid: number, tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    // USER_HZ is 100 on every Linux Node supports.
    return ticks * 10_000;
  } catch {
    return undefined;
  }
}

/** Newest modification time under a directory (to warn about a stale build). */
async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) {
      newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

const loadavg = () => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
};

async function main() {
  if (!fromSource) {
    const built = statSync(join(serverRoot, 'dist/index.js'), { throwIfNoEntry: false });
    if (built && built.mtimeMs < (await newestMtime(join(serverRoot, 'src')))) {
      console.error('warning: apps/server/dist is older than its sources (run pnpm build)');
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'budflow-bench-'));
  const startedAt = performance.now();
  const server = await startServerProcess({
    ...(process.env as Record<string, string>),
    BUDFLOW_PORT: '0',
    BUDFLOW_HOST: '127.0.0.1',
    BUDFLOW_DATA_DIR: dataDir,
    BUDFLOW_ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    BUDFLOW_LOG_LEVEL: 'warn',
    BUDFLOW_SAVE_SUCCESSFUL_EXECUTIONS: 'true',
  });
  const startMs = performance.now() - startedAt;
  const pid = server.child.pid!;
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

    const cli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
    const run = async (connections: number, duration: number) => {
      const before = await server.stats();
      const mainBefore = threadCpu(pid, pid);
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
      const after = await server.stats();
      const mainAfter = threadCpu(pid, pid);
      const r = JSON.parse(stdout) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
      };
      const total = Math.max(1, r.requests.total);
      const active = after.elu.active - before.elu.active;
      const idle = after.elu.idle - before.elu.idle;
      return {
        ...r,
        cpuMsPerRequest: (after.cpu - before.cpu) / 1000 / total,
        // Main-thread CPU where /proc tells it; else its event loop's active time.
        mainMsPerRequest:
          mainBefore !== undefined && mainAfter !== undefined
            ? (mainAfter - mainBefore) / 1000 / total
            : active / total,
        busy: active / Math.max(1, active + idle),
      };
    };

    const jsonLines = process.argv.includes('--json');
    const serverFrom = process.env.BENCH_SERVER_ENTRY || (fromSource ? 'src/ (tsx)' : 'dist/');
    if (!jsonLines) {
      console.log(
        `webhook benchmark: server from ${serverFrom}, ready in ${startMs.toFixed(0)} ms; load average ${loadavg()}`,
      );
      console.log(`probe response: ${probeBody}`);
    }
    await run(10, warmupSeconds);
    const rows: string[] = [];
    for (const c of [10, 50]) {
      const r = await run(c, seconds);
      if (jsonLines) {
        rows.push(
          JSON.stringify({
            name: `webhook-c${c}`,
            concurrency: c,
            reqPerSec: Math.round(r.requests.average),
            p50Ms: r.latency.p50,
            p99Ms: r.latency.p99,
            cpuMsPerRequest: Number(r.cpuMsPerRequest.toFixed(3)),
            mainMsPerRequest: Number(r.mainMsPerRequest.toFixed(3)),
            non2xx: r.non2xx,
            errors: r.errors,
            readyMs: Math.round(startMs),
            server: serverFrom,
          }),
        );
        continue;
      }
      rows.push(
        `| c=${c} | ${r.requests.average.toFixed(0)} req/s | p50 ${r.latency.p50} ms | p99 ${r.latency.p99} ms | CPU ${r.cpuMsPerRequest.toFixed(2)} ms/req, main thread ${r.mainMsPerRequest.toFixed(2)} ms/req (busy ${(r.busy * 100).toFixed(0)} %) | non-2xx ${r.non2xx} | errors ${r.errors} |`,
      );
    }
    const page = (await (
      await fetch(`${server.url}/api/v1/executions?workflowId=${created.id}&limit=1`, { headers })
    ).json()) as { data: Array<{ status: string }> };
    console.log(rows.join('\n'));
    if (!jsonLines) {
      console.log(
        `last saved execution: ${page.data[0]?.status ?? 'none'} (executions saved: on); load average ${loadavg()}`,
      );
    } else if (page.data[0]?.status !== 'success') {
      throw new Error(`last saved execution: ${page.data[0]?.status ?? 'none'}`);
    }
  } finally {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
