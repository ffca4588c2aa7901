/**
 * `pnpm bench [--filter NAME] [--json] [--no-build] [--processes N]`: runs every reference workflow of
 * ../shared/bench/workflows (plus a 100-node No Operation chain) in N processes one after another
 * (3 by default, as n8n's reference harness did) — each one warm-up, then timed runs — and prints
 * the means over the processes of executions/s, mean/median/p99 ms and peak RSS (with the range of
 * executions/s and the largest peak RSS) beside n8n's figures from ../shared/bench/README.md. Other scenarios (expressions, storage, webhook, queue) are scripts
 * listed in SCENARIOS and run the same way when present.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import type { BenchResult } from './bench/bench-workflow.js';
import { noopChain } from './bench/noop-chain.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const sharedBench = path.resolve(repoRoot, '../shared/bench');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

/**
 * Node sizes V8's heap ceiling from the machine's memory (a quarter of it, at most 4 GiB on Node
 * 20), and V8 lets the old generation grow to 4× the live data between full collections only
 * when that ceiling is at least 2 GiB. On this 24 GiB machine the ceiling is 4 GiB, so peak RSS
 * mostly measures that heuristic; each workflow also runs in as many processes with the ceiling
 * Node picks on a 6 GiB machine or container (`--max-old-space-size=1536`), for their peak RSS only.
 */
const CAPPED_HEAP_MB = 1536;

/** Benchmark scripts of other packages: each prints JSON lines of its own. */
const SCENARIOS: Array<{ name: string; script: string }> = [
  { name: 'expression', script: 'packages/expression/test/bench/expression.bench.ts' },
  { name: 'storage', script: 'packages/storage/bench/storage.bench.ts' },
  { name: 'webhook', script: 'apps/server/bench/webhook.bench.ts' },
  { name: 'queue', script: 'packages/queue/bench/queue.bench.ts' },
];

/** A workflow that could not be measured. */
interface Failed {
  name: string;
  status: string;
  error: string;
}

/** A workflow's figures: means over its processes, with ranges and the capped-heap peak RSS. */
interface Row {
  name: string;
  processes: number;
  runs: number;
  execPerSec: number;
  execPerSecMin: number;
  execPerSecMax: number;
  meanMs: number;
  medianMs: number;
  p99Ms: number;
  cpuMsPerExec: number;
  peakRssMb: number;
  peakRssMbMax: number;
  peakRssMbCappedHeap: number | null;
  peakRssMbCappedHeapMax: number | null;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** One row from the processes of one workflow (at least one) and of its capped-heap runs. */
function aggregate(name: string, measured: BenchResult[], capped: BenchResult[]): Row {
  const rss = capped.map((r) => r.peakRssMb);
  return {
    name,
    processes: measured.length,
    runs: measured.reduce((a, r) => a + r.runs, 0),
    execPerSec: round(mean(measured.map((r) => r.execPerSec)), 1),
    execPerSecMin: Math.min(...measured.map((r) => r.execPerSec)),
    execPerSecMax: Math.max(...measured.map((r) => r.execPerSec)),
    meanMs: round(mean(measured.map((r) => r.meanMs)), 3),
    medianMs: round(mean(measured.map((r) => r.medianMs)), 3),
    p99Ms: round(mean(measured.map((r) => r.p99Ms)), 3),
    cpuMsPerExec: round(mean(measured.map((r) => r.cpuMsPerExec)), 3),
    peakRssMb: round(mean(measured.map((r) => r.peakRssMb)), 1),
    peakRssMbMax: Math.max(...measured.map((r) => r.peakRssMb)),
    peakRssMbCappedHeap: rss.length > 0 ? round(mean(rss), 1) : null,
    peakRssMbCappedHeapMax: rss.length > 0 ? Math.max(...rss) : null,
  };
}

interface N8nFigure {
  execPerSec: number;
  msPerExec: number;
  peakRssMb: number;
}

async function n8nFigures(): Promise<Map<string, N8nFigure>> {
  const figures = new Map<string, N8nFigure>();
  const readme = await readFile(path.join(sharedBench, 'README.md'), 'utf8').catch(() => '');
  for (const line of readme.split('\n')) {
    const m =
      /^\|\s*([\w-]+)\s*\|\s*([\d.]+)\s*(?:\([^)]*\))?\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|$/.exec(
        line.trim(),
      );
    if (m)
      figures.set(m[1]!, {
        execPerSec: Number(m[2]),
        msPerExec: Number(m[3]),
        peakRssMb: Number(m[4]),
      });
  }
  return figures;
}

/**
 * Library mode as users run it: the packages' built `dist/` (run `pnpm build` first; `pnpm bench`
 * does) and the bench harness compiled to plain JavaScript, so no TypeScript loader is measured.
 */
