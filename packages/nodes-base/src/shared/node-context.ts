/** Helpers around the node context the SDK hands to `execute`. */
import { NodeError, type JsonObject, type NodeContextBase } from '@budflow/node-sdk';

/** A `NodeError` naming the node (and item when given), with n8n's message text. */
export function nodeError(
  ctx: Pick<NodeContextBase, 'node'>,
  message: string,
  options: { itemIndex?: number; description?: string; cause?: unknown } = {},
): NodeError {
  return new NodeError(message, {
    nodeName: ctx.node.name,
    itemIndex: options.itemIndex,
    description: options.description,
    cause: options.cause,
    retryable: false,
  });
}

/** Deep copy of JSON data (items crossing node boundaries must not share objects). */
export function deepCopyJson<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

/** The per-execution node context (n8n's `getContext('node')`). */
export function executionNodeContext(ctx: NodeContextBase): JsonObject {
  return ctx.getNodeContext();
}
