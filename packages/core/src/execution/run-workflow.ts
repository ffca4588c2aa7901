import { randomUUID } from 'node:crypto';
import {
  BudflowError,
  containsExpression,
  ERROR_CODES,
  NodeError,
  type ExecuteWorkflowRequest,
  type ExecutionMode,
  type ExpressionEvaluator,
  type Item,
  type JsonObject,
  type Logger,
  type NodeHelpers,
  type RunData,
  type SerializedError,
  type WebhookResponse,
} from '@budflow/node-sdk';
import { createExpressionEvaluator } from '@budflow/expression';
import { WorkflowGraph } from '../graph/workflow-graph.js';
import { planPartialExecution } from '../graph/partial-execution.js';
import {
  systemClock,
  type Clock,
  type CredentialResolver,
  type ExecutionObserver,
  type NodeRegistry,
  type WorkflowLoader,
} from '../ports.js';
import {
  isParsedWorkflow,
  normalisePinnedItems,
  parseWorkflow,
} from '../workflow/parse-workflow.js';
import type { Workflow } from '../workflow/workflow-schema.js';
import type { EngineServices } from './engine-services.js';
import { RunAbort } from './run-abort.js';
import type { EngineStateSnapshot } from './execution-event.js';
import { WorkflowRunner, type StackEntry } from './workflow-runner.js';

export interface RunWorkflowOptions {
  registry: NodeRegistry;
  /**
   * Resolves `={{ }}` parameters. Default: the shared sandboxed evaluator of
   * `@budflow/expression` (created only when the workflow has expressions).
   */
  evaluator?: ExpressionEvaluator;
  credentials?: CredentialResolver;
  /** Binary helpers (memory by default) and the SSRF-guarded HTTP client. */
  helpers?: NodeHelpers;
  workflowLoader?: WorkflowLoader;
  observer?: ExecutionObserver;
  clock?: Clock;
  logger?: Logger;
  executionId?: string;
  /** Default `manual`. In other modes triggers pass their input through. */
  mode?: ExecutionMode;
  /** Items given to the start node (default: one empty item). */
  input?: Array<Item | JsonObject>;
  /** Start here instead of at the first trigger. */
  startNode?: string;
  /** Partial execution: run only this node and what it needs. */
  destinationNode?: string;
  /** Earlier run data to reuse in a partial execution. */
  runData?: RunData;
  /** Nodes whose earlier run data is stale (parameters changed). */
  dirtyNodes?: string[];
  /** Pinned outputs by node; default the workflow's `pinData`; `false` ignores pinned data. */
  pinData?: Record<string, Array<Item | JsonObject>> | false;
  signal?: AbortSignal;
  /** Execution timeout; default the workflow's `settings.executionTimeout` (seconds). */
  timeoutMs?: number;
  /** Timezone for `$now`/`$today`: workflow setting, else this, else the process's. */
  timezone?: string;
  vars?: Record<string, string>;
  secrets?: Record<string, Record<string, string>>;
  /** `$env` contents; absent = `$env` access denied. */
  env?: Record<string, string>;
  customData?: Record<string, string>;
  /** Continue a waiting or interrupted execution from its run data and engine state. */
  resume?: { runData: RunData; state: EngineStateSnapshot; resumeItems?: Item[] };
  resumeUrl?: string;
  onResponse?: (response: WebhookResponse) => void;
  /** Sub-workflow depth (internal); runs deeper than `maxDepth` (default 20) fail. */
  depth?: number;
  maxDepth?: number;
  parentExecutionId?: string;
}

export interface RunWorkflowResult {
  executionId: string;
  status: 'success' | 'error' | 'canceled' | 'waiting';
  /** n8n's `resultData.runData` shape. */
  runData: RunData;
  lastNodeExecuted: string | undefined;
  error: SerializedError | undefined;
  startedAt: Date;
  stoppedAt: Date;
  /** Set while waiting: when to resume (`null` = on a webhook call). */
  waitTill: Date | null | undefined;
  /** Engine state to resume from (waiting) or retry from (error). */
  state: EngineStateSnapshot | undefined;
  staticData: JsonObject;
  customData: Record<string, string>;
  /** Output of the last node that ran, per output. */
  output: Item[][] | undefined;
}

let sharedEvaluator: ExpressionEvaluator | undefined;
/**
 * The default evaluator (`@budflow/expression`, sandboxed), created on first use and shared by
 * every run in the process. Its worker threads do not keep the process alive.
 */
export function defaultEvaluator(): ExpressionEvaluator {
  sharedEvaluator ??= createExpressionEvaluator();
  return sharedEvaluator;
}

function workflowHasExpressions(workflow: Workflow): boolean {
  return workflow.nodes.some((node) => containsExpression(node.parameters));
}

let cachedTimezone: { tz: string | undefined; zone: string } | undefined;
/** The process's timezone (cached: `Intl.DateTimeFormat()` is costly per run). */
function processTimezone(): string {
  const tz = process.env.TZ;
  const cached = cachedTimezone;
  if (cached && cached.tz === tz) return cached.zone;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  cachedTimezone = { tz, zone };
  return zone;
}

