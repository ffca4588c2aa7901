import type { Item } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';

/**
 * Sorting with user code needs the QuickJS sandbox (`@budflow/sandbox`): user code never runs in
 * the host realm. Until the sandbox exposes an API this mode fails with a clear error.
 */
export async function runSortCode(_items: Item[], _code: string): Promise<Item[]> {
  throw new NodeError(
    "Sort type 'code' is not available yet: it needs the @budflow/sandbox package to run user code safely",
    {
      description: "Use the 'simple' sort type, or sort in a Code node",
      details: { unavailable: 'sandbox' },
    },
  );
}
