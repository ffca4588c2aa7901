/** Test harness for node authors: run one node with literal params and items. */
export { runNode, type RunNodeOptions, type RunNodeResult } from './run-node.js';
