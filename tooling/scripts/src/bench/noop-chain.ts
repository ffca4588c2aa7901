/** A generated workflow: Manual Trigger → N No Operation nodes (per-node engine overhead). */
export function noopChain(length: number): Record<string, unknown> {
  const nodes: Array<Record<string, unknown>> = [
    {
      name: 'Trigger',
      type: 'n8n-nodes-base.manualTrigger',
      typeVersion: 1,
      parameters: {},
      position: [0, 0],
    },
  ];
  const connections: Record<string, unknown> = {};
  let previous = 'Trigger';
  for (let i = 1; i <= length; i++) {
    const name = `NoOp ${i}`;
    nodes.push({
      name,
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      parameters: {},
      position: [i * 200, 0],
    });
    connections[previous] = { main: [[{ node: name, type: 'main', index: 0 }]] };
    previous = name;
  }
  return { name: `noop-chain-${length}`, nodes, connections, settings: { executionOrder: 'v1' } };
}
