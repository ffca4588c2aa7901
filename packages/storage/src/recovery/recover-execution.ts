import {
  runDataFromEvents,
  runWorkflow,
  type EngineStateSnapshot,
  type ExecutionEvent,
  type RunWorkflowOptions,
  type RunWorkflowResult,
} from '@budflow/core';
import { BudflowError, type Item, type JsonObject, type RunData } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES } from '../errors.js';
import {
  createExecutionRecorder,
  type ExecutionRecorder,
  type ExecutionRecorderOptions,
} from '../events/execution-recorder.js';
import type { StoredExecution } from '../repositories/execution-repository.js';
import type { Storage } from '../storage.js';

/** What the event log says about an interrupted execution. */
export interface RecoveryPoint {
  execution: StoredExecution;
  /** The workflow as it ran (snapshot), else its current saved version. */
  workflow: JsonObject;
  events: ExecutionEvent[];
  /** Run data rebuilt from the `node.finished` events. */
  runData: RunData;
  /** Engine state after the last finished node; undefined when no node finished yet. */
  state: EngineStateSnapshot | undefined;
  /** Where the run began, for a restart from the beginning. */
  startNode: string | undefined;
  input: Item[] | undefined;
  lastSeq: number;
  lastFinishedNode: string | undefined;
}

function notRecoverable(id: string, reason: string): BudflowError {
  return new BudflowError(
    STORAGE_ERROR_CODES.EXECUTION_NOT_RECOVERABLE,
    `execution '${id}' cannot be recovered: ${reason}`,
    { details: { executionId: id } },
  );
}

/** Rebuilds an execution's resumable state from its event log. */
export async function loadRecoveryPoint(storage: Storage, id: string): Promise<RecoveryPoint> {
  const execution = await storage.executions.get(id);
  if (!execution) throw notRecoverable(id, 'it does not exist');
  const events = await storage.executions.listEvents<ExecutionEvent>(id);
  // The snapshot alone: run data not stored would be rebuilt from the log read just above.
  const data = await storage.executions.getData(id, { runData: false });
  let workflow = data?.workflow ?? undefined;
  if (!workflow && execution.workflowId) {
    const version = execution.workflowVersionId
      ? await storage.workflows.getVersion(execution.workflowId, execution.workflowVersionId)
      : undefined;
    workflow = version?.document ?? (await storage.workflows.get(execution.workflowId))?.document;
  }
  if (!workflow) throw notRecoverable(id, 'its workflow is not stored');

  let state: EngineStateSnapshot | undefined;
  let lastFinishedNode: string | undefined;
  let started: Extract<ExecutionEvent, { type: 'execution.started' }> | undefined;
  for (const event of events) {
    if (event.type === 'execution.started') started ??= event;
    if (event.type === 'node.finished') {
      state = event.state;
      lastFinishedNode = event.nodeName;
    }
  }
  if (!started && !state) throw notRecoverable(id, 'it has no events: it never started');
  return {
    execution,
    workflow,
    events,
    runData: runDataFromEvents(events),
    state,
    startNode: started?.startNode,
    input: started?.input,
    lastSeq: events.length === 0 ? -1 : events[events.length - 1]!.seq,
    lastFinishedNode,
  };
}

export type RecoverRunOptions = Omit<
  RunWorkflowOptions,
  'executionId' | 'observer' | 'resume' | 'runData' | 'destinationNode'
> & {
  /** Records the resumed run (default: a new recorder on `storage`). */
  recorder?: ExecutionRecorder;
  recorderOptions?: ExecutionRecorderOptions;
};

/**
 * Resumes an interrupted execution after its last finished node, appending to the same event
 * log. The node that was running when the process died runs again: nodes with side effects are
 * at-least-once. Without a finished node the run restarts from its start node and input.
 */
export async function recoverExecution(
  storage: Storage,
  id: string,
  options: RecoverRunOptions,
): Promise<RunWorkflowResult> {
  const point = await loadRecoveryPoint(storage, id);
  if (point.execution.status !== 'running' && point.execution.status !== 'crashed') {
    throw notRecoverable(id, `its status is '${point.execution.status}', not interrupted`);
  }
  const { recorder: given, recorderOptions, ...runOptions } = options;
  const recorder = given ?? createExecutionRecorder(storage, recorderOptions);
  const claimed = await storage.executions.updateIfStatus(id, ['running', 'crashed'], {
    status: 'running',
    stoppedAt: null,
    error: null,
  });
  if (!claimed) throw notRecoverable(id, 'its status changed while recovering');
  recorder.continueExecution(id, { lastSeq: point.lastSeq, runData: point.runData });
  const result = await runWorkflow(point.workflow, {
    ...runOptions,
    executionId: id,
    mode: point.execution.mode,
    observer: recorder,
    ...(point.state
      ? { resume: { runData: structuredClone(point.runData), state: point.state } }
      : {
          ...(point.startNode ? { startNode: point.startNode } : {}),
          ...(point.input ? { input: point.input } : {}),
        }),
  });
  if (result.lastNodeExecuted === undefined && point.lastFinishedNode !== undefined) {
    // Nothing was left to run: the result is the last node that finished before the crash.
    const runs = result.runData[point.lastFinishedNode];
    const last = runs?.[runs.length - 1];
    return {
      ...result,
      lastNodeExecuted: point.lastFinishedNode,
      output: last?.data?.main?.map((o) => o ?? []),
    };
  }
  return result;
}

