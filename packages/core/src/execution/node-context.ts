import {
  BudflowError,
  createInMemoryBinaryHelpers,
  ERROR_CODES,
  isJsonObject,
  type ExecuteWorkflowRequest,
  type ExecuteWorkflowResult,
  type ExecutionMode,
  type ExpressionScope,
  type JsonObject,
  type JsonValue,
  type Logger,
  type NodeContextBase,
  type NodeDefinition,
  type NodeHelpers,
  type NodeInfo,
  type WebhookResponse,
} from '@budflow/node-sdk';
import type { WorkflowNode } from '../workflow/workflow-schema.js';
import type { EngineServices } from './engine-services.js';

const NOOP_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let sharedBinaryHelpers: NodeHelpers | undefined;

/** What a node context needs from the run it belongs to. */
export interface RunHandle {
  readonly services: EngineServices;
  readonly executionId: string;
  readonly mode: ExecutionMode;
  readonly customData: Record<string, string>;
  readonly staticData: JsonObject;
  readonly nodeContexts: Record<string, JsonObject>;
  readonly signal: AbortSignal;
  readonly aborted: boolean;
  readonly workflowInfo: NodeContextBase['workflow'];
  requestWait(until: Date | null): void;
}

export function missingEvaluator(nodeName: string, what: string): BudflowError {
  return new BudflowError(
    ERROR_CODES.EXPRESSION_EVALUATOR_MISSING,
    `node '${nodeName}' uses expressions (${what}) but no expression evaluator is configured`,
    { details: { nodeName } },
  );
}

/**
 * The engine's node context: methods live on the prototype and costly parts (logger, scope)
 * are created on first use, because a context is built for every node run.
 */
export class EngineNodeContext implements NodeContextBase {
  readonly node: NodeInfo;
  readonly continueOnFail: boolean;
  private cachedLogger: Logger | undefined;

  constructor(
    private readonly run: RunHandle,
    private readonly workflowNode: WorkflowNode,
    private readonly definition: NodeDefinition,
    readonly typeVersion: number,
    readonly runIndex: number,
    private readonly scope: () => ExpressionScope,
  ) {
    this.node = {
      name: workflowNode.name,
      type: workflowNode.type,
      typeVersion: workflowNode.typeVersion ?? typeVersion,
      parameters: workflowNode.parameters,
      ...(workflowNode.credentials ? { credentials: workflowNode.credentials } : {}),
      ...(workflowNode.notes ? { notes: workflowNode.notes } : {}),
    };
    this.continueOnFail =
      workflowNode.continueOnFail === true ||
      workflowNode.onError === 'continueRegularOutput' ||
      workflowNode.onError === 'continueErrorOutput';
  }

  get workflow(): NodeContextBase['workflow'] {
    return this.run.workflowInfo;
  }

  get execution(): NodeContextBase['execution'] {
    return { id: this.run.executionId, mode: this.run.mode, customData: this.run.customData };
  }

  get signal(): AbortSignal {
    return this.run.signal;
  }

  get aborted(): boolean {
    return this.run.aborted;
  }

  get helpers(): NodeHelpers {
    return this.run.services.helpers ?? (sharedBinaryHelpers ??= createInMemoryBinaryHelpers());
  }

  get logger(): Logger {
    if (!this.cachedLogger) {
      const base = this.run.services.logger ?? NOOP_LOGGER;
      const meta = (m?: Record<string, unknown>) => ({
        ...m,
        nodeName: this.node.name,
        executionId: this.run.executionId,
      });
      this.cachedLogger = {
        debug: (message, m) => base.debug(message, meta(m)),
        info: (message, m) => base.info(message, meta(m)),
        warn: (message, m) => base.warn(message, meta(m)),
        error: (message, m) => base.error(message, meta(m)),
      };
    }
    return this.cachedLogger;
  }

  async getCredentials<T extends Record<string, unknown>>(type?: string): Promise<T> {
    const node = this.workflowNode;
    const credentialType =
      type ?? this.definition.credentials?.[0]?.name ?? Object.keys(node.credentials ?? {})[0];
    const ref = credentialType ? node.credentials?.[credentialType] : undefined;
    if (!credentialType || !ref) {
      throw new BudflowError(
        ERROR_CODES.CREDENTIAL_NOT_FOUND,
        `node '${node.name}' has no credential${credentialType ? ` of type '${credentialType}'` : ''} set`,
      );
    }
    const resolver = this.run.services.credentials;
    if (!resolver) {
      throw new BudflowError(
        ERROR_CODES.CREDENTIAL_RESOLVER_MISSING,
        `node '${node.name}' needs credential '${ref.name}' but no credential resolver is configured`,
      );
    }
    return (await resolver.resolve({ nodeName: node.name, credentialType, ref })) as T;
  }

  getStaticData(kind: 'global' | 'node'): JsonObject {
    const staticData = this.run.staticData;
    const key = kind === 'global' ? 'global' : `node:${this.node.name}`;
    const existing = staticData[key];
    if (isJsonObject(existing)) return existing;
    const created: JsonObject = {};
    staticData[key] = created;
    return created;
  }

  getNodeContext(): JsonObject {
    return (this.run.nodeContexts[this.node.name] ??= {});
  }

  executeWorkflow(request: ExecuteWorkflowRequest): Promise<ExecuteWorkflowResult> {
    return this.run.services.executeWorkflow(request, this.node.name);
  }

  async evaluateExpression(
    template: string,
    itemIndex: number,
    additionalKeys?: Record<string, JsonValue>,
  ): Promise<unknown> {
    const evaluator = this.run.services.evaluator;
    if (!evaluator) throw missingEvaluator(this.node.name, 'evaluateExpression');
    const scope = this.scope();
    return evaluator.evaluate(
      template,
      additionalKeys
        ? { ...scope, additionalKeys: { ...scope.additionalKeys, ...additionalKeys } }
        : scope,
      itemIndex,
    );
  }

  putExecutionToWait(until: Date | null): void {
    this.run.requestWait(until);
  }

  sendResponse(response: WebhookResponse): void {
    this.run.services.onResponse?.(response);
  }
}
