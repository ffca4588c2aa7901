import { createExpressionEvaluator } from '@budflow/expression';
import {
  behaviourVersion,
  createInMemoryBinaryHelpers,
  invokeNode,
  paramsSchemaFor,
  validateParams,
  type ExecuteWorkflowRequest,
  type ExecuteWorkflowResult,
  type Item,
  type JsonObject,
  type JsonValue,
  type NodeContextBase,
  type NodeDefinition,
  type ExpressionEvaluator,
  type ExpressionScope,
  type WebhookResponse,
} from '@budflow/node-sdk';

let evaluator: ExpressionEvaluator | undefined;
/** The real expression evaluator (inline sandbox), shared by the tests of this folder. */
function realEvaluator(): ExpressionEvaluator {
  return (evaluator ??= createExpressionEvaluator({ isolation: 'inline' }));
}

/**
 * A test harness like the SDK's `runNode`, with the hooks these nodes need: an expression stub
 * (pagination evaluates templates itself), a sub-workflow runner, execution mode and custom data.
 * Test-only; never exported from the package.
 */
export interface TestRunOptions {
  params?: JsonObject;
  items?: Array<Item | JsonObject>;
  typeVersion?: number;
  type?: string;
  credentials?: Record<string, Record<string, unknown>>;
  continueOnFail?: boolean;
  mode?: string;
  timezone?: string;
  /** Evaluates a template for an item with extra keys (stands in for the engine's evaluator). */
  evaluate?: (template: string, itemIndex: number, keys: Record<string, JsonValue>) => unknown;
  /** Use the real `@budflow/expression` evaluator for `ctx.evaluateExpression`. */
  expressions?: boolean;
  executeWorkflow?: (request: ExecuteWorkflowRequest) => Promise<ExecuteWorkflowResult>;
  signal?: AbortSignal;
  customData?: Record<string, string>;
}

export async function runTestNode(definition: NodeDefinition, options: TestRunOptions = {}) {
  const type = options.type ?? definition.compat?.n8n?.type ?? definition.type;
  const typeVersion = behaviourVersion(definition, type, options.typeVersion);
  const parameters = options.params ?? {};
  const node = { name: definition.title, type, typeVersion, parameters };
  const items: Item[] = (options.items ?? [{ json: {} }]).map((value, index) => {
    const item =
      'json' in value && typeof value.json === 'object' && value.json !== null
        ? (value as Item)
        : { json: value as JsonObject };
    return { ...item, pairedItem: item.pairedItem ?? { item: index } };
  });
  const schema = paramsSchemaFor(definition, typeVersion);
  const logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }> = [];
  const log = (level: string) => (message: string, meta?: Record<string, unknown>) => {
    logs.push({ level, message, ...(meta ? { meta } : {}) });
  };
  let wait: { until: Date | null } | undefined;
  const responses: WebhookResponse[] = [];
  const customData: Record<string, string> = { ...(options.customData ?? {}) };
  const staticData = { global: {} as JsonObject, node: {} as JsonObject };
  const nodeContext: JsonObject = {};
  const scope: ExpressionScope = {
    nodeName: node.name,
    nodeType: type,
    nodeTypeVersion: typeVersion,
    nodeParameters: parameters,
    items,
    inputs: [items],
    runIndex: 0,
    runData: {},
    workflow: {
      id: 'wf-test',
      name: 'test',
      active: false,
      timezone: options.timezone ?? 'UTC',
      nodeParameters: (name) => (name === node.name ? parameters : undefined),
      hasNode: (name) => name === node.name,
      parentNodes: () => [],
    },
    execution: { id: 'exec-test', mode: options.mode ?? 'manual', customData },
    vars: {},
  };
  const base: NodeContextBase = {
    node,
    typeVersion,
    workflow: {
      id: 'wf-test',
      name: 'test',
      active: false,
      timezone: options.timezone ?? 'UTC',
      settings: {},
    },
    execution: { id: 'exec-test', mode: options.mode ?? 'manual', customData },
    runIndex: 0,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    signal: options.signal ?? new AbortController().signal,
    helpers: createInMemoryBinaryHelpers(),
    continueOnFail: options.continueOnFail ?? false,
    async getCredentials<T>(credentialType?: string) {
      const wanted = credentialType ?? definition.credentials?.[0]?.name ?? '';
      const data = options.credentials?.[wanted];
      if (!data) throw new Error(`no credential of type '${wanted}'`);
      return data as T;
    },
    getStaticData: (scope) => staticData[scope],
    getNodeContext: () => nodeContext,
    async executeWorkflow(request) {
      if (!options.executeWorkflow) throw new Error('no executeWorkflow in this test');
      return options.executeWorkflow(request);
    },
    async evaluateExpression(template: string, itemIndex: number, ...rest: unknown[]) {
      if (options.expressions) return realEvaluator().evaluate(template, scope, itemIndex);
      if (!options.evaluate) throw new Error('no evaluator in this test');
      return options.evaluate(template, itemIndex, (rest[0] ?? {}) as Record<string, JsonValue>);
    },
    putExecutionToWait(until) {
      wait = { until };
    },
    sendResponse(response) {
      responses.push(response);
    },
  };
  const outputs = await invokeNode(definition, {
    base,
    items,
    inputs: [items],
    params: (itemIndex) => validateParams(schema, parameters, node, itemIndex),
  });
  const first = outputs?.[0] ?? [];
  return {
    outputs,
    items: first,
    json: first.map((i) => i.json),
    logs,
    wait,
    responses,
    customData,
    staticData,
  };
}
