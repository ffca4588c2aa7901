import type { NodeDefinition } from '@budflow/node-sdk';
import { createCodeNodes, type CodeNodeOptions } from './code/code-nodes.js';
import {
  createExecuteWorkflowNode,
  executeWorkflowTriggerNode,
} from './execute-workflow/execute-workflow-nodes.js';
import { errorTriggerNode, executionDataNode } from './execution/execution-nodes.js';
import {
  closeDefaultHttpClient,
  createHttpRequestNode,
  type HttpRequestNodeOptions,
} from './http-request/http-request-node.js';
import { cronNode, intervalNode, scheduleTriggerNode } from './schedule/schedule-nodes.js';
import { waitNode } from './wait/wait-node.js';
import { respondToWebhookNode, webhookNode } from './webhook/webhook-nodes.js';

export { createHttpClient, redactUrl } from './internal/http-client.js';
export type {
  HttpClient,
  HttpClientOptions,
  HttpClientRequest,
  HttpClientResponse,
} from './internal/http-client.js';
export { createSsrfGuard, SsrfBlockedError, SSRF_BLOCKED } from './internal/ssrf-guard.js';
export type { SsrfGuard, SsrfOptions, SsrfVerdict } from './internal/ssrf-guard.js';
export { createHttpRequestNode, httpRequestNode } from './http-request/http-request-node.js';
export type { HttpRequestNodeOptions } from './http-request/http-request-node.js';
export {
  curlToHttpRequest,
  splitShellWords,
  type CurlImport,
} from './http-request/curl-to-node.js';
export {
  createExecuteWorkflowNode,
  executeWorkflowNode,
  executeWorkflowTriggerNode,
} from './execute-workflow/execute-workflow-nodes.js';
export {
  CUSTOM_DATA_LIMITS,
  errorTriggerItem,
  errorTriggerNode,
  executionDataNode,
  type ErrorTriggerData,
} from './execution/execution-nodes.js';
export {
  cronNode,
  cronTimesToCron,
  intervalNode,
  intervalToCron,
  scheduleRuleToCron,
  scheduleTriggerItem,
  scheduleTriggerNode,
} from './schedule/schedule-nodes.js';
export { waitNode, waitResumeWebhookParams } from './wait/wait-node.js';
export { respondToWebhookNode, webhookNode } from './webhook/webhook-nodes.js';
export { webhookParams, type WebhookParams } from './webhook/webhook-params.js';
export {
  handleWebhookRequest,
  webhookLastNodeResponse,
  type HandleWebhookArgs,
  type IncomingWebhookRequest,
  type WebhookDecision,
  type WebhookResponsePlan,
} from './webhook/webhook-request.js';

export {
  createCodeNodes,
  normaliseAllItems,
  normaliseEachItem,
  normaliseFunctionResult,
  referencedNodes,
  type CodeNodeOptions,
} from './code/code-nodes.js';
export { codePrelude, createCodeSandbox, DEFAULT_CODE_LIMITS } from './code/code-sandbox.js';

export interface OutsideNodesOptions extends HttpRequestNodeOptions {
  /** Sandbox or limits of the Code, Function and Function Item nodes. */
  code?: CodeNodeOptions;
}

const defaultCode = createCodeNodes();
/** Code, Function and Function Item on the default sandbox (created on first use). */
export const { codeNode, functionNode, functionItemNode } = defaultCode;

/**
 * The outside node group built around a host's HTTP client (server config: SSRF allow-list,
 * limits). `outsideNodes` is the same group on the default client.
 */
export function createOutsideNodes(options: OutsideNodesOptions = {}): NodeDefinition[] {
  const code = options.code ? createCodeNodes(options.code) : defaultCode;
  return [
    createHttpRequestNode(options),
    code.codeNode,
    code.functionNode,
    code.functionItemNode,
    createExecuteWorkflowNode({ http: options.http }),
    executeWorkflowTriggerNode,
    waitNode,
    webhookNode,
    respondToWebhookNode,
    scheduleTriggerNode,
    cronNode,
    intervalNode,
    errorTriggerNode,
    executionDataNode,
  ];
}

/** Releases what the default group holds: the Code sandbox workers and HTTP connection pools. */
export async function closeOutsideNodes(): Promise<void> {
  await Promise.all([defaultCode.close(), closeDefaultHttpClient()]);
}

/** The outside node group. Each entry is one node definition. */
export const outsideNodes: NodeDefinition[] = createOutsideNodes();
