import type { ExpressionScope, JsonObject } from '@budflow/node-sdk';

export interface SingleItemScopeOptions {
  json?: JsonObject;
  nodeName?: string;
  timezone?: string;
  executionId?: string;
}

/**
 * The scope of a one-node manual run with one input item: what `budflow eval` and the conformance
 * cases evaluate against (run index 0, item 0).
 */
export function createSingleItemScope(options: SingleItemScopeOptions = {}): ExpressionScope {
  const nodeName = options.nodeName ?? 'Node';
  const item = { json: options.json ?? {}, pairedItem: { item: 0 } };
  return {
    nodeName,
    nodeType: 'n8n-nodes-base.set',
    nodeTypeVersion: 3.4,
    nodeParameters: {},
    items: [item],
    inputs: [[item]],
    runIndex: 0,
    runData: {},
    workflow: {
      id: undefined,
      name: undefined,
      active: false,
      timezone: options.timezone ?? 'UTC',
      nodeParameters: (name) => (name === nodeName ? {} : undefined),
      hasNode: (name) => name === nodeName,
      parentNodes: () => [],
    },
    execution: { id: options.executionId ?? 'eval', mode: 'manual', customData: {} },
    vars: {},
  };
}
