import {
  runWorkflow,
  systemClock,
  type RunWorkflowOptions,
  type RunWorkflowResult,
} from '@budflow/core';
import type { JsonObject } from '@budflow/node-sdk';

/** Waits longer than this are not slept through by `budflow run` (the server parks them). */
export const MAX_INLINE_WAIT_MS = 5 * 60_000;

/**
 * Runs a workflow and, when a node parks it until a time (Wait), sleeps on the clock and resumes
 * it, as a one-shot CLI run should. Waits on a webhook call, or longer than `maxWaitMs`, end the
 * run in the `waiting` state.
 */
export async function runToCompletion(
  workflow: JsonObject,
  options: RunWorkflowOptions & { maxWaitMs?: number; onWait?: (until: Date) => void },
): Promise<RunWorkflowResult> {
  const { maxWaitMs = MAX_INLINE_WAIT_MS, onWait, ...runOptions } = options;
  const clock = runOptions.clock ?? systemClock;
  let result = await runWorkflow(workflow, runOptions);
  while (result.status === 'waiting' && result.waitTill && result.state) {
    const ms = Math.max(0, result.waitTill.getTime() - clock.now());
    if (ms > maxWaitMs) break;
    onWait?.(result.waitTill);
    await clock.sleep(ms, runOptions.signal);
    result = await runWorkflow(workflow, {
      ...runOptions,
      executionId: result.executionId,
      resume: { runData: result.runData, state: result.state },
    });
  }
  return result;
}
