import type { NodeDefinition } from '@budflow/node-sdk';
import {
  createHttpRequestNode,
  type HttpRequestNodeOptions,
} from './http-request/http-request-node.js';

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

export type OutsideNodesOptions = HttpRequestNodeOptions;

/**
 * The outside node group built around a host's HTTP client (server config: SSRF allow-list,
 * limits). `outsideNodes` is the same group on the default client.
 */
export function createOutsideNodes(options: OutsideNodesOptions = {}): NodeDefinition[] {
  return [createHttpRequestNode(options)];
}

/** The outside node group. Each entry is one node definition. */
export const outsideNodes: NodeDefinition[] = createOutsideNodes();