/**
 * Resumes a waiting execution (Wait node, webhook resume) from the state in its
 * `execution.waiting` event. Only one caller wins: a second resume of the same execution fails
 * with `EXECUTION_NOT_RECOVERABLE`.
 */
export async function resumeWaitingExecution(
  storage: Storage,
  id: string,
  options: RecoverRunOptions & { resumeItems?: Item[] },
): Promise<RunWorkflowResult> {
  const point = await loadRecoveryPoint(storage, id);
  let waiting: Extract<ExecutionEvent, { type: 'execution.waiting' }> | undefined;
  for (const event of point.events) if (event.type === 'execution.waiting') waiting = event;
  if (point.execution.status !== 'waiting' || !waiting) {
    throw notRecoverable(id, `it is not waiting (status '${point.execution.status}')`);
  }
  const { recorder: given, recorderOptions, resumeItems, ...runOptions } = options;
  const recorder = given ?? createExecutionRecorder(storage, recorderOptions);
  const claimed = await storage.executions.updateIfStatus(id, ['waiting'], {
    status: 'running',
    waitTill: null,
    leaseOwner: recorder.leaseOwner,
    leaseExpiresAt: null,
  });
  if (!claimed) throw notRecoverable(id, 'it was resumed by another caller');
  recorder.continueExecution(id, { lastSeq: point.lastSeq, runData: point.runData });
  return runWorkflow(point.workflow, {
    ...runOptions,
    executionId: id,
    mode: point.execution.mode,
    observer: recorder,
    resume: {
      runData: structuredClone(point.runData),
      state: waiting.state,
      ...(resumeItems ? { resumeItems } : {}),
    },
  });
}

export interface RecoverStaleOptions extends RecoverRunOptions {
  /** This process, as written to the lease columns. */
  owner?: string;
  leaseMs?: number;
  /** `recover` (default) resumes them; `mark` only marks them `crashed`. */
  action?: 'recover' | 'mark';
  limit?: number;
}

export interface StaleExecutionOutcome {
  executionId: string;
  outcome: 'recovered' | 'crashed';
  status?: RunWorkflowResult['status'];
  error?: string;
}

/**
 * The start-up scan: finds executions left `running` by a process whose lease expired, claims each
 * one (so two scanners never take the same), and recovers it or marks it `crashed`.
 */
export async function recoverStaleExecutions(
  storage: Storage,
  options: RecoverStaleOptions,
): Promise<StaleExecutionOutcome[]> {
  const { owner: givenOwner, leaseMs = 60_000, action = 'recover', limit, ...runOptions } = options;
  const recorder =
    runOptions.recorder ??
    createExecutionRecorder(storage, {
      ...runOptions.recorderOptions,
      ...(givenOwner ? { leaseOwner: givenOwner } : {}),
      leaseMs,
    });
  const now = (runOptions.recorderOptions?.now ?? Date.now)();
  const claimed = await storage.executions.claimStale({
    now,
    owner: recorder.leaseOwner,
    leaseMs,
    ...(limit === undefined ? {} : { limit }),
  });
  const outcomes: StaleExecutionOutcome[] = [];
  for (const execution of claimed) {
    if (execution.mode === 'integrated' || execution.parentExecutionId !== null) {
      // A sub-workflow run is re-run by its parent's recovery (the Execute Workflow node did not
      // finish); recovering it on its own as well would do the work twice.
      await markCrashed(storage, execution.id, now, 'its parent execution re-runs it');
      outcomes.push({ executionId: execution.id, outcome: 'crashed' });
      continue;
    }
    if (action === 'recover') {
      try {
        const result = await recoverExecution(storage, execution.id, { ...runOptions, recorder });
        outcomes.push({ executionId: execution.id, outcome: 'recovered', status: result.status });
        continue;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await markCrashed(storage, execution.id, now, message);
        outcomes.push({ executionId: execution.id, outcome: 'crashed', error: message });
        continue;
      }
    }
    await markCrashed(storage, execution.id, now, 'the process running it stopped');
    outcomes.push({ executionId: execution.id, outcome: 'crashed' });
  }
  return outcomes;
}

async function markCrashed(storage: Storage, id: string, now: number, reason: string) {
  await storage.executions.update(id, {
    status: 'crashed',
    stoppedAt: now,
    leaseOwner: null,
    leaseExpiresAt: null,
    error: {
      name: 'BudflowError',
      code: 'EXECUTION_CRASHED',
      message: `execution '${id}' was interrupted: ${reason}`,
    },
  });
}
