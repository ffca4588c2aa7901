/**
 * Times one workflow in this process, the way n8n's reference harness does: one warm-up run,
 * then timed runs through `runWorkflow` (library mode, no persistence). Prints one JSON line:
 * `{"name","runs","execPerSec","meanMs","medianMs","p99Ms","cpuMsPerExec","peakRssMb","status"}`.
 * Usage: bench-workflow.ts <workflow.json> [--repeat N] [--min-ms MS] [--name NAME]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createNodeRegistry, defaultEvaluator, parseWorkflow, runWorkflow } from '@budflow/core';
import { baseNodes } from '@budflow/nodes-base';
import type { JsonObject } from '@budflow/node-sdk';

export interface BenchResult {
  name: string;
  runs: number;
  execPerSec: number;
  meanMs: number;
  medianMs: number;
  p99Ms: number;
  /** CPU time of the whole process (every thread: sandbox workers, GC helpers) per execution. */
  cpuMsPerExec: number;
  peakRssMb: number;
  status: string;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find(
    (a) => !a.startsWith('--') && args[args.indexOf(a) - 1]?.startsWith('--') !== true,
  );
  if (!file) throw new Error('usage: bench-workflow <workflow.json> [--repeat N] [--min-ms MS]');
  // Time-bounded: fast workflows get thousands of runs (a steady state, with the GC pauses of
  // that state in the mean), slow ones at least 5.
  const maxRuns = Number(option(args, '--repeat') ?? 100_000);
  const minMs = Number(option(args, '--min-ms') ?? 3000);
  const name = option(args, '--name') ?? path.basename(file, '.json');
  const document = JSON.parse(await readFile(file, 'utf8')) as JsonObject;
  const registry = createNodeRegistry(baseNodes);
  const workflow = parseWorkflow(document, { registry });
  const evaluator = defaultEvaluator();
  const options = { registry, ...(evaluator ? { evaluator } : {}), timezone: 'UTC' };

  // One run, its result checked and dropped: a result kept in this frame would stay alive while
  // the timed runs execute (items-10k's holds ~10 MB of items), which a harness should not add.
  const runOnce = async (label: string): Promise<number> => {
    const t0 = performance.now();
    const result = await runWorkflow(workflow, options);
    const ms = performance.now() - t0;
    if (result.status !== 'success')
      throw new Error(`${name}: ${label} ${result.status}: ${result.error?.message ?? ''}`);
    return ms;
  };
  await runOnce('warm-up run');
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  while (times.length < maxRuns && (times.length < 5 || performance.now() - started < minMs)) {
    times.push(await runOnce('run'));
  }
  const cpu = process.cpuUsage(cpuStart);
  const total = times.reduce((a, b) => a + b, 0);
  const sorted = [...times].sort((a, b) => a - b);
  const result: BenchResult = {
    name,
    runs: times.length,
    execPerSec: Number((times.length / (total / 1000)).toFixed(1)),
    meanMs: Number((total / times.length).toFixed(3)),
    medianMs: Number(percentile(sorted, 50).toFixed(3)),
    p99Ms: Number(percentile(sorted, 99).toFixed(3)),
    cpuMsPerExec: Number(((cpu.user + cpu.system) / 1000 / times.length).toFixed(3)),
    peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
    status: 'ok',
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await evaluator?.close?.();
}

if (process.argv[1] && /bench-workflow\.(ts|mjs)$/.test(process.argv[1])) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
