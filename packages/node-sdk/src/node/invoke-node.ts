import { ERROR_CODES, NodeError, toBudflowError } from '../errors/budflow-error.js';
import { isItem, isJsonObject, type Item, type TaskSource } from '../item/item.js';
import type {
  ExecuteContext,
  NodeContextBase,
  NodeDefinition,
  NodeOutput,
  PerItemContext,
  PerItemResult,
} from './define-node.js';

export interface InvokeNodeArgs<P> {
  base: NodeContextBase;
  items: Item[];
  inputs: Item[][];
  /** Resolved, validated parameters for an item; throws when they are not valid. */
  params: (itemIndex: number) => P;
  /** Where each input came from (n8n's input source data). */
  inputSource?: ReadonlyArray<TaskSource | null>;
}

/**
 * Runs a node's `execute` or its `perItem` loop and normalises the result to outputs.
 * Shared by the engine and the `testing` harness so node authors test what runs in production.
 * Returns `null` when the node produced no output (no run entry in n8n's semantics).
 */
export async function invokeNode<P>(
  definition: NodeDefinition<P>,
  args: InvokeNodeArgs<P>,
): Promise<Item[][] | null> {
  const { base, items, inputs } = args;
  if (definition.perItem) {
    const perItem = definition.perItem;
    const out: Item[] = [];
    for (let i = 0; i < items.length; i++) {
      if (base.aborted ?? base.signal.aborted) throw base.signal.reason;
      try {
        const params = args.params(i);
        const result = await perItem(new ItemCallContext(base, items[i]!, i, items, params));
        appendPerItem(out, result, i, base.node.name);
      } catch (error) {
        const nodeError = asNodeError(error, base.node.name, i);
        if (!base.continueOnFail) throw nodeError;
        out.push({ json: { error: nodeError.message }, pairedItem: { item: i } });
      }
    }
    return [out];
  }
  const ctx = new ExecuteCallContext(base, items, inputs, args.params, args.inputSource ?? []);
  if (definition.execute) return normaliseOutput(await definition.execute(ctx), base.node.name);
  const trigger = definition.trigger;
  if (trigger?.manual) return normaliseOutput(await trigger.manual(ctx), base.node.name);
  return [items];
}

/**
 * A context for one call: the call's own fields plus the base context's members, delegated so
 * that methods and lazy getters of the base keep working (a spread would call every getter, and
 * `Object.create(base)` per call is slow in V8).
 */
class CallContext implements NodeContextBase {
  constructor(private readonly base: NodeContextBase) {}
  get node() {
    return this.base.node;
  }
  get typeVersion() {
    return this.base.typeVersion;
  }
  get workflow() {
    return this.base.workflow;
  }
  get execution() {
    return this.base.execution;
  }
  get runIndex() {
    return this.base.runIndex;
  }
  get logger() {
    return this.base.logger;
  }
  get signal() {
    return this.base.signal;
  }
  get aborted() {
    return this.base.aborted;
  }
  get helpers() {
    return this.base.helpers;
  }
  get continueOnFail() {
    return this.base.continueOnFail;
  }
  getCredentials<T extends Record<string, unknown>>(type?: string) {
    return this.base.getCredentials<T>(type);
  }
  getStaticData(scope: 'global' | 'node') {
    return this.base.getStaticData(scope);
  }
  getNodeContext() {
    return this.base.getNodeContext();
  }
  executeWorkflow(request: Parameters<NodeContextBase['executeWorkflow']>[0]) {
    return this.base.executeWorkflow(request);
  }
  evaluateExpression(
    template: string,
    itemIndex: number,
    additionalKeys?: Parameters<NodeContextBase['evaluateExpression']>[2],
  ) {
    return this.base.evaluateExpression(template, itemIndex, additionalKeys);
  }
  putExecutionToWait(until: Date | null) {
    this.base.putExecutionToWait(until);
  }
  sendResponse(response: Parameters<NodeContextBase['sendResponse']>[0]) {
    this.base.sendResponse(response);
  }
}

class ItemCallContext<P> extends CallContext implements PerItemContext<P> {
  constructor(
    base: NodeContextBase,
    readonly item: Item,
    readonly itemIndex: number,
    readonly items: Item[],
    readonly params: P,
  ) {
    super(base);
  }
}

class ExecuteCallContext<P> extends CallContext implements ExecuteContext<P> {
  constructor(
    base: NodeContextBase,
    readonly items: Item[],
    readonly inputs: Item[][],
    private readonly resolve: (itemIndex: number) => P,
    readonly inputSource: ReadonlyArray<TaskSource | null>,
  ) {
    super(base);
  }
  params(itemIndex = 0): P {
    return this.resolve(itemIndex);
  }
}

/** An `ExecuteContext` over a base context (used by the engine for poll triggers too). */
export function createExecuteContext<P>(
  base: NodeContextBase,
  items: Item[],
  inputs: Item[][],
  params: (itemIndex: number) => P,
  inputSource: ReadonlyArray<TaskSource | null> = [],
): ExecuteContext<P> {
  return new ExecuteCallContext(base, items, inputs, params, inputSource);
}

function appendPerItem(out: Item[], result: PerItemResult, itemIndex: number, nodeName: string) {
  if (result === null || result === undefined) return;
  const list = Array.isArray(result) ? result : [result];
  for (const value of list) {
    if (isItem(value)) {
      out.push(
        value.pairedItem === undefined ? { ...value, pairedItem: { item: itemIndex } } : value,
      );
    } else if (isJsonObject(value)) {
      out.push({ json: value, pairedItem: { item: itemIndex } });
    } else {
      throw new NodeError(
        `node '${nodeName}' returned a ${typeof value} for item ${itemIndex}; expected an object`,
        {
          code: ERROR_CODES.NODE_OUTPUT_INVALID,
          nodeName,
          itemIndex,
          retryable: false,
        },
      );
    }
  }
}

/** Accepts `Item[][]`, `Item[]` or nothing, and checks every element is an item. */
export function normaliseOutput(output: NodeOutput, nodeName: string): Item[][] | null {
  if (output === null || output === undefined) return null;
  if (!Array.isArray(output)) {
    throw new NodeError(
      `node '${nodeName}' returned ${typeof output}; expected an array of items`,
      {
        code: ERROR_CODES.NODE_OUTPUT_INVALID,
        nodeName,
        retryable: false,
      },
    );
  }
  const outputs =
    output.length > 0 && Array.isArray(output[0]) ? (output as Item[][]) : [output as Item[]];
  for (let o = 0; o < outputs.length; o++) {
    const list = outputs[o];
    if (list === null || list === undefined) {
      outputs[o] = [];
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      if (!isJsonObject(item) || !isJsonObject((item as Item).json)) {
        throw new NodeError(
          `node '${nodeName}' output ${o} item ${i} is not an item: expected { json: {...} }`,
          { code: ERROR_CODES.NODE_OUTPUT_INVALID, nodeName, itemIndex: i, retryable: false },
        );
      }
    }
  }
  return outputs;
}

/** Wraps anything thrown inside a node into a `NodeError` naming the node and item. */
export function asNodeError(error: unknown, nodeName: string, itemIndex?: number): NodeError {
  if (error instanceof NodeError) {
    error.nodeName ??= nodeName;
    if (itemIndex !== undefined) error.itemIndex ??= itemIndex;
    return error;
  }
  const base = toBudflowError(error);
  return new NodeError(base.message, {
    code: base.code === ERROR_CODES.INTERNAL ? ERROR_CODES.NODE_EXECUTION_FAILED : base.code,
    nodeName,
    itemIndex,
    details: base.details,
    cause: error,
  });
}
