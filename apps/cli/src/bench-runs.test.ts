import { parseWorkflowYaml } from '@budflow/core';
import { describe, expect, it } from 'vitest';
import { BenchRunError, benchWorkflow, percentile } from './bench-runs.js';
import { defaultRegistry } from './registry.js';

const registry = defaultRegistry();

/** A manual trigger followed by one node of `type`, with `params` as YAML flow mappings. */
function workflow(type: string, params = '{}') {
  return parseWorkflowYaml(
    `name: bench test\ntrigger: manual\nnodes:\n  Next:\n    type: ${type}\n    params: ${params}\n`,
    { registry },
  );
}

describe('benchWorkflow', () => {
  it('times exactly maxRuns runs after a warm-up when no minimum time is set', async () => {
    const figures = await benchWorkflow('noop', workflow('noOp'), { registry }, { maxRuns: 7 });
    expect(figures.name).toBe('noop');
    expect(figures.runs).toBe(7);
    expect(figures.execPerSec).toBeGreaterThan(0);
    expect(figures.meanMs).toBeGreaterThan(0);
    expect(figures.medianMs).toBeLessThanOrEqual(figures.p99Ms);
    expect(figures.peakRssMb).toBeGreaterThan(10);
  });

  it('with a minimum time, runs at least five times and until that time has passed', async () => {
    const started = performance.now();
    const figures = await benchWorkflow(
      'noop',
      workflow('noOp'),
      { registry },
      { maxRuns: 1_000_000, minMs: 50 },
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
    expect(figures.runs).toBeGreaterThanOrEqual(5);
    const capped = await benchWorkflow(
      'noop',
      workflow('noOp'),
      { registry },
      { maxRuns: 3, minMs: 60_000 },
    );
    expect(capped.runs).toBe(3);
  });

  it('throws BenchRunError naming the run that failed', async () => {
    const failing = workflow('stopAndError', '{ errorMessage: planned failure }');
    const error = await benchWorkflow('fails', failing, { registry }, { maxRuns: 3 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BenchRunError);
    expect((error as Error).message).toMatch(/^warm-up run error: planned failure/);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile(sorted, 100)).toBe(100);
    expect(percentile([4], 99)).toBe(4);
    expect(percentile([], 50)).toBe(0);
  });
});
