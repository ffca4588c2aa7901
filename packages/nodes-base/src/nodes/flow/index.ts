import type { NodeDefinition } from '@budflow/node-sdk';

/** The flow node group. Each entry is one node definition. */
export const flowNodes: NodeDefinition[] = [];
