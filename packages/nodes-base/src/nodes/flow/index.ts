import type { NodeDefinition } from '@budflow/node-sdk';
import { compareDatasetsNode } from './compare-datasets.js';
import { filterNode, ifNode } from './condition-nodes.js';
import { mergeNode } from './merge/merge-node.js';
import { setNode } from './set/set-node.js';
import { splitInBatchesNode } from './split-in-batches.js';
import { switchNode } from './switch-node.js';
import { manualTriggerNode, noOpNode, startNode, stopAndErrorNode } from './trigger-nodes.js';

/** The flow node group. Each entry is one node definition. */
export const flowNodes: NodeDefinition[] = [
  manualTriggerNode,
  startNode,
  noOpNode,
  stopAndErrorNode,
  setNode,
  ifNode,
  switchNode,
  filterNode,
  mergeNode,
  compareDatasetsNode,
  splitInBatchesNode,
];
