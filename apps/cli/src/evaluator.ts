import type { ExpressionEvaluator } from '@budflow/node-sdk';

let evaluator: Promise<ExpressionEvaluator | undefined> | undefined;

/** The sandboxed expression evaluator of `@budflow/expression`, created once per process. */
export function defaultEvaluator(): Promise<ExpressionEvaluator | undefined> {
  evaluator ??= import('@budflow/expression').then((mod) => {
    const create = (mod as Record<string, unknown>).createExpressionEvaluator;
    return typeof create === 'function' ? (create as () => ExpressionEvaluator)() : undefined;
  });
  return evaluator;
}
