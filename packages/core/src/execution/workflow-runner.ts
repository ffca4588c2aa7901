import {
  asNodeError,
  createExecuteContext,
  BudflowError,
  containsExpression,
  ERROR_CODES,
  invokeNode,
  normaliseOutput,
  paramsSchemaFor,
  resolveDynamic,
  validateParams,
  type ExecutionMode,
  type ExpressionScope,
  type ExpressionWorkflowView,
  type Item,
  type JsonObject,
  type JsonValue,
  type NodeDefinition,
  type NodeError,
  type PairedItem,
  type ParameterPath,
  type RunData,
  type SerializedError,
  type TaskData,
  type TaskSource,
} from '@budflow/node-sdk';
import type { WorkflowGraph } from '../graph/workflow-graph.js';
import type { ResolvedNodeType } from '../ports.js';
import type { WorkflowNode } from '../workflow/workflow-schema.js';
import type { EngineStateSnapshot, ExecutionEvent, SnapshotSlot } from './execution-event.js';
import type { EngineServices } from './engine-services.js';
import type { RunAbort } from './run-abort.js';
import { createItemParamsValidator, type ItemParamsValidator } from './item-params-validator.js';
import { EngineNodeContext, missingEvaluator, type RunHandle } from './node-context.js';

/** One entry of the node execution stack (n8n's `IExecuteData`). */
export interface StackEntry {
  node: string;
  /** Input items per connection type and input index; `null` = that input got no data. */
  data: Record<string, Array<Item[] | null>>;
  source: Array<TaskSource | null> | null;
}

interface WaitingEntry {
  main: Array<Item[] | null>;
  source: Array<TaskSource | null>;
}

export interface RunnerInit {
  graph: WorkflowGraph;
  services: EngineServices;
  executionId: string;
  mode: ExecutionMode;
  legacyOrder: boolean;
  timezone: string;
  runData: RunData;
  pinData: Record<string, Item[]> | undefined;
  staticData: JsonObject;
  customData: Record<string, string>;
  /** Only these nodes may run (partial execution); undefined = all. */
  runnable: Set<string> | undefined;
  abort: RunAbort;
}

export interface RunnerOutcome {
  status: 'success' | 'error' | 'canceled' | 'waiting';
  error: SerializedError | undefined;
  lastNodeExecuted: string | undefined;
  waitTill: Date | null | undefined;
}

/** Names n8n starts from when no trigger node is present (its STARTING_NODE_TYPES). */
export const N8N_STARTING_NODE_TYPES = [
  'n8n-nodes-base.manualTrigger',
  'n8n-nodes-base.executeWorkflowTrigger',
  'n8n-nodes-base.errorTrigger',
  'n8n-nodes-base.start',
  'n8n-nodes-base.evaluationTrigger',
  'n8n-nodes-base.formTrigger',
];

/**
 * The run loop: n8n's `processRunExecutionData` with both execution orders. v1 front-inserts
 * ready children sorted by canvas position (depth first); the legacy order appends (breadth
 * first) and forces the parents of a multi-input node's other inputs to run.
 */
export class WorkflowRunner {
  readonly runData: RunData;
  stack: StackEntry[] = [];
  waiting = new Map<string, Map<number, WaitingEntry>>();
  executionIndex = 0;
  lastNodeExecuted: string | undefined;
  nodeContexts: Record<string, JsonObject> = {};
  private seq = 0;
  private readonly workflowView: ExpressionWorkflowView;
  private readonly types: ReadonlyMap<string, ResolvedNodeType>;
  private waitRequest: { until: Date | null } | undefined;
  /** Node to run as a pass-through (or with `resumeItems`) because it resumes from a wait. */
  private resumeNode: { name: string; items: Item[] | undefined } | undefined;

  private readonly handle: RunHandle;

  constructor(private readonly init: RunnerInit) {
    this.runData = init.runData;
    const graph = init.graph;
    this.handle = new RunnerHandle(this, init);
    this.workflowView = {
      id: graph.workflow.id,
      name: graph.workflow.name,
      active: graph.workflow.active,
      timezone: init.timezone,
      nodeParameters: (name) => graph.node(name)?.parameters,
      hasNode: (name) => graph.hasNode(name),
      parentNodes: (name) => graph.parents(name),
    };
    this.types = resolvedTypes(init.graph, init.services.registry);
  }

  get executionId(): string {
    return this.init.executionId;
  }

  /** A node asked the run to wait (Wait node, waiting webhooks) until `until`, or indefinitely. */
  requestWait(until: Date | null): void {
    this.waitRequest = { until };
  }

  /**
   * Hands an event to the observer. Returns the observer's promise when it returned one, else
   * nothing, so a synchronous observer costs no promise and no extra microtask per event.
   */
  emit(
    event: DistributiveOmit<ExecutionEvent, 'seq' | 'executionId' | 'at'>,
  ): void | Promise<void> {
    const observer = this.init.services.observer;
    if (!observer) return;
    // The event literal is the caller's own: complete it instead of copying it.
    const full = event as ExecutionEvent;
    full.executionId = this.init.executionId;
    full.seq = this.seq++;
    full.at = this.init.services.clock.now();
    return observer.onEvent(full);
  }

