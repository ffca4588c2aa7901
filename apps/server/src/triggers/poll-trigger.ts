import { runWorkflow, type RunWorkflowOptions, type Workflow } from '@budflow/core';
import type { Item } from '@budflow/node-sdk';

/**
 * Asks a polling trigger node for new items: a manual run that stops at that node. Its static
 * data (the node's cursor) lives on the activated workflow, so each poll continues from the last.
 */
export function createPollRunner(
  options: Omit<RunWorkflowOptions, 'mode' | 'destinationNode' | 'startNode'>,
): (launch: { parsed: Workflow; nodeName: string }) => Promise<Item[]> {
  return async ({ parsed, nodeName }) => {
    const result = await runWorkflow(parsed, {
      ...options,
      mode: 'manual',
      destinationNode: nodeName,
      startNode: nodeName,
    });
    if (result.status !== 'success') {
      throw new Error(
        `polling node '${nodeName}' failed: ${result.error?.message ?? result.status}`,
      );
    }
    return result.runData[nodeName]?.at(-1)?.data?.main?.[0] ?? [];
  };
}
