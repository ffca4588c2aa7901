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
