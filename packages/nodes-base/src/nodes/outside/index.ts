import type { NodeDefinition } from '@budflow/node-sdk';
import {
  createExecuteWorkflowNode,
  executeWorkflowTriggerNode,
} from './execute-workflow/execute-workflow-nodes.js';
import { errorTriggerNode, executionDataNode } from './execution/execution-nodes.js';
import {
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

export type OutsideNodesOptions = HttpRequestNodeOptions;

/**
 * The outside node group built around a host's HTTP client (server config: SSRF allow-list,
 * limits). `outsideNodes` is the same group on the default client.
 */
export function createOutsideNodes(options: OutsideNodesOptions = {}): NodeDefinition[] {
  return [
    createHttpRequestNode(options),
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

/** The outside node group. Each entry is one node definition. */
export const outsideNodes: NodeDefinition[] = createOutsideNodes();
