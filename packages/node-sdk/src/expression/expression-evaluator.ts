import type { Item, JsonObject, JsonValue, TaskSource } from '../item/item.js';
import type { ExecutionMode, RunData } from '../execution/run-data.js';

/** What an expression can see of the workflow graph: enough to walk `pairedItem` lineage. */
export interface ExpressionWorkflowView {
  id: string | undefined;
  name: string | undefined;
  active: boolean;
  /** IANA timezone for `$now`/`$today` (workflow setting, else the instance default). */
  timezone: string;
  /** Node parameters by node name (for `$('Node').params`, `$node[...].parameter`). */
  nodeParameters(nodeName: string): JsonObject | undefined;
  hasNode(nodeName: string): boolean;
  /** Direct parents on `main` connections, in input order. */
  parentNodes(nodeName: string): string[];
}

/** Everything one node's expressions are evaluated against. Built by the engine once per node run. */
export interface ExpressionScope {
  nodeName: string;
  nodeType: string;
  nodeTypeVersion: number;
  /** The raw (unresolved) parameters of the node: `$parameter`. */
  nodeParameters: JsonObject;
  /** The node's input items (n8n's `connectionInputData`), each stamped with its `pairedItem`. */
  items: Item[];
  /** All main inputs by index (for `$input` on multi-input nodes). */
  inputs: Item[][];
  runIndex: number;
  runData: RunData;
  workflow: ExpressionWorkflowView;
  execution: {
    id: string;
    mode: ExecutionMode;
    resumeUrl?: string;
    resumeFormUrl?: string;
    customData: Record<string, string>;
  };
  /** Per input index: which node, output and run fed it (lineage on multi-input nodes). */
  source?: Array<TaskSource | null>;
  /** The node whose output fed this node's input (first input with data): `$prevNode`. */
  previousNode?: { name: string; outputIndex: number; runIndex: number };
  vars: Record<string, string>;
  secrets?: Record<string, Record<string, string>>;
  /** `$env` contents; undefined means access is denied (n8n 2.x default). */
  env?: Record<string, string>;
  /**
   * A node's per-execution context (n8n's `$node["Name"].context`, e.g. Loop Over Items'
   * `noItemsLeft`); undefined when the node has none.
   */
  nodeContext?(nodeName: string): JsonObject | undefined;
  /** Extra variables a node adds (e.g. `$response`, `$pageCount` in HTTP pagination). */
  additionalKeys?: Record<string, JsonValue>;
}

/** A path inside a parameter value: object keys and array indices from the root. */
export type ParameterPath = ReadonlyArray<string | number>;

/** What `resolveParameterValues` returns (see there). */
export interface ResolvedParameterValues {
  paths: readonly ParameterPath[];
  values: ReadonlyArray<readonly JsonValue[] | Error>;
}

/**
 * The engine's expression port. Strings starting with `=` are templates; everything else is literal.
 * Implementations must never run user code in the host realm.
 */
export interface ExpressionEvaluator {
  /**
   * Resolves every `=` string inside `value` for each of `itemIndices`, in one batch.
   * Returns one resolved value per index; an expression failure for one item is returned as an
   * `ExpressionError` in that slot, so the caller can decide (fail the node, or continue on fail).
   */
  resolveParameters(
    value: JsonValue,
    scope: ExpressionScope,
    itemIndices: readonly number[],
  ): Promise<Array<JsonValue | Error>>;

  /**
   * Like `resolveParameters`, but returns only the expression values: `paths` lists where each
   * `=` string sits in `value` (object keys and array indices, in document order), and each
   * item's entry holds one resolved value per path (or the item's `ExpressionError`). Saves
   * building a whole parameter tree per item when the caller validates the values alone.
   * Optional: engines fall back to `resolveParameters`.
   */
  resolveParameterValues?(
    value: JsonValue,
    scope: ExpressionScope,
    itemIndices: readonly number[],
  ): Promise<ResolvedParameterValues>;

  /** Evaluates one template for one item. Throws `ExpressionError` on failure. */
  evaluate(template: string, scope: ExpressionScope, itemIndex: number): Promise<unknown>;

  /** Releases worker threads and caches. */
  close?(): Promise<void>;
}

/** True when a parameter value is an expression template (n8n's `=` prefix). */
export function isExpression(value: unknown): value is string {
  return typeof value === 'string' && value.charCodeAt(0) === 61; /* '=' */
}

/** True when any string inside `value` is an expression template. */
export function containsExpression(value: unknown): boolean {
  if (typeof value === 'string') return isExpression(value);
  if (Array.isArray(value)) return value.some(containsExpression);
  if (value !== null && typeof value === 'object')
    return Object.values(value).some(containsExpression);
  return false;
}