const graphs = new WeakMap<Workflow, WorkflowGraph>();
/** One graph per parsed workflow object: parsed workflows are treated as immutable. */
function graphOf(workflow: Workflow): WorkflowGraph {
  let graph = graphs.get(workflow);
  if (!graph) graphs.set(workflow, (graph = new WorkflowGraph(workflow)));
  return graph;
}

function normalisePinData(source: Record<string, readonly unknown[]>): Record<string, Item[]> {
  return Object.fromEntries(Object.entries(source).map(([k, v]) => [k, normalisePinnedItems(v)]));
}

const pinnedByWorkflow = new WeakMap<Workflow, Record<string, Item[]> | undefined>();
/** A parsed workflow's pinned data as items, once per workflow (it is not changed after parsing). */
function workflowPinData(workflow: Workflow): Record<string, Item[]> | undefined {
  if (pinnedByWorkflow.has(workflow)) return pinnedByWorkflow.get(workflow);
  const pinned = workflow.pinData ? normalisePinData(workflow.pinData) : undefined;
  pinnedByWorkflow.set(workflow, pinned);
  return pinned;
}

/**
 * Runs a workflow (n8n JSON, an object, or a parsed `Workflow`) to completion with n8n's
 * semantics, in the workflow's own execution order. Never throws for a node failure: the
 * result's `status` and `error` say what happened. Throws `WorkflowValidationError` when the
 * workflow itself is invalid.
 */
export async function runWorkflow(
  workflowInput: Workflow | JsonObject | string,
  options: RunWorkflowOptions,
): Promise<RunWorkflowResult> {
  const workflow = isParsedWorkflow(workflowInput)
    ? workflowInput
    : parseWorkflow(workflowInput, { registry: options.registry });
  const graph = graphOf(workflow);
  const clock = options.clock ?? systemClock;
  const executionId = options.executionId ?? randomUUID();
  const mode = options.mode ?? 'manual';
  const depth = options.depth ?? 0;
  const timezone =
    workflow.settings.timezone && workflow.settings.timezone !== 'DEFAULT'
      ? workflow.settings.timezone
      : (options.timezone ?? processTimezone());

  const settingTimeout = workflow.settings.executionTimeout;
  const timeoutMs =
    options.timeoutMs ??
    (settingTimeout !== undefined && settingTimeout > 0 ? settingTimeout * 1000 : undefined);
  const controller = new RunAbort(options.signal !== undefined || timeoutMs !== undefined);
  const onOuterAbort = () =>
    controller.abort(
      new BudflowError(ERROR_CODES.EXECUTION_CANCELED, `execution ${executionId} was canceled`),
    );
  if (options.signal?.aborted) onOuterAbort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new BudflowError(
                ERROR_CODES.EXECUTION_TIMEOUT,
                `execution ${executionId} timed out after ${timeoutMs} ms`,
                {
                  details: { timeoutMs },
                },
              ),
            ),
          timeoutMs,
        );

  const customData = { ...options.customData };
  const staticData = workflow.staticData;
  const evaluator =
    options.evaluator ?? (workflowHasExpressions(workflow) ? defaultEvaluator() : undefined);
  const services: EngineServices = {
    registry: options.registry,
    evaluator,
    credentials: options.credentials,
    helpers: options.helpers,
    observer: options.observer,
    clock,
    logger: options.logger,
    vars: options.vars,
    secrets: options.secrets,
    env: options.env,
    resumeUrl: options.resumeUrl,
    onResponse: options.onResponse,
    executeWorkflow: (request, nodeName) =>
      executeSubWorkflow(request, nodeName, options, executionId, depth, controller.signal),
  };

  const pinData =
    options.pinData === false
      ? undefined
      : options.pinData
        ? normalisePinData(options.pinData)
        : workflowPinData(workflow);

  let runnable: Set<string> | undefined;
  let runData: RunData = {};
  const initialStack: StackEntry[] = [];
  const input = normalisePinnedItems(options.input ?? [{ json: {} }]);
  const startedAt = new Date(clock.now());
  const runnerFor = () =>
    new WorkflowRunner({
      graph,
      services,
      executionId,
      mode,
      legacyOrder: workflow.settings.executionOrder !== 'v1',
      timezone,
      runData,
      pinData,
      staticData,
      customData,
      runnable,
      abort: controller,
    });

  let runner: WorkflowRunner;
  let startNode: string | undefined;
  if (options.resume) {
    runData = options.resume.runData;
    runner = runnerFor();
    runner.resumeFrom(options.resume.state, options.resume.resumeItems);
  } else {
    if (options.destinationNode !== undefined) {
      if (!graph.hasNode(options.destinationNode)) {
        throw new BudflowError(
          ERROR_CODES.NODE_NOT_FOUND,
          `destination node '${options.destinationNode}' is not in the workflow`,
        );
      }
      runnable = new Set([options.destinationNode, ...graph.ancestors(options.destinationNode)]);
    }
    runner = runnerFor();
    if (options.startNode !== undefined) {
      if (!graph.hasNode(options.startNode)) {
        throw new BudflowError(
          ERROR_CODES.NODE_NOT_FOUND,
          `start node '${options.startNode}' is not in the workflow`,
        );
      }
      startNode = options.startNode;
    } else {
      const candidates = runnable
        ? workflow.nodes
            .map((n) => n.name)
            .filter((n) => runnable!.has(n) && graph.inputsOf(n).length === 0)
        : undefined;
      startNode = runner.findStartNode(candidates);
    }
    if (startNode === undefined) {
      throw new BudflowError(
        ERROR_CODES.WORKFLOW_NO_START_NODE,
        'workflow has no enabled trigger or start node; add a Manual Trigger or pass startNode',
      );
    }
    if (options.runData && options.destinationNode !== undefined) {
      const plan = planPartialExecution(graph, {
        trigger: startNode,
        destination: options.destinationNode,
        runData: options.runData,
        pinData,
        dirtyNodes: new Set(options.dirtyNodes ?? []),
      });
      Object.assign(runData, plan.reusedRunData);
      initialStack.push(
        ...plan.stack.map((e) =>
          e.node === startNode && e.source === null ? { ...e, data: { main: [input] } } : e,
        ),
      );
    } else {
      initialStack.push({ node: startNode, data: { main: [input] }, source: null });
    }
    runner.stack = initialStack;
  }

  try {
    await runner.emit({
      type: 'execution.started',
      workflowId: workflow.id,
      mode,
      ...(options.parentExecutionId ? { parentExecutionId: options.parentExecutionId } : {}),
      startNode: startNode ?? runner.stack[0]?.node ?? '',
      input,
    });
    const outcome = await runner.run();
    if (outcome.status === 'success') {
      await runner.emit({
        type: 'execution.finished',
        status: 'success',
        lastNodeExecuted: outcome.lastNodeExecuted,
      });
    } else if (outcome.status === 'error') {
      await runner.emit({
        type: 'execution.failed',
        error: outcome.error!,
        lastNodeExecuted: outcome.lastNodeExecuted,
      });
    } else if (outcome.status === 'canceled') {
      const reason = outcome.error?.code === ERROR_CODES.EXECUTION_TIMEOUT ? 'timeout' : 'canceled';
      await runner.emit({ type: 'execution.canceled', reason });
    }
    const last = outcome.lastNodeExecuted ? runData[outcome.lastNodeExecuted] : undefined;
    return {
      executionId,
      status: outcome.status,
      runData,
      lastNodeExecuted: outcome.lastNodeExecuted,
      error: outcome.error,
      startedAt,
      stoppedAt: new Date(clock.now()),
      waitTill: outcome.waitTill,
      state:
        outcome.status === 'waiting' || outcome.status === 'error' ? runner.snapshot() : undefined,
      staticData,
      customData,
      output: last?.[last.length - 1]?.data?.main?.map((o) => o ?? []),
    };
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}

