/**
 * Times one workflow in this process, the way n8n's reference harness does: one warm-up run,
 * then timed runs through `runWorkflow` (library mode, no persistence). Prints one JSON line:
 * `{"name","runs","execPerSec","meanMs","medianMs","p99Ms","cpuMsPerExec","peakRssMb","status"}`.
 * Usage: bench-workflow.ts <workflow.json> [--repeat N] [--min-ms MS] [--name NAME]
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createNodeRegistry, defaultEvaluator, parseWorkflow } from '@budflow/core';
import { benchWorkflow, type BenchFigures } from '@budflow/cli/bench';
import { baseNodes } from '@budflow/nodes-base';
import type { JsonObject } from '@budflow/node-sdk';

export type BenchResult = BenchFigures & { status: string };

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
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
  const figures = await benchWorkflow(name, workflow, options, { maxRuns, minMs }).catch(
    (error: unknown) => {
      throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    },
  );
  const result: BenchResult = { ...figures, status: 'ok' };
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