async function compileHarness(): Promise<string> {
  const outfile = path.join(repoRoot, 'tooling/scripts/.bench/bench-workflow.mjs');
  await build({
    entryPoints: [path.join(here, 'bench/bench-workflow.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

async function benchFile(
  harness: string,
  file: string,
  name: string,
  nodeFlags: string[] = [],
): Promise<BenchResult | Failed> {
  try {
    const { stdout } = await run(process.execPath, [...nodeFlags, harness, file, '--name', name], {
      cwd: repoRoot,
      env: { ...process.env, TZ: 'UTC' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!) as BenchResult;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    return {
      name,
      status: 'error',
      error: (e.stderr || e.message).trim().split('\n').slice(-3).join(' '),
    };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const filterIndex = args.indexOf('--filter');
  const filter = filterIndex >= 0 ? args[filterIndex + 1] : undefined;
  const matches = (name: string) => !filter || name.includes(filter);
  const processesIndex = args.indexOf('--processes');
  const processes = processesIndex >= 0 ? Number(args[processesIndex + 1]) : 3;
  if (!Number.isInteger(processes) || processes < 1)
    throw new Error(
      `--processes must be a positive whole number, got '${args[processesIndex + 1]}'`,
    );

  const workflowsDir = path.join(sharedBench, 'workflows');
  const files = (await readdir(workflowsDir)).filter((f) => f.endsWith('.json')).sort();
  const tmp = await mkdtemp(path.join(tmpdir(), 'budflow-bench-'));
  const chainFile = path.join(tmp, 'noop-chain-100.json');
  await writeFile(chainFile, JSON.stringify(noopChain(100)));
  const jobs = [
    ...files.map((f) => ({ name: path.basename(f, '.json'), file: path.join(workflowsDir, f) })),
    { name: 'noop-chain-100', file: chainFile },
  ].filter((j) => matches(j.name));

  if (!args.includes('--no-build')) {
    await run('pnpm', ['-s', 'build'], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
  }
  const harness = await compileHarness();
  const n8n = await n8nFigures();
  const rows: Array<Row | Failed> = [];
  for (const job of jobs) {
    const measured: BenchResult[] = [];
    const capped: BenchResult[] = [];
    let failed: Failed | undefined;
    for (let i = 0; i < processes && !failed; i++) {
      const result = await benchFile(harness, job.file, job.name);
      if ('error' in result) failed = result;
      else measured.push(result);
    }
    for (let i = 0; i < processes && !failed; i++) {
      const result = await benchFile(harness, job.file, job.name, [
        `--max-old-space-size=${CAPPED_HEAP_MB}`,
      ]);
      if (!('error' in result)) capped.push(result);
    }
    const result = failed ?? aggregate(job.name, measured, capped);
    rows.push(result);
    if (json) {
      process.stdout.write(
        `${JSON.stringify('error' in result ? result : { ...result, cappedHeapMb: CAPPED_HEAP_MB, n8nExecPerSec: n8n.get(job.name)?.execPerSec ?? null })}\n`,
      );
    }
  }
  if (!json) {
    const header = [
      'workflow',
      'exec/s (range)',
      'mean ms',
      'median ms',
      'p99 ms',
      'CPU ms',
      'peak RSS MiB (max)',
      `peak RSS, ${CAPPED_HEAP_MB / 1024} GiB heap (max)`,
      'n8n exec/s',
      'x n8n',
    ];
    const table = rows.map((r) => {
      if ('error' in r) return [r.name, 'error', r.error.slice(0, 60), '', '', '', '', '', '', ''];
      const ref = n8n.get(r.name);
      return [
        r.name,
        `${r.execPerSec} (${r.execPerSecMin}-${r.execPerSecMax})`,
        r.meanMs.toFixed(2),
        r.medianMs.toFixed(2),
        r.p99Ms.toFixed(2),
        r.cpuMsPerExec.toFixed(3),
        `${r.peakRssMb.toFixed(0)} (${r.peakRssMbMax.toFixed(0)})`,
        r.peakRssMbCappedHeap === null || r.peakRssMbCappedHeapMax === null
          ? 'error'
          : `${r.peakRssMbCappedHeap.toFixed(0)} (${r.peakRssMbCappedHeapMax.toFixed(0)})`,
        ref ? String(ref.execPerSec) : '-',
        ref ? `${(r.execPerSec / ref.execPerSec).toFixed(1)}x` : '-',
      ];
    });
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ');
    process.stdout.write(
      `${fmt(header)}\n${fmt(widths.map((w) => '-'.repeat(w)))}\n${table.map(fmt).join('\n')}\n`,
    );
  }

  for (const scenario of SCENARIOS.filter((s) => matches(s.name))) {
    const script = path.join(repoRoot, scenario.script);
    if (!existsSync(script)) continue;
    if (!json) process.stdout.write(`\n# ${scenario.name} (${scenario.script})\n`);
    try {
      const { stdout } = await run(
        tsx,
        ['--conditions=@budflow/source', script, ...(json ? ['--json'] : [])],
        {
          cwd: repoRoot,
          env: { ...process.env, TZ: 'UTC' },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 15 * 60_000,
        },
      );
      process.stdout.write(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
    } catch (error) {
      const e = error as { stderr?: string; message: string };
      const message = (e.stderr || e.message).trim().split('\n').slice(-3).join(' ');
      process.stdout.write(
        json
          ? `${JSON.stringify({ name: scenario.name, status: 'error', error: message })}\n`
          : `error: ${message}\n`,
      );
    }
  }
  process.exitCode = rows.some((r) => 'error' in r) ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
