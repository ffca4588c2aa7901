import type { NodeDefinition } from '@budflow/node-sdk';

/** The files node group. Each entry is one node definition. */
export const filesNodes: NodeDefinition[] = [];
