import {
  asNodeError,
  ERROR_CODES,
  NodeError,
  type ExecuteContext,
  type Item,
} from '@budflow/node-sdk';

/** A `NodeError` for one item, named after the node. */
export function itemError(
  ctx: { node: { name: string } },
  message: string,
  itemIndex: number,
  options: { description?: string; cause?: unknown; retryable?: boolean } = {},
): NodeError {
  return new NodeError(message, {
    code: ERROR_CODES.NODE_EXECUTION_FAILED,
    nodeName: ctx.node.name,
    itemIndex,
    retryable: options.retryable ?? false,
    description: options.description,
    cause: options.cause,
  });
}

export type FailedItemMode =
  /** push `{ json: { error } }` paired with the item (most n8n nodes) */
  | 'error-item'
  /** drop the item from the output (n8n's XML node) */
  | 'drop';

/**
 * Runs `fn` for each input item, collecting its output items. A failure stops the node with an
 * error naming the item, or, when the node continues on failure, becomes an error item.
 */
export async function eachItem<P>(
  ctx: ExecuteContext<P>,
  fn: (item: Item, itemIndex: number) => Promise<Item[] | Item | null> | Item[] | Item | null,
  onFailure: FailedItemMode = 'error-item',
): Promise<Item[]> {
  const out: Item[] = [];
  for (let itemIndex = 0; itemIndex < ctx.items.length; itemIndex++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    try {
      const result = await fn(ctx.items[itemIndex]!, itemIndex);
      if (result === null) continue;
      for (const entry of Array.isArray(result) ? result : [result]) {
        out.push(
          entry.pairedItem === undefined ? { ...entry, pairedItem: { item: itemIndex } } : entry,
        );
      }
    } catch (error) {
      const nodeError = asNodeError(error, ctx.node.name, itemIndex);
      if (!ctx.continueOnFail) throw nodeError;
      if (onFailure === 'error-item') {
        out.push({ json: { error: nodeError.message }, pairedItem: { item: itemIndex } });
      }
    }
  }
  return out;
}

/** pairedItem pointing at every input item (n8n's `generatePairedItemData`). */
export function allPairedItems(count: number): Array<{ item: number }> {
  return Array.from({ length: count }, (_, item) => ({ item }));
}
