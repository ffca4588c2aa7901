import {
  parseWorkflow,
  runDataFromEvents,
  runWorkflow,
  type EngineStateSnapshot,
  type ExecutionEvent,
  type NodeRegistry,
  type RunWorkflowOptions,
  type RunWorkflowResult,
  type Workflow,
} from '@budflow/core';
import {
  BudflowError,
  createInMemoryBinaryHelpers,
  type ExpressionEvaluator,
  type Item,
  type JsonObject,
  type Logger,
  type RunData,
} from '@budflow/node-sdk';
import {
  permanentJobError,
  type EnqueueOptions,
  type ExecutionJobData,
  type ExecutionJobResult,
  type JobContext,
  type JobHandler,
} from '@budflow/queue';
import type { ExecutionChannel } from '@budflow/queue/bullmq';
import {
  recoverExecution,
  type ExecutionRecorder,
  type Storage,
  type StoredExecution,
} from '@budflow/storage';
import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { Logger as PinoLogger } from 'pino';
import type { WorkerRecorder } from './group-commit-recorder.js';

export interface ProcessorMetrics {
  started(kind: 'run' | 'recover' | 'resume'): void;
  finished(status: ExecutionJobResult['status'], seconds: number): void;
}

export interface ExecutionProcessorOptions {
  storage: Storage;
  registry: NodeRegistry;
  evaluator?: ExpressionEvaluator;
  /**
   * Records events and results (one per worker: its heartbeat renews every lease); `record`
   * returns the event's JSON, published live as it is.
   */
  recorder: Pick<WorkerRecorder, keyof ExecutionRecorder | 'record' | 'expect' | 'pureNodes'>;
  /** Live events and webhook responses to the mains (omit to publish nothing). */
  channel?: Required<ExecutionChannel>;
  /** Publish every engine event (the webhook responses are sent regardless). */
  liveEvents?: boolean;
  /** Enqueues the resume of a run that waits on a timer. */
  enqueue?: (data: ExecutionJobData, options: EnqueueOptions) => Promise<unknown>;
  logger: PinoLogger;
  /** Starts of one job (crashes included) before the execution is marked failed (default 3). */
  maxAttempts?: number;
  /** Executions in the engine at once (default: as many as the queue hands over). */
  concurrency?: number;
  publicUrl?: string;
  timezone?: string;
  executionTimeoutMs?: number;
  metrics?: ProcessorMetrics;
}

export interface ExecutionProcessor {
  handler: JobHandler;
  /** Aborts an execution running in this worker; false when it does not run here. */
  cancel(executionId: string, reason?: string): boolean;
  /** Executions in the engine now (not those waiting for a place or for their last commit). */
  readonly running: number;
}

const TERMINAL = new Set(['success', 'error', 'canceled']);

/** The events after which a run's engine does nothing more. */
const END_EVENTS = new Set([
  'execution.finished',
  'execution.failed',
  'execution.canceled',
  'execution.waiting',
]);

/** Categories whose nodes only compute (no effect outside the run) unless marked `sideEffects`. */
const PURE_CATEGORIES = new Set(['flow', 'transform', 'trigger', 'files']);

export const WORKER_ERROR_CODES = {
  EXECUTION_POISON: 'EXECUTION_POISON',
  EXECUTION_CANCELED: 'EXECUTION_CANCELED',
} as const;

/** The nodes' logger of one run: its pino child is made on the first line logged (most runs log none). */
function nodeLogger(child: () => PinoLogger): Logger {
  let logger: PinoLogger | undefined;
  const get = () => (logger ??= child());
  return {
    debug: (m, meta) => get().debug(meta ?? {}, m),
    info: (m, meta) => get().info(meta ?? {}, m),
    warn: (m, meta) => get().warn(meta ?? {}, m),
    error: (m, meta) => get().error(meta ?? {}, m),
  };
}

