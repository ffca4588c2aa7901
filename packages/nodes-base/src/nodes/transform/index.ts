import type { NodeDefinition } from '@budflow/node-sdk';

/** The transform node group. Each entry is one node definition. */
export const transformNodes: NodeDefinition[] = [];