  isTrigger(name: string): boolean {
    return this.types.get(name)?.definition.trigger !== undefined;
  }

  /** Start node as n8n picks it: first enabled trigger/poll node in JSON order, then starters. */
  findStartNode(candidates?: readonly string[]): string | undefined {
    const nodes = (candidates ?? this.init.graph.workflow.nodes.map((n) => n.name)).map((name) =>
      this.init.graph.node(name)!,
    );
    if (nodes.length === 1 && !nodes[0]!.disabled) return nodes[0]!.name;
    for (const node of nodes) {
      const kind = this.types.get(node.name)?.definition.trigger?.kind;
      if (!node.disabled && kind !== undefined && kind !== 'webhook') return node.name;
    }
    for (const node of nodes) {
      if (node.disabled) continue;
      const n8nType = this.types.get(node.name)?.definition.compat?.n8n?.type;
      const starting =
        N8N_STARTING_NODE_TYPES.includes(node.type) ||
        (n8nType !== undefined && N8N_STARTING_NODE_TYPES.includes(n8nType));
      if (starting || this.isTrigger(node.name)) return node.name;
    }
    return undefined;
  }

  resumeFrom(state: EngineStateSnapshot, resumeItems: Item[] | undefined): void {
    const slot = (s: SnapshotSlot): Item[] | null => {
      if (s === null || Array.isArray(s)) return s;
      const ref = s.ref;
      const run = this.runData[ref.previousNode]?.[ref.previousNodeRun ?? 0];
      return run?.data?.main?.[ref.previousNodeOutput ?? 0] ?? [];
    };
    this.stack = state.stack.map((entry) => ({
      node: entry.node,
      source: entry.source,
      data: Object.fromEntries(
        Object.entries(entry.data).map(([type, slots]) => [type, slots.map(slot)]),
      ),
    }));
    this.waiting = new Map(
      Object.entries(state.waiting).map(([node, byRun]) => [
        node,
        new Map(
          Object.entries(byRun).map(([run, entry]) => [
            Number(run),
            { main: entry.main.map(slot), source: entry.source },
          ]),
        ),
      ]),
    );
    this.executionIndex = state.executionIndex;
    this.nodeContexts = state.nodeContexts;
    if (state.waitingNode) {
      // The waiting node's recorded run is replaced by the resumed one (n8n does the same).
      const runs = this.runData[state.waitingNode];
      if (runs && runs.length > 0 && runs[runs.length - 1]!.executionStatus === 'waiting')
        runs.pop();
      this.resumeNode = { name: state.waitingNode, items: resumeItems };
    }
  }

  snapshot(): EngineStateSnapshot {
    const encode = (items: Item[] | null, source: TaskSource | null | undefined): SnapshotSlot =>
      items !== null && source ? { ref: source } : items;
    const waiting: EngineStateSnapshot['waiting'] = {};
    for (const [node, byRun] of this.waiting) {
      const out: EngineStateSnapshot['waiting'][string] = {};
      for (const [run, entry] of byRun) {
        out[run] = {
          main: entry.main.map((s, i) => encode(s, entry.source[i])),
          source: entry.source,
        };
      }
      waiting[node] = out;
    }
    return {
      stack: this.stack.map((entry) => {
        const data: Record<string, SnapshotSlot[]> = {};
        for (const type in entry.data) {
          const slots = entry.data[type]!;
          const encoded = new Array<SnapshotSlot>(slots.length);
          for (let i = 0; i < slots.length; i++)
            encoded[i] = encode(slots[i]!, type === 'main' ? entry.source?.[i] : null);
          data[type] = encoded;
        }
        return { node: entry.node, source: entry.source, data };
      }),
      waiting,
      executionIndex: this.executionIndex,
      nodeContexts: this.nodeContexts,
      ...(this.waitRequest ? { waitingNode: this.stack[0]?.node } : {}),
    };
  }

