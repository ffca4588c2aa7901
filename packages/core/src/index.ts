/**
 * @budflow/core: the BudFlow execution engine. Parses n8n workflow JSON, builds its graph and
 * runs it with n8n's semantics (v1 and legacy execution orders), emitting execution events.
 */
export {
  parseWorkflow,
  isParsedWorkflow,
  normalisePinnedItems,
  type ParseWorkflowOptions,
} from './workflow/parse-workflow.js';
export type {
  Workflow,
  WorkflowConnection,
  WorkflowConnections,
  WorkflowNode,
  WorkflowSettings,
} from './workflow/workflow-schema.js';
export {
  WorkflowGraph,
  type InputConnection,
  type OutputConnection,
} from './graph/workflow-graph.js';
export { planPartialExecution, type PartialExecutionPlan } from './graph/partial-execution.js';
export {
  createNodeRegistry,
  combineRegistries,
  closestTypeName,
} from './registry/node-registry.js';
export {
  defaultEvaluator,
  runWorkflow,
  type RunWorkflowOptions,
  type RunWorkflowResult,
} from './execution/run-workflow.js';
export {
  N8N_STARTING_NODE_TYPES,
  assignPairedItems,
  serializeError,
} from './execution/workflow-runner.js';
export {
  runDataFromEvents,
  type EngineStateSnapshot,
  type ExecutionEvent,
  type ExecutionEventType,
  type SnapshotSlot,
} from './execution/execution-event.js';
export {
  systemClock,
  type BinaryDataStore,
  type Clock,
  type CredentialRef,
  type CredentialResolver,
  type ExecutionObserver,
  type ExpressionEvaluator,
  type NodeRegistry,
  type ResolvedNodeType,
  type WorkflowLoader,
} from './ports.js';
export {
  compileWorkflowYaml,
  parseWorkflowYaml,
  type ParseWorkflowYamlOptions,
} from './yaml/parse-workflow-yaml.js';
export { workflowToYaml, type WorkflowToYamlOptions } from './yaml/workflow-to-yaml.js';
export {
  yamlWorkflowJsonSchema,
  yamlWorkflowSchema,
  type YamlJsonSchemaOptions,
  type YamlWorkflow,
} from './yaml/yaml-schema.js';
export { YamlWorkflowError, type YamlProblem } from './yaml/yaml-workflow-error.js';
export { resolveYamlType, yamlTypeName } from './yaml/yaml-node-types.js';
