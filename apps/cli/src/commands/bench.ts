import type { Command } from 'commander';
import { parseWorkflow } from '@budflow/core';
import { BenchRunError, benchWorkflow, type BenchFigures } from '../bench-runs.js';
import { defaultRegistry } from '../registry.js';
import { EXIT, printJson, printLine } from '../output.js';
import { readWorkflowFile } from '../workflow-file.js';

interface BenchOptions {
  repeat: string;
  json?: boolean;
}

/**
 * `budflow bench <workflow> [--repeat N] [--json]`: times one workflow the way n8n's reference
 * harness does (one warm-up run, then N timed runs in this process, library mode, no
 * persistence), with the loop `pnpm bench` uses. A pinned node returns its pinned items, as in a
 * normal run.
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
      let figures: BenchFigures;
      try {
        figures = await benchWorkflow(
          workflow.name ?? file,
          workflow,
          { registry },
          {
            maxRuns: repeat,
          },
        );
      } catch (error) {
        if (!(error instanceof BenchRunError)) throw error;
        process.stderr.write(`${error.message}\n`);
        process.exitCode = EXIT.FAILED;
        return;
      }
      if (options.json) printJson(figures);
      else {
        printLine(
          `${figures.name}: ${figures.execPerSec} exec/s, mean ${figures.meanMs} ms, median ${figures.medianMs} ms, p99 ${figures.p99Ms} ms, CPU ${figures.cpuMsPerExec} ms/exec, peak RSS ${figures.peakRssMb} MiB (${repeat} runs)`,
        );
      }
    });
}