  /** Runs until the stack and the waiting list are exhausted, an error stops it, or a wait. */
  async run(): Promise<RunnerOutcome> {
    const { graph, abort } = this.init;
    // n8n's endless-loop guard: the same node and run index picked twice in a row.
    let lastTryNode: string | undefined;
    let lastTryRun = -1;
    for (;;) {
      if (abort.aborted) return this.aborted(abort.reason);
      if (this.stack.length === 0 && !this.scheduleWaitingNode()) break;
      const entry = this.stack.shift()!;
      const nodeName = entry.node;
      const node = graph.node(nodeName)!;
      const runIndex = this.runData[nodeName]?.length ?? 0;

      if (this.init.legacyOrder && !this.ensureInputData(entry)) {
        lastTryNode = undefined;
        continue;
      }
      if (lastTryNode === nodeName && lastTryRun === runIndex) {
        const error = new BudflowError(
          ERROR_CODES.EXECUTION_ENDLESS_LOOP,
          `stopped execution at node '${nodeName}' because it seems to be in an endless loop`,
          { details: { nodeName, runIndex } },
        );
        return this.fail(nodeName, runIndex, entry, error, this.init.services.clock.now());
      }
      lastTryNode = nodeName;
      lastTryRun = runIndex;

      const startTime = this.init.services.clock.now();
      if (this.init.services.observer) {
        const emitted = this.emit({ type: 'node.started', nodeName, runIndex });
        if (emitted) await emitted;
      }
      let output: Item[][] | null;
      let nodeError: NodeError | undefined;
      try {
        output = await this.executeWithRetries(node, entry, runIndex);
      } catch (error) {
        if (abort.aborted) return this.aborted(abort.reason);
        nodeError = asNodeError(error, nodeName);
        output = null;
        const continues =
          node.continueOnFail === true ||
          node.onError === 'continueRegularOutput' ||
          node.onError === 'continueErrorOutput';
        if (!continues) return this.fail(nodeName, runIndex, entry, nodeError, startTime);
        const input = entry.data.main?.[0];
        output = input ? [input] : null;
        if (output && node.onError === 'continueErrorOutput') {
          output = this.splitErrorOutput(node, entry, output);
        }
      }

      if (node.alwaysOutputData && !nodeError && !output?.[0]?.[0]) {
        // n8n: output 0 becomes one empty item paired with every input item.
        const input = entry.data.main?.[0] ?? [];
        output ??= [];
        output[0] = [{ json: {}, pairedItem: input.map((_, item) => ({ item })) }];
      }
      if (this.waitRequest && output === null) output = [entry.data.main?.[0] ?? []];
      if (output === null) {
        // n8n: no output means the branch ends and the node leaves no run entry.
        continue;
      }
      const task: TaskData = {
        startTime,
        executionTime: this.init.services.clock.now() - startTime,
        executionIndex: this.executionIndex++,
        executionStatus: this.waitRequest ? 'waiting' : nodeError ? 'error' : 'success',
        source: entry.source ?? [],
        data: { main: output },
        ...(nodeError ? { error: serializeError(nodeError) } : {}),
      };
      (this.runData[nodeName] ??= []).push(task);
      this.lastNodeExecuted = nodeName;

      if (this.waitRequest) {
        const until = this.waitRequest.until;
        this.stack.unshift(entry);
        await this.emit({
          type: 'execution.waiting',
          nodeName,
          waitTill: until ? until.getTime() : null,
          state: this.snapshot(),
        });
        return { status: 'waiting', error: undefined, lastNodeExecuted: nodeName, waitTill: until };
      }
      this.scheduleChildren(nodeName, output, runIndex);
      const finished = this.emitFinished(nodeName, runIndex, task);
      if (finished) await finished;
    }
    return {
      status: 'success',
      error: undefined,
      lastNodeExecuted: this.lastNodeExecuted,
      waitTill: undefined,
    };
  }

  private emitFinished(nodeName: string, runIndex: number, task: TaskData): void | Promise<void> {
    if (!this.init.services.observer) return;
    const outputs = task.data?.main ?? [];
    const itemCounts = new Array<number>(outputs.length);
    for (let o = 0; o < outputs.length; o++) itemCounts[o] = outputs[o]?.length ?? 0;
    return this.emit({
      type: 'node.finished',
      nodeName,
      runIndex,
      itemCounts,
      durationMs: task.executionTime,
      status: task.executionStatus,
      task,
      state: this.snapshot(),
    });
  }

  private async fail(
    nodeName: string,
    runIndex: number,
    entry: StackEntry,
    error: BudflowError,
    startTime: number,
  ): Promise<RunnerOutcome> {
    const serialized = serializeError(error);
    const task: TaskData = {
      startTime,
      executionTime: this.init.services.clock.now() - startTime,
      executionIndex: this.executionIndex++,
      executionStatus: 'error',
      source: entry.source ?? [],
      error: serialized,
    };
    (this.runData[nodeName] ??= []).push(task);
    this.lastNodeExecuted = nodeName;
    // The failed node goes back on the stack so a retry resumes exactly here.
    this.stack.unshift(entry);
    await this.emitFinished(nodeName, runIndex, task);
    return { status: 'error', error: serialized, lastNodeExecuted: nodeName, waitTill: undefined };
  }

  private aborted(reason: unknown): RunnerOutcome {
    const error =
      reason instanceof BudflowError
        ? reason
        : new BudflowError(ERROR_CODES.EXECUTION_CANCELED, 'execution was canceled');
    return {
      status: 'canceled',
      error: serializeError(error),
      lastNodeExecuted: this.lastNodeExecuted,
      waitTill: undefined,
    };
  }

  /** v0 only: a node whose input slots are not all filled goes to the back of the stack. */
  private ensureInputData(entry: StackEntry): boolean {
    const inputs = this.init.graph.inputsOf(entry.node);
    for (let index = 0; index < inputs.length; index++) {
      const enabledParents = inputs[index]!.filter((c) => !this.init.graph.node(c.node)!.disabled);
      if (inputs[index]!.length > 0 && this.highestEnabled(entry.node, index).length === 0)
        return true;
      if (enabledParents.length === 0 && inputs[index]!.length > 0) return true;
      const main = entry.data.main;
      if (!main || main.length <= index || main[index] === null || main[index] === undefined) {
        this.stack.push(entry);
        return false;
      }
    }
    return true;
  }