async function executeSubWorkflow(
  request: ExecuteWorkflowRequest,
  nodeName: string,
  parent: RunWorkflowOptions,
  parentExecutionId: string,
  depth: number,
  signal: AbortSignal,
) {
  const maxDepth = parent.maxDepth ?? 20;
  if (depth + 1 > maxDepth) {
    throw new NodeError(
      `sub-workflow depth limit (${maxDepth}) reached: a workflow calls itself too deeply`,
      {
        nodeName,
        retryable: false,
      },
    );
  }
  let document: JsonObject;
  const source = request.source;
  if (source.type === 'json') document = source.workflow;
  else {
    const loader = parent.workflowLoader;
    if (!loader || (source.type === 'file' && !loader.loadFile)) {
      throw new BudflowError(
        ERROR_CODES.WORKFLOW_LOADER_MISSING,
        `node '${nodeName}' runs a sub-workflow by ${source.type} but no workflow loader is configured`,
      );
    }
    document =
      source.type === 'id' ? await loader.load(source.id) : await loader.loadFile!(source.path);
  }
  const childId = randomUUID();
  const child = runWorkflow(document, {
    ...parent,
    executionId: childId,
    mode: 'integrated',
    input: request.items.length > 0 ? request.items : [{ json: {} }],
    startNode: undefined,
    destinationNode: undefined,
    runData: undefined,
    resume: undefined,
    pinData: undefined,
    depth: depth + 1,
    parentExecutionId,
    signal,
    customData: {},
  });
  if (request.wait === false) {
    child.catch(() => undefined);
    return { executionId: childId };
  }
  const result = await child;
  if (result.status !== 'success') {
    throw new NodeError(
      `sub-workflow execution ${childId} ${result.status === 'error' ? 'failed' : result.status}: ${result.error?.message ?? ''}`.trim(),
      { nodeName, retryable: false, details: { subExecutionId: childId, subError: result.error } },
    );
  }
  return { executionId: childId, data: result.output ?? [[]] };
}
