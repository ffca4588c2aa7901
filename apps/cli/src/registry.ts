import { createNodeRegistry, type NodeRegistry } from '@budflow/core';
import { baseNodes } from '@budflow/nodes-base';

let registry: NodeRegistry | undefined;

/** The node types the CLI knows: every node of `@budflow/nodes-base`. */
export function defaultRegistry(): NodeRegistry {
  registry ??= createNodeRegistry(baseNodes);
  return registry;
}