  /** Enabled nodes feeding an input, walking up through disabled ones (n8n's getHighestNode). */
  private highestEnabled(nodeName: string, inputIndex: number): string[] {
    const found: string[] = [];
    const seen = new Set<string>();
    const visit = (name: string, input: number | undefined) => {
      const inputs = this.init.graph.inputsOf(name);
      const lists = input === undefined ? inputs : [inputs[input] ?? []];
      for (const list of lists) {
        for (const c of list) {
          if (seen.has(c.node)) continue;
          seen.add(c.node);
          if (this.init.graph.node(c.node)!.disabled) visit(c.node, undefined);
          else found.push(c.node);
        }
      }
    };
    visit(nodeName, inputIndex);
    return found;
  }

  private async executeWithRetries(
    node: WorkflowNode,
    entry: StackEntry,
    runIndex: number,
  ): Promise<Item[][] | null> {
    const pinned = this.init.pinData?.[node.name];
    if (pinned !== undefined && !node.disabled) return [pinned];
    const retry = node.retryOnFail === true;
    const maxTries = retry ? Math.min(5, Math.max(2, node.maxTries || 3)) : 1;
    const waitBetween = retry ? Math.min(5000, Math.max(0, node.waitBetweenTries || 1000)) : 0;
    let lastError: unknown;
    for (let attempt = 0; attempt < maxTries; attempt++) {
      if (attempt > 0 && waitBetween > 0) {
        await this.init.services.clock.sleep(waitBetween, this.init.abort.signal);
      }
      try {
        let output = await this.runNode(node, entry, runIndex);
        if (output !== null && node.onError === 'continueErrorOutput') {
          output = this.splitErrorOutput(node, entry, output);
        }
        const firstJson = output?.[0]?.[0]?.json;
        if (retry && attempt < maxTries - 1 && firstJson && firstJson.error) {
          lastError = new BudflowError(ERROR_CODES.NODE_EXECUTION_FAILED, String(firstJson.error));
          continue;
        }
        return output;
      } catch (error) {
        if (this.init.abort.aborted) throw error;
        const nodeError = asNodeError(error, node.name);
        lastError = nodeError;
        if (!nodeError.retryable) break;
      }
    }
    throw lastError;
  }

  /** n8n's runNode: disabled pass-through, trigger handling, input checks, executeOnce. */
  private async runNode(
    node: WorkflowNode,
    entry: StackEntry,
    runIndex: number,
  ): Promise<Item[][] | null> {
    const main = entry.data.main ?? [];
    if (node.disabled || this.resumeNode?.name === node.name) {
      const resumed = this.resumeNode?.name === node.name ? this.resumeNode : undefined;
      this.resumeNode = undefined;
      if (resumed?.items) return [resumed.items];
      const first = main[0];
      return first ? [first] : null;
    }
    const resolved = this.types.get(node.name);
    if (!resolved) {
      throw new BudflowError(
        ERROR_CODES.WORKFLOW_NODE_UNKNOWN,
        `node '${node.name}': unknown node type '${node.type}'${node.typeVersion === undefined ? '' : ` v${node.typeVersion}`}`,
      );
    }
    const { definition, typeVersion } = resolved;
    const trigger = definition.trigger;
    let inputs = main.map((list) => list ?? []);
    if (trigger) {
      const manualRun = this.init.mode === 'manual' && trigger.kind !== 'webhook';
      // Outside manual runs (and always for webhooks) a trigger passes through what fired it.
      if (!manualRun || (!trigger.manual && !trigger.poll)) {
        return manualRun && trigger.kind === 'manual' ? [[{ json: {} }]] : inputs;
      }
    }
    if (node.executeOnce) inputs = inputs.map((list) => list.slice(0, 1));
    // Stamp lineage on copies so the recorded outputs of parents stay as they were.
    inputs = inputs.map((list, input) => stampLineage(list, input));
    const items = this.init.legacyOrder
      ? (inputs[0] ?? [])
      : (inputs.find((list) => list.length > 0) ?? []);
    if (!trigger && items.length === 0) return null;

    let scope: ExpressionScope | undefined;
    const getScope = () => (scope ??= this.expressionScope(node, entry, inputs, items, runIndex));
    const base = new EngineNodeContext(
      this.handle,
      node,
      definition,
      typeVersion,
      runIndex,
      getScope,
    );
    const params = await this.resolveParams(node, definition, typeVersion, getScope, items.length);
    const run = async (): Promise<Item[][] | null> => {
      if (trigger?.poll && !trigger.manual) {
        const polled = await trigger.poll(
          createExecuteContext(base, items, inputs, params, entry.source ?? []),
        );
        return polled === null ? null : [polled];
      }
      return invokeNode(definition, {
        base,
        items,
        inputs,
        params,
        inputSource: entry.source ?? [],
      });
    };
    const output = await this.init.abort.race(run());
    return output === null ? null : assignPairedItems(normaliseOutput(output, node.name), inputs);
  }

