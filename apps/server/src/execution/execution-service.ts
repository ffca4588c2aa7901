import {
  runDataFromEvents,
  runWorkflow,
  type CredentialResolver,
  type EngineStateSnapshot,
  type ExecutionEvent,
  type ExecutionObserver,
  type NodeRegistry,
  type RunWorkflowOptions,
  type RunWorkflowResult,
  type Workflow,
} from '@budflow/core';
import {
  BudflowError,
  createInMemoryBinaryHelpers,
  type ExecutionMode,
  type ExpressionEvaluator,
  type Item,
  type JsonObject,
  type Logger,
  type RunData,
  type WebhookResponse,
} from '@budflow/node-sdk';
import {
  newId,
  type CreateExecutionInput,
  type Storage,
  type StoredExecution,
} from '@budflow/storage';
import type { Logger as PinoLogger } from 'pino';
import type { EventBus } from '../events/event-bus.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { ExecutionStartPayload } from '@budflow/queue';
import type { QueueModeExecutionJob } from '../queue-mode/queue-mode-execution-queue.js';
import type { ExecutionQueue } from './execution-queue.js';
import {
  createGroupCommitRecorder,
  type BatchWriter,
  type GroupCommitRecorder,
} from './group-commit-recorder.js';
import { httpError } from '../http/http-error.js';

export interface ExecutionRequest {
  workflowId: string | null;
  workflowVersionId?: string | null;
  projectId?: string | null;
  document: JsonObject;
  /** The document already parsed (active workflows cache it). */
  parsed?: Workflow;
  mode: ExecutionMode;
  input?: Item[];
  startNode?: string;
  destinationNode?: string;
  pinData?: RunWorkflowOptions['pinData'];
  runData?: RunData;
  retryOf?: string;
  onResponse?: (response: WebhookResponse) => void;
  /** Keep a successful run even when saving successful production runs is off. */
  forceSave?: boolean;
  priority?: number;
}

export interface StartedExecution {
  executionId: string;
  /** Settles when the run ends (never rejects for a workflow failure). */
  done: Promise<RunWorkflowResult>;
}

export interface ExecutionServiceOptions {
  storage: Storage;
  registry: NodeRegistry;
  evaluator: ExpressionEvaluator | undefined;
  queue: ExecutionQueue;
  bus: EventBus;
  metrics: ServerMetrics | undefined;
  logger: PinoLogger;
  publicUrl: string;
  timezone: string;
  executionTimeoutMs: number;
  saveSuccessfulExecutions: boolean;
  /** Commits execution events elsewhere (the storage writer worker). */
  writer?: BatchWriter;
}

const PRODUCTION_MODES = new Set(['webhook', 'trigger']);

/**
 * The nodes' logger of one execution: a pino child with the execution and workflow ids, made on
 * the first line logged (a child per execution, used by few, cost more than the run's events).
 */
function nodeLogger(logger: PinoLogger, bindings: Record<string, unknown>): Logger {
  let child: PinoLogger | undefined;
  const log = () => (child ??= logger.child(bindings));
  return {
    debug: (m, meta) => log().debug(meta ?? {}, m),
    info: (m, meta) => log().info(meta ?? {}, m),
    warn: (m, meta) => log().warn(meta ?? {}, m),
    error: (m, meta) => log().error(meta ?? {}, m),
  };
}

/** Node name to node type of a workflow document (for the node-duration metric's label). */
const nodeTypesByDocument = new WeakMap<JsonObject, Map<string, string>>();
function nodeTypesOf(document: JsonObject): Map<string, string> {
  let nodeTypes = nodeTypesByDocument.get(document);
  if (!nodeTypes) {
    nodeTypes = new Map();
    for (const node of (document.nodes as JsonObject[] | undefined) ?? []) {
      if (typeof node.name === 'string' && typeof node.type === 'string')
        nodeTypes.set(node.name, node.type);
    }
    nodeTypesByDocument.set(document, nodeTypes);
  }
  return nodeTypes;
}

/**
 * Runs executions: creates the execution row, queues the run, records its events in storage,
 * publishes them live, resumes waiting runs, retries failed ones and starts error workflows.
 */
