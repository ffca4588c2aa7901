import { BudflowError, ERROR_CODES } from '../errors/budflow-error.js';
import type { Item, JsonObject } from '../item/item.js';
import { containsExpression } from '../expression/expression-evaluator.js';
import {
  behaviourVersion,
  paramsSchemaFor,
  type Logger,
  type NodeContextBase,
  type NodeDefinition,
  type WebhookResponse,
} from '../node/define-node.js';
import { createInMemoryBinaryHelpers } from '../node/binary-helpers.js';
import { invokeNode } from '../node/invoke-node.js';
import { validateParams } from '../node/validate-params.js';

export interface RunNodeOptions {
  /** Literal parameters (expressions need the engine: use `runWorkflow` for those). */
  params?: JsonObject;
  /** Items on input 0. */
  items?: Array<Item | JsonObject>;
  /** Items per input, for multi-input nodes (overrides `items`). */
  inputs?: Array<Array<Item | JsonObject>>;
  /** Credential data by credential type. */
  credentials?: Record<string, Record<string, unknown>>;
  /** Type name the node is used under (default: its n8n type, else its BudFlow type). */
  type?: string;
  typeVersion?: number;
  continueOnFail?: boolean;
  staticData?: { global?: JsonObject; node?: JsonObject };
  timezone?: string;
  signal?: AbortSignal;
  /** The node's per-execution context (pass the same object to simulate successive runs). */
  nodeContext?: JsonObject;
  runIndex?: number;
}

export interface RunNodeResult {
  /** Items per output; `null` when the node produced no output. */
  outputs: Item[][] | null;
  /** Output 0, or `[]`. */
  items: Item[];
  /** `json` of output 0's items. */
  json: JsonObject[];
  logs: Array<{ level: string; message: string; meta?: Record<string, unknown> }>;
  staticData: { global: JsonObject; node: JsonObject };
  /** Set when the node asked to park the execution (`until: null` = wait for a webhook call). */
  wait: { until: Date | null } | undefined;
  /** Responses sent with `sendResponse`. */
  responses: WebhookResponse[];
}

const asItem = (value: Item | JsonObject): Item =>
  'json' in value &&
  typeof value.json === 'object' &&
  value.json !== null &&
  !Array.isArray(value.json)
    ? (value as Item)
    : { json: value as JsonObject };

/** Runs one node outside a workflow, as the engine would, for node authors' unit tests. */
export async function runNode(
  definition: NodeDefinition,
  options: RunNodeOptions = {},
): Promise<RunNodeResult> {
  const type = options.type ?? definition.compat?.n8n?.type ?? definition.type;
  const typeVersion = behaviourVersion(definition, type, options.typeVersion);
  const rawParams = options.params ?? {};
  if (containsExpression(rawParams)) {
    throw new BudflowError(
      ERROR_CODES.EXPRESSION_EVALUATOR_MISSING,
      'runNode takes literal parameters; run expressions through runWorkflow with an evaluator',
    );
  }
  const inputs = (options.inputs ?? [options.items ?? [{ json: {} }]]).map((list) =>
    list
      .map(asItem)
      .map((item, index) => ({ ...item, pairedItem: item.pairedItem ?? { item: index } })),
  );
  const items = inputs.find((list) => list.length > 0) ?? inputs[0] ?? [];
  const node = { name: definition.title, type, typeVersion, parameters: rawParams };
  const schema = paramsSchemaFor(definition, typeVersion);
  const validated = validateParams(schema, rawParams, node);
  const logs: RunNodeResult['logs'] = [];
  const log =
    (level: string) =>
    (message: string, meta?: Record<string, unknown>): void => {
      logs.push({ level, message, ...(meta ? { meta } : {}) });
    };
  const logger: Logger = {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
  const nodeContext: JsonObject = options.nodeContext ?? {};
  let waitTill: Date | null = null;
  let waited = false;
  const responses: WebhookResponse[] = [];
  const staticData = {
    global: options.staticData?.global ?? {},
    node: options.staticData?.node ?? {},
  };
  const base: NodeContextBase = {
    node,
    typeVersion,
    workflow: {
      id: undefined,
      name: 'test',
      active: false,
      timezone: options.timezone ?? 'UTC',
      settings: {},
    },
    execution: { id: 'test', mode: 'manual', customData: {} },
    runIndex: options.runIndex ?? 0,
    logger,
    signal: options.signal ?? new AbortController().signal,
    helpers: createInMemoryBinaryHelpers(),
    continueOnFail: options.continueOnFail ?? false,
    async getCredentials<T>(credentialType?: string) {
      const wanted = credentialType ?? definition.credentials?.[0]?.name;
      const data = wanted ? options.credentials?.[wanted] : undefined;
      if (!data) {
        throw new BudflowError(
          ERROR_CODES.CREDENTIAL_NOT_FOUND,
          `no credential of type '${wanted}' given to runNode`,
        );
      }
      return data as T;
    },
    getStaticData: (scope) => staticData[scope],
    getNodeContext: () => nodeContext,
    async executeWorkflow() {
      throw new BudflowError(ERROR_CODES.WORKFLOW_LOADER_MISSING, 'runNode has no workflow loader');
    },
    async evaluateExpression() {
      throw new BudflowError(
        ERROR_CODES.EXPRESSION_EVALUATOR_MISSING,
        'runNode has no expression evaluator',
      );
    },
    putExecutionToWait(until) {
      waitTill = until;
      waited = true;
    },
    sendResponse(response) {
      responses.push(response);
    },
  };
  const outputs = await invokeNode(definition, { base, items, inputs, params: () => validated });
  const first = outputs?.[0] ?? [];
  return {
    outputs,
    items: first,
    json: first.map((i) => i.json),
    logs,
    staticData,
    wait: waited ? { until: waitTill } : undefined,
    responses,
  };
}
