/**
 * @budflow/expression: n8n-compatible `={{ }}` evaluation. Templates compile once; a node's items
 * are evaluated in one call to the QuickJS sandbox (`@budflow/sandbox`) with n8n's variables,
 * extension methods and Luxon; a provably safe subset runs on the host.
 */
export {
  createExpressionEvaluator,
  type BudflowExpressionEvaluator,
  type ExpressionEvaluatorOptions,
  type RunCodeOptions,
  type RunCodeResult,
} from './create-expression-evaluator.js';
export { expressionPrelude } from './runtime/expression-prelude.js';
export {
  parseTemplate,
  type ParsedTemplate,
  type TemplateSegment,
} from './template/parse-template.js';
export {
  compileScript,
  compileTemplate,
  type CompiledScript,
  type CompiledTemplate,
  type TemplateUsage,
} from './compile/compile-template.js';
export { createSingleItemScope, type SingleItemScopeOptions } from './scope/single-item-scope.js';
export {
  evaluateCases,
  toPrintable,
  type EvalCaseResult,
  type PrintableValue,
} from './cases/evaluate-cases.js';
