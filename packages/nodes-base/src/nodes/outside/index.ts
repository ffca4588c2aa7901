import type { NodeDefinition } from '@budflow/node-sdk';

/** The outside node group. Each entry is one node definition. */
export const outsideNodes: NodeDefinition[] = [];