export class ExecutionService {
  readonly recorder: GroupCommitRecorder;
  private readonly waitTimers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<RunWorkflowResult>>();
  private readonly varsCache = new Map<string, Record<string, string>>();
  private readonly helpers = createInMemoryBinaryHelpers();
  // Stateless: one for every run (made on first use, so storage doubles need not provide it).
  private credentials: CredentialResolver | undefined;
  private readonly workflowLoader = {
    load: async (id: string) => {
      const wf = await this.o.storage.workflows.get(id);
      if (!wf) throw httpError('NOT_FOUND', `sub-workflow '${id}' does not exist`);
      return wf.document;
    },
  };
  private waitPoller: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: ExecutionServiceOptions) {
    this.recorder = createGroupCommitRecorder(o.storage, {
      ...(o.writer ? { writer: o.writer } : {}),
      onError: (error) => o.logger.error({ err: error }, 'execution events could not be saved'),
    });
  }

  /** Forget cached `$vars` (after a variable changed). */
  invalidateVariables(): void {
    this.varsCache.clear();
  }

  /** `$vars` of a project: the cached record itself (no promise per run) once loaded. */
  private vars(
    projectId: string | null | undefined,
  ): Record<string, string> | Promise<Record<string, string>> {
    const key = projectId ?? '';
    return this.varsCache.get(key) ?? this.loadVars(key, projectId);
  }

  private async loadVars(key: string, projectId: string | null | undefined) {
    const global = await this.o.storage.variables.asRecord(null);
    const vars = projectId
      ? { ...global, ...(await this.o.storage.variables.asRecord(projectId)) }
      : global;
    this.varsCache.set(key, vars);
    return vars;
  }

  private observer(
    workflowId: string | null,
    projectId: string | null,
    nodeTypes: Map<string, string>,
    mode: string,
  ): ExecutionObserver {
    const { bus, metrics } = this.o;
    const published = (event: ExecutionEvent) => {
      if (bus.listening(event.executionId)) bus.publish({ event, workflowId, projectId });
      if (metrics) {
        if (event.type === 'node.finished') {
          metrics.nodeDuration.observe(
            {
              node_type: nodeTypes.get(event.nodeName) ?? 'unknown',
              status: event.status ?? 'success',
            },
            event.durationMs / 1000,
          );
        } else if (event.type === 'execution.finished') {
          metrics.executions.inc({ status: 'success', mode });
        } else if (event.type === 'execution.failed') {
          metrics.executions.inc({ status: 'error', mode });
        } else if (event.type === 'execution.canceled') {
          metrics.executions.inc({ status: 'canceled', mode });
        } else if (event.type === 'execution.waiting') {
          metrics.executions.inc({ status: 'waiting', mode });
        }
      }
    };
    return {
      // Only the end of a run waits for its commit (and is published once saved); checkpoints
      // return nothing, so the engine's await costs no promise.
      onEvent: (event: ExecutionEvent) => {
        const saved = this.recorder.onEvent(event);
        if (saved) return saved.then(() => published(event));
        published(event);
      },
    };
  }

  private baseOptions(
    request: Pick<
      ExecutionRequest,
      'workflowId' | 'projectId' | 'document' | 'mode' | 'onResponse'
    >,
    executionId: string,
    signal: AbortSignal,
  ): RunWorkflowOptions | Promise<RunWorkflowOptions> {
    const vars = this.vars(request.projectId);
    return vars instanceof Promise
      ? vars.then((loaded) => this.runOptions(request, executionId, signal, loaded))
      : this.runOptions(request, executionId, signal, vars);
  }

  private runOptions(
    request: Pick<
      ExecutionRequest,
      'workflowId' | 'projectId' | 'document' | 'mode' | 'onResponse'
    >,
    executionId: string,
    signal: AbortSignal,
    vars: Record<string, string>,
  ): RunWorkflowOptions {
    const nodeTypes = nodeTypesOf(request.document);
    const settings = (request.document.settings ?? {}) as JsonObject;
    const hasTimeout =
      typeof settings.executionTimeout === 'number' && settings.executionTimeout > 0;
    this.credentials ??= this.o.storage.credentials.resolver();
    // Built by assignment: conditional spreads cost a temporary object each on every run.
    const options: RunWorkflowOptions = {
      registry: this.o.registry,
      credentials: this.credentials,
      helpers: this.helpers,
      workflowLoader: this.workflowLoader,
      observer: this.observer(
        request.workflowId,
        request.projectId ?? null,
        nodeTypes,
        request.mode,
      ),
      logger: nodeLogger(this.o.logger, { executionId, workflowId: request.workflowId }),
      executionId,
      mode: request.mode,
      signal,
      timezone: this.o.timezone,
      vars,
      resumeUrl: `${this.o.publicUrl}/webhook-waiting/${executionId}`,
    };
    if (this.o.evaluator) options.evaluator = this.o.evaluator;
    if (request.onResponse) options.onResponse = request.onResponse;
    if (!hasTimeout && this.o.executionTimeoutMs > 0) options.timeoutMs = this.o.executionTimeoutMs;
    return options;
  }

  /** Queues a new execution; the id is known at once, the result later. */
  async start(request: ExecutionRequest): Promise<StartedExecution> {
    // Time-ordered: rows, events and run data of new executions append to their indexes.
    const executionId = newId();
    const row: CreateExecutionInput = {
      id: executionId,
      workflowId: request.workflowId,
      workflowVersionId: request.workflowVersionId ?? null,
      mode: request.mode,
      status: 'new',
      retryOf: request.retryOf ?? null,
    };
    // A saved version is the snapshot already; only unsaved documents are stored with the run.
    if (!request.workflowVersionId) row.workflow = request.document;
    this.recorder.create(row);
    // What a queue-mode worker needs to run it (assigned, not spread: this is per webhook call).
    const payload: ExecutionStartPayload = {};
    if (request.input) payload.input = request.input;
    if (request.startNode) payload.startNode = request.startNode;
    if (request.destinationNode) payload.destinationNode = request.destinationNode;
    if (request.pinData) payload.pinData = request.pinData;
    if (request.runData) payload.runData = request.runData;
    if (request.onResponse) payload.respond = true;
    const done = this.enqueue(
      executionId,
      request,
      async (signal) => {
        // A fresh object per run: completed in place rather than copied once more.
        const options = await this.baseOptions(request, executionId, signal);
        if (request.input) options.input = request.input;
        if (request.startNode) options.startNode = request.startNode;
        if (request.destinationNode) options.destinationNode = request.destinationNode;
        if (request.pinData !== undefined) options.pinData = request.pinData;
        if (request.runData) options.runData = request.runData;
        return runWorkflow(request.parsed ?? request.document, options);
      },
      { kind: 'run', payload },
    );
    return { executionId, done };
  }

  private enqueue(
    executionId: string,
    request: Pick<
      ExecutionRequest,
      'workflowId' | 'projectId' | 'document' | 'mode' | 'forceSave' | 'priority' | 'onResponse'
    >,
    body: (signal: AbortSignal) => Promise<RunWorkflowResult>,
    remote: { kind: 'run' | 'resume'; payload: ExecutionStartPayload } = {
      kind: 'run',
      payload: {},
    },
  ): Promise<RunWorkflowResult> {
    let result: RunWorkflowResult | undefined;
    // In queue mode a worker runs the execution from `kind` + `payload` and reports the result
    // and any Respond to Webhook response back; the in-process queue calls `run`.
    const job: QueueModeExecutionJob = {
      executionId,
      workflowId: request.workflowId,
      run: async (signal) => {
        result = await body(signal);
      },
      kind: remote.kind,
      payload: remote.payload,
      onResult: (r) => {
        result = r;
      },
    };
    if (request.priority !== undefined) job.priority = request.priority;
    if (request.onResponse) job.onResponse = request.onResponse;
    const queued = this.o.queue.enqueue(job);
    const done = (async () => {
      try {
        await queued;
        const r = result!;
        await this.afterRun(executionId, request, r);
        return r;
      } catch (error) {
        return this.failedToRun(executionId, error);
      } finally {
        this.running.delete(executionId);
      }
    })();
    this.running.set(executionId, done);
    return done;
  }

  /** A run that could not start or threw outside the engine: recorded as an error. */
  private async failedToRun(executionId: string, error: unknown): Promise<RunWorkflowResult> {
    const serialized = {
      name: error instanceof Error ? error.name : 'Error',
      code: error instanceof BudflowError ? error.code : 'INTERNAL',
      message: error instanceof Error ? error.message : String(error),
    };
    const now = Date.now();
    // The row may still sit in the recorder's next batch.
    await this.recorder.flush().catch(() => undefined);
    const canceled = error instanceof BudflowError && error.code === 'EXECUTION_CANCELED';
    await this.o.storage.executions
      .update(executionId, {
        status: canceled ? 'canceled' : 'error',
        stoppedAt: now,
        error: serialized,
        leaseOwner: null,
        leaseExpiresAt: null,
      })
      .catch((e: unknown) =>
        this.o.logger.error({ err: e, executionId }, 'could not record a failed run'),
      );
    if (error instanceof BudflowError && error.code === 'QUEUE_CLOSED') {
      this.o.logger.warn({ executionId }, 'execution dropped: the server is shutting down');
    } else if (!canceled) {
      this.o.logger.error({ err: error, executionId }, 'execution could not run');
    }
    return {
      executionId,
      status: canceled ? 'canceled' : 'error',
      runData: {},
      lastNodeExecuted: undefined,
      error: serialized,
      startedAt: new Date(now),
      stoppedAt: new Date(now),
      waitTill: undefined,
      state: undefined,
      staticData: {},
      customData: {},
      output: undefined,
    };
  }

  private async afterRun(
    executionId: string,
    request: Pick<ExecutionRequest, 'workflowId' | 'projectId' | 'document' | 'mode' | 'forceSave'>,
    result: RunWorkflowResult,
  ): Promise<void> {
    if (result.status === 'waiting') {
      if (result.waitTill) this.scheduleResume(executionId, result.waitTill.getTime());
      return;
    }
    if (
      result.status === 'success' &&
      !this.o.saveSuccessfulExecutions &&
      !request.forceSave &&
      PRODUCTION_MODES.has(request.mode)
    ) {
      await this.o.storage.executions.delete([executionId]);
    }
    if (result.status === 'error' && request.mode !== 'error') {
      await this.runErrorWorkflow(executionId, request, result).catch((error: unknown) =>
        this.o.logger.error({ err: error, executionId }, 'the error workflow could not start'),
      );
    }
  }

  private async runErrorWorkflow(
    executionId: string,
    request: Pick<ExecutionRequest, 'workflowId' | 'document' | 'mode'>,
    result: RunWorkflowResult,
  ): Promise<void> {
    const settings = (request.document.settings ?? {}) as JsonObject;
    const errorWorkflowId = settings.errorWorkflow;
    if (typeof errorWorkflowId !== 'string' || errorWorkflowId === '') return;
    const target = await this.o.storage.workflows.get(errorWorkflowId);
    if (!target) {
      this.o.logger.warn({ executionId, errorWorkflowId }, 'error workflow does not exist');
      return;
    }
    const trigger = ((target.document.nodes as JsonObject[] | undefined) ?? []).find(
      (n) => n.type === 'n8n-nodes-base.errorTrigger' && n.disabled !== true,
    );
    if (!trigger || typeof trigger.name !== 'string') {
      this.o.logger.warn(
        { executionId, errorWorkflowId },
        'error workflow has no Error Trigger node',
      );
      return;
    }
    const payload: JsonObject = {
      execution: {
        id: executionId,
        url: `${this.o.publicUrl}/api/v1/executions/${executionId}`,
        error: JSON.parse(JSON.stringify(result.error ?? {})) as JsonObject,
        lastNodeExecuted: result.lastNodeExecuted ?? null,
        mode: request.mode,
        retryOf: null,
      },
      workflow: {
        id: request.workflowId,
        name: typeof request.document.name === 'string' ? request.document.name : null,
      },
    };
    await this.start({
      workflowId: target.id,
      workflowVersionId: target.versionId,
      projectId: target.projectId,
      document: target.document,
      mode: 'error',
      startNode: trigger.name,
      input: [{ json: payload }],
    });
  }

  /** The workflow document an execution ran: its snapshot, else its saved version, else current. */
  async documentOf(execution: StoredExecution): Promise<JsonObject | undefined> {
    // The snapshot alone: run data a queue-mode worker did not store is rebuilt from the log.
    const data = await this.o.storage.executions.getData(execution.id, { runData: false });
    if (data?.workflow) return data.workflow;
    if (!execution.workflowId) return undefined;
    if (execution.workflowVersionId) {
      const version = await this.o.storage.workflows.getVersion(
        execution.workflowId,
        execution.workflowVersionId,
      );
      if (version) return version.document;
    }
    return (await this.o.storage.workflows.get(execution.workflowId))?.document;
  }

  /** The result of a run in progress in this process, if any. */
  resultOf(executionId: string): Promise<RunWorkflowResult> | undefined {
    return this.running.get(executionId);
  }

  /** Cancels a queued or running execution, or stops a waiting one. */
  async cancel(executionId: string): Promise<StoredExecution> {
    const execution = await this.o.storage.executions.get(executionId);
    if (!execution) throw httpError('NOT_FOUND', `execution '${executionId}' does not exist`);
    if (this.o.queue.cancel(executionId)) {
      await this.running.get(executionId);
    } else if (execution.status === 'waiting' || execution.status === 'new') {
      this.clearWait(executionId);
      await this.o.storage.executions.update(executionId, {
        status: 'canceled',
        stoppedAt: Date.now(),
        waitTill: null,
      });
    } else {
      throw httpError(
        'CONFLICT',
        `execution '${executionId}' is ${execution.status}: only new, running or waiting executions can be canceled`,
      );
    }
    return (await this.o.storage.executions.get(executionId))!;
  }

  private clearWait(executionId: string) {
    const timer = this.waitTimers.get(executionId);
    if (timer) clearTimeout(timer);
    this.waitTimers.delete(executionId);
  }

  private scheduleResume(executionId: string, at: number) {
    if (this.closed) return;
    const delay = at - Date.now();
    // Long waits are picked up by the poller; timers only for the next minutes.
    if (delay > 5 * 60_000) return;
    this.clearWait(executionId);
    const timer = setTimeout(
      () => {
        this.waitTimers.delete(executionId);
        this.resume(executionId).catch((error: unknown) =>
          this.o.logger.error({ err: error, executionId }, 'could not resume a waiting execution'),
        );
      },
      Math.max(0, delay),
    );
    timer.unref();
    this.waitTimers.set(executionId, timer);
  }

  /** Polls storage for waiting executions due soon (those waiting longer than a timer covers). */
  startWaitPoller(intervalMs = 60_000): void {
    const poll = async () => {
      const due = await this.o.storage.executions.listDueWaiting(Date.now() + 5 * 60_000);
      for (const execution of due) {
        if (execution.waitTill !== null && !this.waitTimers.has(execution.id)) {
          this.scheduleResume(execution.id, execution.waitTill);
        }
      }
    };
    const tick = () =>
      void poll().catch((error: unknown) =>
        this.o.logger.error({ err: error }, 'wait poller failed'),
      );
    tick();
    this.waitPoller = setInterval(tick, intervalMs);
    this.waitPoller.unref();
  }

  /**
   * Continues a waiting execution (Wait node timer, or a call to its resume URL with
   * `resumeItems`). Runs in the same execution id and appends to its event log.
   */
  async resume(
    executionId: string,
    options: { resumeItems?: Item[]; onResponse?: (r: WebhookResponse) => void } = {},
  ): Promise<StartedExecution> {
    const execution = await this.o.storage.executions.get(executionId);
    if (!execution) throw httpError('NOT_FOUND', `execution '${executionId}' does not exist`);
    if (execution.status !== 'waiting') {
      throw httpError('CONFLICT', `execution '${executionId}' is ${execution.status}, not waiting`);
    }
    const events = await this.o.storage.executions.listEvents<ExecutionEvent>(executionId);
    let state: EngineStateSnapshot | undefined;
    for (const event of events) if (event.type === 'execution.waiting') state = event.state;
    const document = await this.documentOf(execution);
    if (!state || !document) {
      throw httpError('CONFLICT', `execution '${executionId}' has no saved state to resume from`);
    }
    this.clearWait(executionId);
    // Claim it: a second resume call sees `running` and gets a conflict.
    await this.o.storage.executions.update(executionId, { status: 'running', waitTill: null });
    const runData = runDataFromEvents(events);
    const lastSeq = events.length === 0 ? -1 : events[events.length - 1]!.seq;
    this.recorder.continueExecution(executionId, { lastSeq, runData });
    const workflow = execution.workflowId
      ? await this.o.storage.workflows.get(execution.workflowId)
      : undefined;
    const request = {
      workflowId: execution.workflowId,
      projectId: workflow?.projectId ?? null,
      document,
      mode: execution.mode,
      ...(options.onResponse ? { onResponse: options.onResponse } : {}),
    };
    const done = this.enqueue(
      executionId,
      request,
      async (signal) => {
        const base = await this.baseOptions(request, executionId, signal);
        return runWorkflow(document, {
          ...base,
          resume: {
            runData: structuredClone(runData),
            state,
            ...(options.resumeItems ? { resumeItems: options.resumeItems } : {}),
          },
        });
      },
      {
        kind: 'resume',
        payload: {
          ...(options.resumeItems ? { resumeItems: options.resumeItems } : {}),
          ...(options.onResponse ? { respond: true } : {}),
        },
      },
    );
    return { executionId, done };
  }

  /**
   * Runs a failed execution again from the node that failed, reusing the run data of the nodes
   * before it, as a new execution whose `retryOf` is the old one.
   */
  async retry(
    executionId: string,
    options: { loadWorkflow: 'snapshot' | 'current' },
  ): Promise<StartedExecution> {
    const execution = await this.o.storage.executions.get(executionId);
    if (!execution) throw httpError('NOT_FOUND', `execution '${executionId}' does not exist`);
    if (
      execution.status !== 'error' &&
      execution.status !== 'crashed' &&
      execution.status !== 'canceled'
    ) {
      throw httpError(
        'CONFLICT',
        `execution '${executionId}' is ${execution.status}: only failed executions can be retried`,
      );
    }
    const workflow = execution.workflowId
      ? await this.o.storage.workflows.get(execution.workflowId)
      : undefined;
    const current = options.loadWorkflow === 'current' && workflow !== undefined;
    const document = current ? workflow.document : await this.documentOf(execution);
    if (!document)
      throw httpError('CONFLICT', `the workflow of execution '${executionId}' is not stored`);
    const events = await this.o.storage.executions.listEvents<ExecutionEvent>(executionId);
    // Resume after the last node that succeeded: its snapshot has the failed node on the stack.
    let state: EngineStateSnapshot | undefined;
    let cut = 0;
    let started: Extract<ExecutionEvent, { type: 'execution.started' }> | undefined;
    events.forEach((event, index) => {
      if (event.type === 'execution.started') started ??= event;
      if (
        event.type === 'node.finished' &&
        event.status !== 'error' &&
        event.task.error === undefined
      ) {
        state = event.state;
        cut = index + 1;
      }
    });
    const runData = runDataFromEvents(events.slice(0, cut));
    const retryId = newId();
    this.recorder.create({
      id: retryId,
      workflowId: execution.workflowId,
      workflowVersionId: current ? workflow.versionId : execution.workflowVersionId,
      mode: 'retry',
      status: 'new',
      retryOf: executionId,
      workflow: document,
    });
    const request = {
      workflowId: execution.workflowId,
      projectId: workflow?.projectId ?? null,
      document,
      mode: 'retry',
      forceSave: true,
    };
    const done = this.enqueue(retryId, request, async (signal) => {
      const base = await this.baseOptions(request, retryId, signal);
      if (state) {
        return runWorkflow(document, {
          ...base,
          resume: { runData: structuredClone(runData), state },
        });
      }
      return runWorkflow(document, {
        ...base,
        ...(started ? { startNode: started.startNode, input: started.input } : {}),
      });
    }).then(async (result) => {
      if (result.status === 'success') {
        await this.o.storage.executions.update(executionId, { retrySuccessId: retryId });
      }
      return result;
    });
    return { executionId: retryId, done };
  }

  /** Stops timers; running executions are drained by the queue's `close`. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.waitPoller) clearInterval(this.waitPoller);
    for (const timer of this.waitTimers.values()) clearTimeout(timer);
    this.waitTimers.clear();
    await this.recorder.close();
  }
}
