import type { ExpressionScope } from '@budflow/node-sdk';
import type { CompiledTemplate } from '../compile/compile-template.js';

/** Returned by a fast evaluator when the value must come from the sandbox instead. */
export const FAST_BAIL: unique symbol = Symbol('fast-path bail');

export type FastEvaluator = (scope: ExpressionScope, itemIndex: number) => unknown;

export function compileFastPath(_template: CompiledTemplate): FastEvaluator | undefined {
  return undefined;
}
