/**
 * The timing loop of `budflow bench` and of `pnpm bench` (`@budflow/cli/bench`): one warm-up run,
 * then timed runs of one workflow in this process, the way n8n's reference harness times its
 * engine. Imports nothing but `@budflow/core`, so a process that loads it measures library mode.
 */
import { runWorkflow, type RunWorkflowOptions, type Workflow } from '@budflow/core';

export interface BenchFigures {
  name: string;
  runs: number;
  execPerSec: number;
  meanMs: number;
  medianMs: number;
  p99Ms: number;
  /** CPU time of the whole process (every thread: sandbox workers, GC helpers) per execution. */
  cpuMsPerExec: number;
  /** The process's peak resident set size so far (`maxRSS`), in MiB. */
  peakRssMb: number;
}

export interface BenchRunsOptions {
  /** Stop after this many timed runs. */
  maxRuns: number;
  /** Keep running (up to `maxRuns`) until this much time has passed; at least 5 runs then. */
  minMs?: number;
}

/** A run that did not succeed, with its label ("warm-up run", "run 3"). */
export class BenchRunError extends Error {
  override readonly name = 'BenchRunError';
}

/** The value at percentile `p` (0-100) of ascending `sorted` (nearest rank); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

/**
 * Times `workflow`: one warm-up run, then runs until `maxRuns` or, with `minMs`, until that much
 * time has passed (at least 5 runs). Each run's result is checked and dropped at once: a result
 * kept while the next runs execute (items-10k's holds ~10 MB of items) would be memory the
 * harness adds, not the engine. Throws `BenchRunError` for a run that does not succeed.
 */
export async function benchWorkflow(
  name: string,
  workflow: Workflow,
  options: RunWorkflowOptions,
  { maxRuns, minMs = 0 }: BenchRunsOptions,
): Promise<BenchFigures> {
  const runOnce = async (label: string): Promise<number> => {
    const t0 = performance.now();
    const result = await runWorkflow(workflow, options);
    const ms = performance.now() - t0;
    if (result.status !== 'success')
      throw new BenchRunError(`${label} ${result.status}: ${result.error?.message ?? ''}`);
    return ms;
  };
  await runOnce('warm-up run');
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  while (
    times.length < maxRuns &&
    (minMs === 0 || times.length < 5 || performance.now() - started < minMs)
  ) {
    times.push(await runOnce(`run ${times.length + 1}`));
  }
  const cpu = process.cpuUsage(cpuStart);
  const total = times.reduce((a, b) => a + b, 0);
  const sorted = [...times].sort((a, b) => a - b);
  return {
    name,
    runs: times.length,
    execPerSec: Number((times.length / (total / 1000)).toFixed(1)),
    meanMs: Number((total / times.length).toFixed(3)),
    medianMs: Number(percentile(sorted, 50).toFixed(3)),
    p99Ms: Number(percentile(sorted, 99).toFixed(3)),
    cpuMsPerExec: Number(((cpu.user + cpu.system) / 1000 / times.length).toFixed(3)),
    peakRssMb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
  };
}
