import type { Command } from 'commander';
import { parseWorkflow, runWorkflow } from '@budflow/core';
import { defaultRegistry } from '../registry.js';
import { EXIT, printJson, printLine } from '../output.js';
import { readWorkflowFile } from '../workflow-file.js';

interface BenchOptions {
  repeat: string;
  json?: boolean;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/**
 * `budflow bench <workflow> [--repeat N] [--json]`: times one workflow the way n8n's reference
 * harness does (one warm-up run, then N timed runs in this process, library mode, no
 * persistence). A pinned node returns its pinned items, as in a normal run.
 */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('time a workflow: one warm-up, then N runs in this process (library mode)')
    .argument('<file>', 'workflow file (.yaml/.yml or n8n .json)')
    .option('--repeat <n>', 'timed runs', '50')
    .option('--json', 'print the figures as one JSON object')
    .action(async (file: string, options: BenchOptions) => {
      const repeat = Number(options.repeat);
      if (!Number.isInteger(repeat) || repeat < 1) {
        process.stderr.write(`--repeat must be a positive whole number, got '${options.repeat}'\n`);
        process.exitCode = EXIT.USAGE;
        return;
      }
      const registry = defaultRegistry();
      const workflow = parseWorkflow(await readWorkflowFile(file, registry), { registry });
      const warm = await runWorkflow(workflow, { registry });
      if (warm.status !== 'success') {
        process.stderr.write(`warm-up run ${warm.status}: ${warm.error?.message ?? ''}\n`);
        process.exitCode = EXIT.FAILED;
        return;
      }
      const times: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const t0 = performance.now();
        const result = await runWorkflow(workflow, { registry });
        times.push(performance.now() - t0);
        if (result.status !== 'success') {
          process.stderr.write(`run ${i + 1} ${result.status}: ${result.error?.message ?? ''}\n`);
          process.exitCode = EXIT.FAILED;
          return;
        }
      }
      const total = times.reduce((a, b) => a + b, 0);
      const sorted = [...times].sort((a, b) => a - b);
      const figures = {
        name: workflow.name ?? file,
        runs: repeat,
        execPerSec: Number((repeat / (total / 1000)).toFixed(1)),
        meanMs: Number((total / repeat).toFixed(3)),
        medianMs: Number(percentile(sorted, 50).toFixed(3)),
        p99Ms: Number(percentile(sorted, 99).toFixed(3)),
        peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
      };
      if (options.json) printJson(figures);
      else {
        printLine(
          `${figures.name}: ${figures.execPerSec} exec/s, mean ${figures.meanMs} ms, median ${figures.medianMs} ms, p99 ${figures.p99Ms} ms, peak RSS ${figures.peakRssMb} MiB (${repeat} runs)`,
        );
      }
    });
}