  private expressionScope(
    node: WorkflowNode,
    entry: StackEntry,
    inputs: Item[][],
    items: Item[],
    runIndex: number,
  ): ExpressionScope {
    const { services } = this.init;
    const inputIndex = Math.max(0, inputs.indexOf(items));
    const source = entry.source?.[inputIndex] ?? entry.source?.find((s) => s) ?? null;
    const resolved = this.types.get(node.name);
    return {
      nodeName: node.name,
      nodeType: node.type,
      nodeTypeVersion: resolved?.typeVersion ?? node.typeVersion ?? 1,
      nodeParameters: node.parameters,
      items,
      inputs,
      runIndex,
      runData: this.runData,
      workflow: this.workflowView,
      execution: {
        id: this.init.executionId,
        mode: this.init.mode,
        ...(services.resumeUrl
          ? { resumeUrl: `${services.resumeUrl}/${this.init.executionId}` }
          : {}),
        customData: this.init.customData,
      },
      ...(source
        ? {
            previousNode: {
              name: source.previousNode,
              outputIndex: source.previousNodeOutput ?? 0,
              runIndex: source.previousNodeRun ?? 0,
            },
          }
        : {}),
      nodeContext: (name) => this.nodeContexts[name],
      ...(entry.source ? { source: entry.source } : {}),
      vars: services.vars ?? {},
      ...(services.secrets ? { secrets: services.secrets } : {}),
      ...(services.env ? { env: services.env } : {}),
    };
  }

  /** Resolves and validates parameters for every item (one batched evaluator call). */
  private async resolveParams(
    node: WorkflowNode,
    definition: NodeDefinition,
    typeVersion: number,
    scope: () => ExpressionScope,
    itemCount: number,
  ): Promise<(itemIndex: number) => unknown> {
    const schema = paramsSchemaFor(definition, typeVersion);
    const info = { name: node.name, type: node.type, typeVersion };
    const raw = node.parameters;
    if (!hasExpressions(node)) {
      // Literal parameters validate once per parsed workflow node and typeVersion.
      const cached = literalParams.get(node);
      const validated =
        cached && cached.schema === schema
          ? cached.result
          : (() => {
              let result: { value: unknown } | { error: unknown };
              try {
                result = { value: validateParams(schema, raw, info) };
              } catch (error) {
                result = { error };
              }
              literalParams.set(node, { schema, result });
              return result;
            })();
      return () => {
        if ('error' in validated) throw validated.error;
        return validated.value;
      };
    }
    const evaluator = this.init.services.evaluator;
    if (!evaluator) throw missingEvaluator(node.name, 'parameters');
    const count = definition.paramItems === 'first' ? 1 : Math.max(1, itemCount);
    const indices = count === 1 ? FIRST_ITEM : Array.from({ length: count }, (_, i) => i);
    const validator = (paths?: readonly ParameterPath[]) => {
      let cached = itemValidators.get(node);
      if (!cached || cached.schema !== schema) {
        cached = { schema, validator: createItemParamsValidator(schema, raw, info, paths) };
        itemValidators.set(node, cached);
      }
      return cached.validator;
    };
    // Validated when the node asks. Only item 0's (read by nodes for node-wide options) and the
    // last item's are kept: every item's tree was held until the node ended (a 10,000-item Edit
    // Fields: 60,000 objects), through young-generation collections. Asking again for an older
    // item validates it again, with the same result.
    let first: unknown = NOT_YET;
    let lastIndex = -1;
    let last: unknown;
    let validate: (index: number) => unknown;
    if (evaluator.resolveParameterValues) {
      const { paths, values } = await evaluator.resolveParameterValues(raw, scope(), indices);
      const { fromValues } = validator(paths);
      // One tree per node run for nodes that let go of each item's parameters (item 0's is kept).
      const transient =
        typeof definition.transientParams === 'function'
          ? definition.transientParams(typeVersion)
          : definition.transientParams === true;
      const reuse = transient ? {} : undefined;
      validate = (index) => {
        const row = values[index]!;
        if (row instanceof Error) throw asNodeError(row, node.name, index);
        return fromValues(row, index, index === 0 ? undefined : reuse);
      };
    } else {
      const resolved = await evaluator.resolveParameters(raw, scope(), indices);
      const { fromTree } = validator();
      validate = (index) => {
        const value = resolved[index];
        if (value instanceof Error) throw asNodeError(value, node.name, index);
        return fromTree(value as JsonValue, index);
      };
    }
    return (itemIndex: number) => {
      const index = itemIndex < count ? itemIndex : 0;
      if (index === 0) {
        if (first === NOT_YET) first = validate(0);
        return first;
      }
      if (index !== lastIndex) {
        last = validate(index);
        lastIndex = index;
      }
      return last;
    };
  }