function toResult(result: RunWorkflowResult, recovered: boolean): ExecutionJobResult {
  return {
    executionId: result.executionId,
    status: result.status,
    lastNodeExecuted: result.lastNodeExecuted ?? null,
    error: result.error
      ? {
          name: result.error.name,
          ...(typeof result.error.code === 'string' ? { code: result.error.code } : {}),
          message: result.error.message,
        }
      : null,
    waitTill: result.waitTill ? result.waitTill.getTime() : null,
    output: (result.output as unknown[][] | undefined) ?? null,
    recovered,
  };
}

function fromRow(row: StoredExecution): ExecutionJobResult {
  return {
    executionId: row.id,
    status: row.status as ExecutionJobResult['status'],
    lastNodeExecuted: row.lastNodeExecuted ?? null,
    error: row.error ? { ...row.error, message: row.error.message } : null,
    waitTill: row.waitTill ?? null,
    output: null,
    recovered: false,
  };
}

/**
 * The worker's job handler: loads the execution row and its workflow and runs it with the same
 * engine as the single-process server, recording events and results in storage. A job whose
 * earlier attempt died (the row is `running` with events) is recovered from its event log, so
 * only the node that was running repeats. A missing row is a dead letter; a job started more than
 * `maxAttempts` times (it crashes its worker every time) is marked failed and stopped.
 */
