/** Helpers around the node context the SDK hands to `execute`. */
import { NodeError, type JsonObject, type NodeContextBase } from '@budflow/node-sdk';

/** A `NodeError` naming the node (and item when given), with n8n's message text. */
export function nodeError(
  ctx: Pick<NodeContextBase, 'node'>,
  message: string,
  options: {
    itemIndex?: number;
    description?: string;
    cause?: unknown;
    details?: Record<string, unknown>;
  } = {},
): NodeError {
  return new NodeError(message, {
    nodeName: ctx.node.name,
    itemIndex: options.itemIndex,
    description: options.description,
    cause: options.cause,
    details: options.details,
    retryable: false,
  });
}

/** Deep copy of JSON data (items crossing node boundaries must not share objects). */
export function deepCopyJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/**
 * A shallow copy of an item's json that fields will be added to. `Object.assign` into a fresh
 * object keeps V8's fast properties when fields are added afterwards; a spread copy does not
 * (measured on 10,000 items of 10 fields plus 3 added: 10x the time, 6x the garbage). An own
 * `__proto__` key (possible in parsed JSON) would become the prototype by assignment, so such
 * objects are copied by spread.
 */
export function copyFields(json: JsonObject): JsonObject {
  return Object.prototype.hasOwnProperty.call(json, '__proto__')
    ? { ...json }
    : Object.assign({}, json);
}

/** The per-execution node context (n8n's `getContext('node')`), kept by the engine across runs. */
export function executionNodeContext(ctx: NodeContextBase): JsonObject {
  return ctx.getNodeContext();
}

/**
 * Whether the workflow itself sets the parameter at `path` (e.g. `['conditions', 'number', 0,
 * 'value1']`). n8n applies a parameter's default only when it is absent, never when an expression
 * resolves to `undefined`, while zod defaults fill both; nodes use this to tell them apart.
 */
export function hasRawParam(
  node: Pick<NodeContextBase['node'], 'parameters'>,
  path: ReadonlyArray<string | number>,
): boolean {
  let value: unknown = node.parameters;
  for (let i = 0; i < path.length; i++) {
    const step = path[i]!;
    if (value === null || typeof value !== 'object') return false;
    if (i === path.length - 1) return Object.prototype.hasOwnProperty.call(value, step);
    value = (value as Record<string | number, unknown>)[step];
  }
  return true;
}