  /**
   * `onError: continueErrorOutput`: items that carry an error move to the extra last output,
   * merged over the json of the input item they came from (n8n's handleNodeErrorOutput).
   */
  private splitErrorOutput(node: WorkflowNode, entry: StackEntry, output: Item[][]): Item[][] {
    const resolved = this.types.get(node.name);
    const declared = resolved
      ? resolveDynamic(resolved.definition.outputs, node.parameters, resolved.typeVersion, [
          { type: 'main' },
        ]).filter((o) => o.type === 'main').length
      : 1;
    const result = output.slice(0, declared).map((list) => list ?? []);
    while (result.length < declared) result.push([]);
    const errors: Item[] = [];
    for (let o = 0; o < declared; o++) {
      const kept: Item[] = [];
      // n8n walks the items from the last to the first, so both lists come out reversed
      // (observed in its engine fixture `error_outputs`).
      const list = result[o]!;
      for (let i = list.length - 1; i >= 0; i--) {
        const item = list[i]!;
        let errorData: unknown;
        const keys = Object.keys(item.json);
        if (item.error) errorData = item.error;
        else if (item.json.error && keys.length === 1) errorData = item.json.error;
        else if (item.json.error && item.json.message && keys.length === 2)
          errorData = item.json.error;
        if (errorData === undefined) {
          kept.push(item);
          continue;
        }
        const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
        const pairedData = typeof paired === 'number' ? { item: paired } : paired;
        const origin = pairedData
          ? entry.data.main?.[pairedData.input ?? 0]?.[pairedData.item]
          : undefined;
        const { error: _dropped, ...rest } = item;
        errors.push(origin ? { ...rest, json: { ...origin.json, ...item.json } } : rest);
      }
      result[o] = kept;
    }
    result.push(errors);
    return result;
  }

  /** After a node ran: hand each non-empty output to the connected children. */
  private scheduleChildren(nodeName: string, output: Item[][], runIndex: number): void {
    const { graph, legacyOrder, runnable } = this.init;
    const outputs = graph.outputsOf(nodeName);
    const ready: Array<{
      position: [number, number];
      target: string;
      input: number;
      output: number;
    }> = [];
    for (let outputIndex = 0; outputIndex < outputs.length; outputIndex++) {
      const data = output[outputIndex];
      for (const connection of outputs[outputIndex]!) {
        if (runnable && !runnable.has(connection.node)) continue;
        if (!data || (data.length === 0 && !(legacyOrder && connection.inputIndex > 0))) continue;
        if (legacyOrder) {
          this.addNodeToBeExecuted(
            connection.node,
            connection.inputIndex,
            outputIndex,
            nodeName,
            output,
            runIndex,
          );
        } else {
          ready.push({
            position: graph.node(connection.node)!.position,
            target: connection.node,
            input: connection.inputIndex,
            output: outputIndex,
          });
        }
      }
    }
    if (legacyOrder) return;
    // Top-most (then left-most) child ends up at the front of the stack and runs first.
    ready.sort((a, b) => {
      if (a.position[1] !== b.position[1]) return b.position[1] - a.position[1];
      return b.position[0] - a.position[0];
    });
    for (const r of ready)
      this.addNodeToBeExecuted(r.target, r.input, r.output, nodeName, output, runIndex);
  }

  /** n8n's addNodeToBeExecuted: multi-input nodes collect inputs until all are present. */
  private addNodeToBeExecuted(
    target: string,
    inputIndex: number,
    outputIndex: number,
    parent: string,
    output: Item[][],
    runIndex: number,
  ): void {
    const { graph, legacyOrder } = this.init;
    const enqueue = (entry: StackEntry) =>
      legacyOrder ? this.stack.push(entry) : this.stack.unshift(entry);
    const source: TaskSource = { previousNode: parent };
    if (outputIndex) source.previousNodeOutput = outputIndex;
    if (runIndex) source.previousNodeRun = runIndex;
    const data = output[outputIndex] ?? null;
    const inputCount = graph.inputsOf(target).length;
    if (inputCount <= 1) {
      if (inputIndex === 0) {
        enqueue({ node: target, data: { main: [data] }, source: [source] });
        return;
      }
      const main = new Array<Item[] | null>(inputIndex + 1).fill(null);
      main[inputIndex] = data;
      const sources = new Array<TaskSource | null>(inputIndex + 1).fill(null);
      sources[inputIndex] = source;
      enqueue({ node: target, data: { main }, source: sources });
      return;
    }

    let byRun = this.waiting.get(target);
    const nodeWasWaiting = byRun !== undefined;
    if (!byRun) this.waiting.set(target, (byRun = new Map()));
    let waitingIndex: number | undefined;
    for (const [index, entry] of [...byRun.entries()].sort((a, b) => a[0] - b[0])) {
      if (!entry.main[inputIndex]) {
        waitingIndex = index;
        break;
      }
    }
    if (waitingIndex === undefined) {
      waitingIndex = byRun.size === 0 ? 0 : Math.max(...byRun.keys()) + 1;
      byRun.set(waitingIndex, {
        main: Array.from({ length: inputCount }, () => null),
        source: Array.from({ length: inputCount }, () => null),
      });
    }
    const waitingEntry = byRun.get(waitingIndex)!;
    waitingEntry.main[inputIndex] = data;
    waitingEntry.source[inputIndex] = source;
    if (waitingEntry.main.every((slot) => slot !== null)) {
      enqueue({ node: target, data: { main: waitingEntry.main }, source: waitingEntry.source });
      byRun.delete(waitingIndex);
      if (byRun.size === 0) this.waiting.delete(target);
      return;
    }
    if (!legacyOrder || nodeWasWaiting) return;
    this.forceInputNodeExecution(target, parent, output[outputIndex] ?? []);
  }