export function createExecutionProcessor(o: ExecutionProcessorOptions): ExecutionProcessor {
  const maxAttempts = o.maxAttempts ?? 3;
  /**
   * Places in the engine: a run holds one until its last event, not while the group commit of
   * that event completes (give the queue more concurrency than this for those waits).
   */
  const slots = pLimit(o.concurrency ?? Number.POSITIVE_INFINITY);
  /**
   * The rows of the jobs taken in the same turn are read with one query (a worker at high
   * concurrency takes many jobs at once). Never cached: each read must see the current row.
   */
  const rows = new DataLoader<string, StoredExecution | undefined>(
    async (ids) => {
      const found = new Map((await o.storage.executions.getMany(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id));
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (callback) => setImmediate(callback) },
  );
  const controllers = new Map<string, AbortController>();
  const helpers = createInMemoryBinaryHelpers();
  // Stateless: one for every run.
  const credentials = o.storage.credentials.resolver();
  const workflowLoader = {
    load: async (id: string) => {
      const wf = await o.storage.workflows.get(id);
      if (!wf) throw new BudflowError('NOT_FOUND', `sub-workflow '${id}' does not exist`);
      return wf.document;
    },
  };
  const varsCache = new Map<string, { at: number; vars: Record<string, string> }>();

  const vars = async (projectId: string | null): Promise<Record<string, string>> => {
    const key = projectId ?? '';
    const cached = varsCache.get(key);
    // Variables change on the mains: a short cache keeps the lookups off the hot path.
    if (cached && Date.now() - cached.at < 5_000) return cached.vars;
    const global = await o.storage.variables.asRecord(null);
    const value = projectId
      ? { ...global, ...(await o.storage.variables.asRecord(projectId)) }
      : global;
    varsCache.set(key, { at: Date.now(), vars: value });
    return value;
  };

  const pureCache = new WeakMap<JsonObject, ReadonlySet<string>>();
  /** The nodes of a workflow that cannot have side effects (their re-run is harmless). */
  const pureNodesOf = (document: JsonObject): ReadonlySet<string> => {
    let names = pureCache.get(document);
    if (names) return names;
    const found = new Set<string>();
    for (const node of (document.nodes as JsonObject[] | undefined) ?? []) {
      if (typeof node.name !== 'string' || typeof node.type !== 'string') continue;
      const version = typeof node.typeVersion === 'number' ? node.typeVersion : undefined;
      const definition = o.registry.resolve(node.type, version)?.definition;
      if (
        definition &&
        definition.sideEffects !== true &&
        PURE_CATEGORIES.has(definition.category)
      ) {
        found.add(node.name);
      }
    }
    names = found;
    pureCache.set(document, names);
    return names;
  };

  /**
   * Parsed documents, keyed by the document object: a cached saved version is parsed (validated,
   * its graph built) once, not on every run.
   */
  const parsedCache = new WeakMap<JsonObject, Workflow>();
  const parsedOf = (document: JsonObject): Workflow => {
    let parsed = parsedCache.get(document);
    if (!parsed)
      parsedCache.set(document, (parsed = parseWorkflow(document, { registry: o.registry })));
    return parsed;
  };

  /** Saved versions never change: their documents are cached (bounded). */
  const versions = new Map<string, JsonObject>();
  /** Workflow → project, for `$vars` and live events (refreshed every few seconds). */
  const projects = new Map<string, { at: number; projectId: string | null }>();

  const projectOf = async (workflowId: string | null): Promise<string | null> => {
    if (!workflowId) return null;
    const cached = projects.get(workflowId);
    if (cached && Date.now() - cached.at < 5_000) return cached.projectId;
    const workflow = await o.storage.workflows.get(workflowId);
    const projectId = workflow?.projectId ?? null;
    projects.set(workflowId, { at: Date.now(), projectId });
    return projectId;
  };

  const documentOf = async (row: StoredExecution): Promise<JsonObject | undefined> => {
    if (row.workflowId && row.workflowVersionId) {
      // A saved version is the run's snapshot (mains store a document only for unsaved runs).
      const key = `${row.workflowId}@${row.workflowVersionId}`;
      const cached = versions.get(key);
      if (cached) return cached;
      const version = await o.storage.workflows.getVersion(row.workflowId, row.workflowVersionId);
      if (version) {
        if (versions.size >= 500) versions.delete(versions.keys().next().value!);
        versions.set(key, version.document);
        return version.document;
      }
    }
    const data = await o.storage.executions.getData(row.id, { runData: false });
    if (data?.workflow) return data.workflow;
    if (!row.workflowId) return undefined;
    return (await o.storage.workflows.get(row.workflowId))?.document;
  };

  /**
   * The recorder, plus live events to the mains. Once `released()` (shutdown past its grace
   * period) nothing more is recorded: the row stays `running` and the next worker recovers it.
   */
  const observerFor = (
    executionId: string,
    workflowId: string | null,
    projectId: string | null,
    released: () => boolean,
  ): { observer: ExecutionRecorder; settled: () => Promise<void> } => {
    const channel = o.liveEvents === false ? undefined : o.channel;
    const failed = (error: unknown) => o.logger.warn({ err: error }, 'live event not published');
    /** Commit of this execution's end, awaited by the job once the engine has let go. */
    let last: Promise<void> | undefined;
    const observer: ExecutionRecorder = {
      ...o.recorder,
      leaseOwner: o.recorder.leaseOwner,
      // Synchronous unless the engine must wait (a checkpoint it needs durable): node.started
      // and the checkpoints of pure nodes cost the engine no promise.
      onEvent: (event) => {
        if (released()) return;
        // Serialized once, for the event log and for the mains.
        const { json, committed } = o.recorder.record(event);
        const publish = () => {
          void channel
            ?.publishEvent({ executionId: event.executionId, workflowId, projectId }, json)
            .catch(failed);
        };
        if (committed && event.executionId === executionId && END_EVENTS.has(event.type)) {
          // The run's last event: the engine need not wait for its commit (nothing runs after
          // it), so its place is free for the next execution while the group commit completes.
          last = committed.then(publish);
          last.catch(() => undefined);
          return;
        }
        if (committed) return committed.then(publish);
        publish();
      },
    };
    return { observer, settled: () => last ?? Promise.resolve() };
  };

  const markFailed = async (id: string, code: string, message: string) => {
    await o.storage.executions.update(id, {
      status: 'error',
      stoppedAt: Date.now(),
      leaseOwner: null,
      leaseExpiresAt: null,
      error: { name: 'BudflowError', code, message },
    });
  };

  const baseOptions = async (
    row: StoredExecution,
    document: JsonObject,
    signal: AbortSignal,
    data: ExecutionJobData,
  ): Promise<Omit<RunWorkflowOptions, 'observer'>> => {
    const projectId = await projectOf(row.workflowId);
    const settings = (document.settings ?? {}) as JsonObject;
    const hasTimeout =
      typeof settings.executionTimeout === 'number' && settings.executionTimeout > 0;
    const channel = o.channel;
    return {
      registry: o.registry,
      ...(o.evaluator ? { evaluator: o.evaluator } : {}),
      credentials,
      helpers,
      workflowLoader,
      logger: nodeLogger(() => o.logger.child({ executionId: row.id, workflowId: row.workflowId })),
      executionId: row.id,
      mode: row.mode,
      signal,
      ...(o.timezone ? { timezone: o.timezone } : {}),
      vars: await vars(projectId),
      resumeUrl: `${o.publicUrl ?? 'http://localhost:5678'}/webhook-waiting/${row.id}`,
      ...(channel && data.start?.respond
        ? {
            onResponse: (response) => {
              channel
                .publish({ type: 'response', executionId: row.id, response })
                .catch((error: unknown) =>
                  o.logger.error({ err: error, executionId: row.id }, 'response not published'),
                );
            },
          }
        : {}),
      ...(!hasTimeout && (o.executionTimeoutMs ?? 0) > 0
        ? { timeoutMs: o.executionTimeoutMs! }
        : {}),
    };
  };

  /** A run claimed for a resume (by the main) but not started: continue from its wait. */
  const resumeFromWait = async (
    row: StoredExecution,
    document: JsonObject,
    events: ExecutionEvent[],
    state: EngineStateSnapshot,
    options: Omit<RunWorkflowOptions, 'observer'>,
    observer: ExecutionRecorder,
    resumeItems: Item[] | undefined,
  ) => {
    const runData: RunData = runDataFromEvents(events);
    const lastSeq = events.length === 0 ? -1 : events[events.length - 1]!.seq;
    await o.storage.executions.update(row.id, {
      status: 'running',
      waitTill: null,
      leaseOwner: o.recorder.leaseOwner,
    });
    o.recorder.continueExecution(row.id, { lastSeq, runData });
    return runWorkflow(parsedOf(document), {
      ...options,
      observer,
      resume: { runData: structuredClone(runData), state, ...(resumeItems ? { resumeItems } : {}) },
    });
  };

  const run = async (data: ExecutionJobData, ctx: JobContext): Promise<ExecutionJobResult> => {
    const id = data.executionId;
    let row = await rows.load(id);
    // A main may enqueue a moment before its row commits: look again briefly before giving up.
    for (const delay of [50, 250, 1000]) {
      if (row) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
      row = await rows.load(id);
    }
    if (!row) {
      throw permanentJobError(
        `execution '${id}' does not exist: it was deleted before a worker took the job`,
      );
    }
    if (TERMINAL.has(row.status)) {
      // Delivered again after it finished (the worker died before acknowledging): nothing to do.
      return fromRow(row);
    }
    if (ctx.job.attempt > maxAttempts) {
      const message = `execution '${id}' was stopped after ${maxAttempts} attempts: it interrupted its worker every time`;
      await markFailed(id, WORKER_ERROR_CODES.EXECUTION_POISON, message);
      o.logger.error({ executionId: id, attempts: ctx.job.attempt - 1 }, 'poison execution');
      throw permanentJobError(message);
    }
    const document = await documentOf(row);
    if (!document) throw permanentJobError(`the workflow of execution '${id}' is not stored`);

    const controller = new AbortController();
    let released = false;
    // The job's signal fires only on shutdown past the grace period: release, do not cancel.
    const onAbort = () => {
      released = true;
      controller.abort(ctx.signal.reason);
    };
    if (ctx.signal.aborted) onAbort();
    else ctx.signal.addEventListener('abort', onAbort, { once: true });
    controllers.set(id, controller);
    o.recorder.pureNodes(id, pureNodesOf(document));
    const startedAt = performance.now();
    try {
      const options = await baseOptions(row, document, controller.signal, data);
      const { observer, settled } = observerFor(
        id,
        row.workflowId,
        await projectOf(row.workflowId),
        () => released,
      );
      const resumeItems = data.start?.resumeItems as Item[] | undefined;
      const engine = async (): Promise<
        { result: RunWorkflowResult; recovered: boolean } | ExecutionJobResult
      > => {
        // A run from its start, as the main asked for it (also when a claim died before any event).
        const runFromStart = async () => {
          o.metrics?.started('run');
          o.recorder.expect(id);
          const start = data.start ?? {};
          const result = await runWorkflow(parsedOf(document), {
            ...options,
            observer,
            ...(start.input ? { input: start.input as Item[] } : {}),
            ...(start.startNode ? { startNode: start.startNode } : {}),
            ...(start.destinationNode ? { destinationNode: start.destinationNode } : {}),
            ...(start.pinData ? { pinData: start.pinData as RunWorkflowOptions['pinData'] } : {}),
            ...(start.runData ? { runData: start.runData as RunData } : {}),
          });
          return { result, recovered: false };
        };
        if (row.status === 'new') return runFromStart();
        const events = await o.storage.executions.listEvents<ExecutionEvent>(id);
        const last = events[events.length - 1];
        if (
          row.status === 'waiting' ||
          (last?.type === 'execution.waiting' && data.kind === 'resume')
        ) {
          // A timer or webhook resume; a `waiting` row may also be a resume claimed by a main.
          if (last?.type !== 'execution.waiting') {
            throw permanentJobError(`execution '${id}' has no saved state to resume from`);
          }
          if (row.status === 'waiting' && data.kind !== 'resume') return fromRow(row);
          o.metrics?.started('resume');
          const result = await resumeFromWait(
            row,
            document,
            events,
            last.state,
            options,
            observer,
            resumeItems,
          );
          return { result, recovered: false };
        }
        // Claimed but died before its first event: nothing ran yet, start it over.
        if (events.length === 0) return runFromStart();
        // An earlier worker died mid-run: continue after the last node that finished.
        o.metrics?.started('recover');
        o.logger.warn(
          { executionId: id, attempt: ctx.job.attempt },
          'recovering an interrupted execution from its event log',
        );
        const { executionId: _e, mode: _m, ...rest } = options;
        const result = await recoverExecution(o.storage, id, { ...rest, recorder: observer });
        return { result, recovered: true };
      };
      // The summary only: the run's data is not kept while the job waits for its commit.
      const { ran, summary } = await slots(async () => {
        const outcome = await engine();
        return 'result' in outcome
          ? { ran: true, summary: toResult(outcome.result, outcome.recovered) }
          : { ran: false, summary: outcome };
      });
      if (!ran) return summary;
      // Completing the job says the run is stored: wait for the commit of its end.
      await settled();

      if (released) {
        throw new Error(`execution '${id}' was released: its worker shut down before it finished`);
      }
      if (summary.status === 'waiting' && summary.waitTill !== null && o.enqueue) {
        const at = summary.waitTill;
        await o.enqueue(
          { executionId: id, workflowId: row.workflowId, kind: 'resume' },
          { jobId: `${id}:resume:${at}`, delayMs: Math.max(0, at - Date.now()) },
        );
      }
      o.metrics?.finished(summary.status, (performance.now() - startedAt) / 1000);
      return summary;
    } finally {
      controllers.delete(id);
      ctx.signal.removeEventListener('abort', onAbort);
    }
  };

  return {
    handler: run,
    cancel(executionId, reason) {
      const controller = controllers.get(executionId);
      if (!controller) return false;
      controller.abort(
        new BudflowError(
          WORKER_ERROR_CODES.EXECUTION_CANCELED,
          reason ?? `execution ${executionId} was canceled`,
        ),
      );
      return true;
    },
    get running() {
      return slots.activeCount;
    },
  };
}
