import type { JsonValue, NodeContextBase } from '@budflow/node-sdk';

/**
 * `evaluateExpression` with extra variables (`$response`, `$pageCount`, `$request`). The SDK's
 * declared signature has two parameters; engines that support the third pass it on to
 * `ExpressionScope.additionalKeys`.
 */
export type EvaluateWithKeys = (
  template: string,
  itemIndex: number,
  additionalKeys?: Record<string, JsonValue>,
) => Promise<unknown>;

export function evaluateWithKeys(ctx: NodeContextBase): EvaluateWithKeys {
  const widened = ctx as unknown as { evaluateExpression: EvaluateWithKeys };
  return (template, itemIndex, additionalKeys) =>
    widened.evaluateExpression(template, itemIndex, additionalKeys);
}

/** Reads a value at a dotted path in the node's raw (unresolved) parameters. */
export function rawParameter(ctx: NodeContextBase, path: string): unknown {
  let current: unknown = ctx.node.parameters;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