  /**
   * Legacy order: when a multi-input node first gets data, the parents of its other inputs that
   * have not run and are not queued are made to run (walking up to their highest un-run ancestor,
   * fed one empty item).
   */
  private forceInputNodeExecution(target: string, parent: string, parentData: Item[]): void {
    const { graph } = this.init;
    const parentOutputs = new Set(graph.children(parent));
    const inputs = graph.inputsOf(target);
    for (const list of inputs) {
      for (const input of list) {
        if (input.node === parent) continue;
        const queued = new Set(this.stack.map((e) => e.node));
        if (parentOutputs.has(input.node) && !this.incomingConnectionIsEmpty(input.node)) continue;
        if (queued.has(input.node)) continue;
        if (this.runData[input.node] !== undefined) continue;
        let toAdd: string | undefined = input.node;
        const chain = [input.node, ...graph.ancestors(input.node)].reverse();
        for (const candidate of chain) {
          if (candidate !== input.node && parentOutputs.has(candidate)) {
            toAdd = undefined;
            break;
          }
          if (queued.has(candidate)) {
            toAdd = undefined;
            break;
          }
          if (this.runData[candidate] !== undefined) break;
          toAdd = candidate;
        }
        if (toAdd === undefined) continue;
        if (graph.ancestors(toAdd).includes(parent) && parentData.length === 0) continue;
        const hasInputs = graph.inputsOf(toAdd).length > 0;
        if (!hasInputs || this.incomingConnectionIsEmpty(toAdd)) {
          this.stack.push({ node: toAdd, data: { main: [[{ json: {} }]] }, source: null });
        }
      }
    }
  }

  /** True when no parent on input 0 of `name` produced items (n8n's incomingConnectionIsEmpty). */
  private incomingConnectionIsEmpty(name: string): boolean {
    for (const c of this.init.graph.inputsOf(name)[0] ?? []) {
      const runs = this.runData[c.node];
      const last = runs?.[runs.length - 1];
      if (last?.data?.main?.[c.outputIndex]?.length) return false;
    }
    return true;
  }

  /**
   * When the stack is empty but multi-input nodes still wait, run the first one whose parents
   * are not waiting (and, in v1, whose required inputs hold data) with missing inputs as `[]`.
   */
  private scheduleWaitingNode(): boolean {
    const { graph, legacyOrder } = this.init;
    let restart = true;
    while (restart) {
      restart = false;
      const waitingNodes = [...this.waiting.keys()];
      for (const nodeName of waitingNodes) {
        const byRun = this.waiting.get(nodeName)!;
        const firstRun = Math.min(...byRun.keys());
        const entry = byRun.get(firstRun)!;
        const resolved = this.types.get(nodeName);
        if (!legacyOrder && resolved) {
          const required = requiredInputsOf(
            resolved.definition,
            resolved.typeVersion,
            graph.node(nodeName)!.parameters,
          );
          if (required !== undefined) {
            const ok =
              typeof required === 'number'
                ? entry.main.filter((d) => d && d.length > 0).length >= required
                : required.every((i) => (entry.main[i]?.length ?? 0) > 0);
            if (!ok) continue;
          }
        }
        const ancestors = graph.ancestors(nodeName);
        if (ancestors.some((a) => a !== nodeName && waitingNodes.includes(a))) continue;
        const main = entry.main.map((d) => d ?? []);
        byRun.delete(firstRun);
        if (byRun.size === 0) this.waiting.delete(nodeName);
        if (main.some((d) => d.length > 0)) {
          this.stack.push({ node: nodeName, data: { main }, source: entry.source });
          return true;
        }
        restart = true;
        break;
      }
    }
    return false;
  }
}

function requiredInputsOf(
  definition: NodeDefinition,
  typeVersion: number,
  params: JsonObject,
): number | number[] | undefined {
  const r = definition.requiredInputs;
  return typeof r === 'function' ? r(typeVersion, params) : r;
}

/**
 * `{ ...item, pairedItem }` without the spread: this site sees items of many shapes, where V8's
 * generic object clone took ~0.3 µs per item (twice this loop).
 */
function withPairedItem(item: Item, pairedItem: PairedItem): Item {
  const out: Item = { json: item.json, pairedItem };
  const from = item as unknown as Record<string, unknown>;
  const to = out as unknown as Record<string, unknown>;
  for (const key in from) {
    if (key !== 'json' && key !== 'pairedItem' && Object.prototype.hasOwnProperty.call(from, key))
      to[key] = from[key];
  }
  return out;
}

/**
 * The node's view of one input: item `i` carries `pairedItem: { item: i }` (plus `input` for
 * inputs after the first). An item that already carries exactly that (a parent that kept one
 * output item per input item) is shared as it is instead of copied.
 */
