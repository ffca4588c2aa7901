/**
 * @budflow/node-sdk: what a custom-node author installs. The item model, `defineNode`,
 * `defineTrigger`, `defineCredential`, the node context, the expression port and the error classes.
 */
export {
  isItem,
  copyFields,
  isJsonObject,
  pairedItemList,
  toItems,
  type BinaryRef,
  type Item,
  type ItemError,
  type JsonObject,
  type JsonPrimitive,
  type JsonValue,
  type PairedItem,
  type PairedItemData,
  type TaskSource,
} from './item/item.js';
export {
  BudflowError,
  ERROR_CODES,
  ExpressionError,
  NodeError,
  WorkflowValidationError,
  isBudflowError,
  toBudflowError,
  type BudflowErrorOptions,
  type ErrorCode,
  type NodeErrorOptions,
  type ValidationProblem,
} from './errors/budflow-error.js';
export type {
  ConnectionType,
  ExecutionMode,
  ExecutionStatus,
  RunData,
  SerializedError,
  TaskData,
} from './execution/run-data.js';
export {
  containsExpression,
  isExpression,
  type ExpressionEvaluator,
  type ExpressionScope,
  type ExpressionWorkflowView,
  type ParameterPath,
  type ResolvedParameterValues,
} from './expression/expression-evaluator.js';
export {
  behaviourVersion,
  defineCredential,
  defineNode,
  defineTrigger,
  paramsSchemaFor,
  resolveDynamic,
  type BinaryHelpers,
  type CredentialDefinition,
  type CredentialSlot,
  type ExecuteContext,
  type ExecuteWorkflowRequest,
  type ExecuteWorkflowResult,
  type HttpRequestOptions,
  type HttpResponse,
  type InputSpec,
  type Logger,
  type NodeCategory,
  type NodeContextBase,
  type NodeDefinition,
  type NodeHelpers,
  type NodeInfo,
  type NodeOutput,
  type OutputSpec,
  type ParamsSchema,
  type PerItemContext,
  type PerItemResult,
  type TriggerSpec,
  type WebhookResponse,
} from './node/define-node.js';
export {
  asNodeError,
  createExecuteContext,
  invokeNode,
  normaliseOutput,
  type InvokeNodeArgs,
} from './node/invoke-node.js';
export { createInMemoryBinaryHelpers, formatFileSize } from './node/binary-helpers.js';
export {
  formatIssuePath,
  validateParams,
  zodIssues,
  type ParamIssue,
} from './node/validate-params.js';
