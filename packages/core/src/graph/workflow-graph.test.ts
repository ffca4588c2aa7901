import { describe, expect, it } from 'vitest';
import { createTestNodes, wf } from '../../test/test-nodes.js';
import { parseWorkflow, WorkflowGraph } from '../index.js';

const graphOf = (
  edges: Array<[string, string, number?, number?]>,
  extra: Record<string, unknown> = {},
) => {
  const { registry } = createTestNodes();
  const names = [...new Set(edges.flat().filter((x): x is string => typeof x === 'string'))];
  const nodes = Object.fromEntries(
    names.map((n) => [n, { type: n === 'T' ? 'test.trigger' : 'test.set' }]),
  );
  return new WorkflowGraph(parseWorkflow({ ...wf(nodes, edges), ...extra }, { registry }));
};

describe('WorkflowGraph', () => {
  it('gives parents and children per output and input index', () => {
    const graph = graphOf([
      ['T', 'A'],
      ['A', 'B', 0, 0],
      ['A', 'C', 1, 0],
      ['C', 'B', 0, 1],
    ]);
    expect(graph.outputsOf('A')).toEqual([
      [{ node: 'B', inputIndex: 0 }],
      [{ node: 'C', inputIndex: 0 }],
    ]);
    expect(graph.inputsOf('B')).toEqual([
      [{ node: 'A', outputIndex: 0 }],
      [{ node: 'C', outputIndex: 0 }],
    ]);
    expect(graph.parents('B')).toEqual(['A', 'C']);
    expect(graph.ancestors('B')).toEqual(['A', 'C', 'T']);
    expect(graph.descendants('A')).toEqual(['B', 'C']);
  });

  it('orders an acyclic workflow topologically', () => {
    const graph = graphOf([
      ['T', 'A'],
      ['A', 'B'],
      ['T', 'C'],
      ['C', 'B'],
    ]);
    const order = graph.topologicalOrder();
    expect(order.indexOf('T')).toBeLessThan(order.indexOf('A'));
    expect(order.indexOf('A')).toBeLessThan(order.indexOf('B'));
    expect(order.indexOf('C')).toBeLessThan(order.indexOf('B'));
    expect(graph.hasCycle()).toBe(false);
    expect(graph.cycles()).toEqual([]);
  });

  it('accepts cycles, finds them as strongly connected components and still orders the graph', () => {
    const graph = graphOf([
      ['T', 'Loop'],
      ['Loop', 'Body', 1],
      ['Body', 'Loop'],
      ['Loop', 'Done', 0],
    ]);
    expect(graph.hasCycle()).toBe(true);
    expect(graph.cycles().map((c) => [...c].sort())).toEqual([['Body', 'Loop']]);
    const order = graph.topologicalOrder();
    expect(order[0]).toBe('T');
    expect(order.at(-1)).toBe('Done');
  });

  it('keeps non-main connection types apart', () => {
    const { registry } = createTestNodes();
    const graph = new WorkflowGraph(
      parseWorkflow(
        {
          ...wf(
            {
              T: { type: 'test.trigger' },
              Agent: { type: 'test.set' },
              Tool: { type: 'test.set' },
            },
            [['T', 'Agent']],
          ),
          connections: {
            T: { main: [[{ node: 'Agent', type: 'main', index: 0 }]] },
            Tool: { ai_tool: [[{ node: 'Agent', type: 'ai_tool', index: 0 }]] },
          },
        },
        { registry },
      ),
    );
    expect(graph.parents('Agent')).toEqual(['T']);
    expect(graph.parents('Agent', 'ai_tool')).toEqual(['Tool']);
    expect(graph.inputTypesOf('Agent').sort()).toEqual(['ai_tool', 'main']);
  });
});