function stampLineage(list: Item[], input: number): Item[] {
  const out = new Array<Item>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i]!;
    const p = item.pairedItem;
    const stamped =
      p !== undefined &&
      typeof p === 'object' &&
      !Array.isArray(p) &&
      p.item === i &&
      p.sourceOverwrite === undefined &&
      (input > 0 ? p.input === input : !('input' in p));
    out[i] = stamped ? item : withPairedItem(item, input > 0 ? { item: i, input } : { item: i });
  }
  return out;
}

/**
 * What node contexts see of their run. A class, not an object literal with getters: with the
 * literal, every run's objects survived young-generation collections (measured: 11 % of all
 * allocations on a No-Op chain, 40 % on a trigger-only workflow; ~0 with the class), most likely
 * because V8's old-space shapes referenced the per-instance accessor closures.
 */
class RunnerHandle implements RunHandle {
  readonly services: EngineServices;
  readonly executionId: string;
  readonly mode: ExecutionMode;
  readonly customData: Record<string, string>;
  readonly staticData: JsonObject;
  readonly workflowInfo: RunHandle['workflowInfo'];

  constructor(
    private readonly runner: WorkflowRunner,
    private readonly init: RunnerInit,
  ) {
    this.services = init.services;
    this.executionId = init.executionId;
    this.mode = init.mode;
    this.customData = init.customData;
    this.staticData = init.staticData;
    const workflow = init.graph.workflow;
    this.workflowInfo = {
      id: workflow.id,
      name: workflow.name,
      active: workflow.active,
      timezone: init.timezone,
      settings: workflow.settings as JsonObject,
    };
  }

  get nodeContexts(): Record<string, JsonObject> {
    return this.runner.nodeContexts;
  }

  get signal(): AbortSignal {
    return this.init.abort.signal;
  }

  get aborted(): boolean {
    return this.init.abort.aborted;
  }

  requestWait(until: Date | null): void {
    this.runner.requestWait(until);
  }
}

/**
 * Fills missing `pairedItem` where it is unambiguous (n8n's assignPairedItems): one input item,
 * or the same number of items in and out on one input and one output.
 */
export function assignPairedItems(output: Item[][] | null, inputs: Item[][]): Item[][] | null {
  if (output === null) return null;
  const singleItem = inputs.length === 1 && inputs[0]!.length === 1;
  const sameCount =
    output.length === 1 && inputs.length === 1 && inputs[0]!.length === output[0]?.length;
  for (const list of output) {
    if (!list) continue;
    for (let i = 0; i < list.length; i++) {
      const item = list[i]!;
      if (item.pairedItem !== undefined) continue;
      if (singleItem) list[i] = withPairedItem(item, { item: 0 });
      else if (sameCount) list[i] = withPairedItem(item, { item: i });
      else return output;
    }
  }
  return output;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof BudflowError ? error : asNodeError(error, '');
  const json = e.toJSON();
  const details = { ...json.details };
  const nodeName =
    typeof details.nodeName === 'string' && details.nodeName ? details.nodeName : undefined;
  const itemIndex = typeof details.itemIndex === 'number' ? details.itemIndex : undefined;
  const description = typeof details.description === 'string' ? details.description : undefined;
  delete details.nodeName;
  delete details.itemIndex;
  delete details.description;
  return {
    name: json.name,
    code: json.code,
    message: json.message,
    ...(description ? { description } : {}),
    ...(nodeName ? { nodeName } : {}),
    ...(itemIndex !== undefined ? { itemIndex } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

const FIRST_ITEM: readonly number[] = Object.freeze([0]);
/** An item whose parameters were not asked for yet. */
const NOT_YET: unique symbol = Symbol('not validated yet');

const typeCache = new WeakMap<WorkflowGraph, WeakMap<object, Map<string, ResolvedNodeType>>>();
/** Each node's resolved type, once per parsed workflow graph and registry. */
function resolvedTypes(
  graph: WorkflowGraph,
  registry: EngineServices['registry'],
): ReadonlyMap<string, ResolvedNodeType> {
  let byRegistry = typeCache.get(graph);
  if (!byRegistry) typeCache.set(graph, (byRegistry = new WeakMap()));
  let types = byRegistry.get(registry);
  if (!types) {
    types = new Map();
    for (const node of graph.workflow.nodes) {
      const resolved = registry.resolve(node.type, node.typeVersion);
      if (resolved) types.set(node.name, resolved);
    }
    // A type registered later must be found on the next run: cache complete answers only.
    if (types.size === graph.workflow.nodes.length) byRegistry.set(registry, types);
  }
  return types;
}

const literalParams = new WeakMap<
  WorkflowNode,
  { schema: unknown; result: { value: unknown } | { error: unknown } }
>();
const expressionFlags = new WeakMap<WorkflowNode, boolean>();
const itemValidators = new WeakMap<
  WorkflowNode,
  { schema: unknown; validator: ItemParamsValidator<unknown> }
>();
function hasExpressions(node: WorkflowNode): boolean {
  let flag = expressionFlags.get(node);
  if (flag === undefined) expressionFlags.set(node, (flag = containsExpression(node.parameters)));
  return flag;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
