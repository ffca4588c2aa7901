import { MultiDirectedGraph } from 'graphology';
import { stronglyConnectedComponents } from 'graphology-components';
import { hasCycle, topologicalSort } from 'graphology-dag';
import type { Workflow, WorkflowNode } from '../workflow/workflow-schema.js';

export interface EdgeAttributes {
  type: string;
  outputIndex: number;
  inputIndex: number;
}

export interface InputConnection {
  node: string;
  outputIndex: number;
}
export interface OutputConnection {
  node: string;
  inputIndex: number;
}

/**
 * The workflow as a graph: a graphology multigraph for analysis (cycles, SCCs, order) plus
 * precomputed adjacency tables for the run loop's hot path.
 */
export class WorkflowGraph {
  readonly graph = new MultiDirectedGraph<WorkflowNode, EdgeAttributes>();
  private readonly nodes = new Map<string, WorkflowNode>();
  /** `outputs[source][type][outputIndex]` = targets, in JSON connection order. */
  private readonly outputs = new Map<string, Map<string, OutputConnection[][]>>();
  /** `inputs[target][type][inputIndex]` = sources, in JSON order. */
  private readonly inputs = new Map<string, Map<string, InputConnection[][]>>();
  private readonly ancestorCache = new Map<string, string[]>();

  constructor(readonly workflow: Workflow) {
    for (const node of workflow.nodes) {
      this.nodes.set(node.name, node);
      this.graph.addNode(node.name, node);
    }
    for (const [source, byType] of Object.entries(workflow.connections)) {
      for (const [type, outputs] of Object.entries(byType)) {
        outputs.forEach((targets, outputIndex) => {
          for (const target of targets ?? []) {
            if (!this.nodes.has(target.node) || !this.nodes.has(source)) continue;
            const connType = target.type ?? type;
            this.graph.addDirectedEdge(source, target.node, {
              type: connType,
              outputIndex,
              inputIndex: target.index,
            });
            const outs = table(this.outputs, source, type);
            (outs[outputIndex] ??= []).push({ node: target.node, inputIndex: target.index });
            const ins = table(this.inputs, target.node, connType);
            (ins[target.index] ??= []).push({ node: source, outputIndex });
          }
        });
      }
    }
    // Fill holes so `length` is the number of connected inputs/outputs.
    for (const byType of [...this.outputs.values(), ...this.inputs.values()]) {
      for (const list of byType.values()) for (let i = 0; i < list.length; i++) list[i] ??= [];
    }
  }

  node(name: string): WorkflowNode | undefined {
    return this.nodes.get(name);
  }

  hasNode(name: string): boolean {
    return this.nodes.has(name);
  }

  /** Targets per output index of `name` for a connection type. */
  outputsOf(name: string, type = 'main'): OutputConnection[][] {
    return this.outputs.get(name)?.get(type) ?? [];
  }

  /** Sources per input index of `name` for a connection type. */
  inputsOf(name: string, type = 'main'): InputConnection[][] {
    return this.inputs.get(name)?.get(type) ?? [];
  }

  /** Connection types that end at `name` (e.g. `main`, `ai_tool`). */
  inputTypesOf(name: string): string[] {
    return [...(this.inputs.get(name)?.keys() ?? [])];
  }

  /** Direct parents on a connection type, in input then JSON order, without duplicates. */
  parents(name: string, type = 'main'): string[] {
    return unique(this.inputsOf(name, type).flatMap((list) => list.map((c) => c.node)));
  }

  /** Direct children on a connection type, in output then JSON order, without duplicates. */
  children(name: string, type = 'main'): string[] {
    return unique(this.outputsOf(name, type).flatMap((list) => list.map((c) => c.node)));
  }

  /**
   * Every node upstream of `name` on a connection type (nearest first), excluding `name`.
   * Memoised: the run loop asks for it repeatedly and a parsed workflow does not change.
   */
  ancestors(name: string, type = 'main'): readonly string[] {
    const key = `${type}\u0000${name}`;
    let found = this.ancestorCache.get(key);
    if (!found)
      this.ancestorCache.set(key, (found = this.walk(name, (n) => this.parents(n, type))));
    return found;
  }

  /** Every node downstream of `name` on a connection type, excluding `name`. */
  descendants(name: string, type = 'main'): string[] {
    return this.walk(name, (n) => this.children(n, type));
  }

  private walk(start: string, next: (name: string) => string[]): string[] {
    const seen = new Set<string>([start]);
    const out: string[] = [];
    const queue = [start];
    while (queue.length > 0) {
      for (const n of next(queue.shift()!)) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.push(n);
        queue.push(n);
      }
    }
    return out;
  }

  hasCycle(): boolean {
    return hasCycle(this.graph);
  }

  /** Strongly connected components with more than one node, or a node looping onto itself. */
  cycles(): string[][] {
    return stronglyConnectedComponents(this.graph).filter(
      (component) =>
        component.length > 1 || this.graph.hasDirectedEdge(component[0]!, component[0]!),
    );
  }

  /**
   * Nodes in topological order. Cycles are legal in workflows: each strongly connected component
   * is ordered as a unit (its nodes in JSON order) within the condensed acyclic graph.
   */
  topologicalOrder(): string[] {
    if (!this.hasCycle()) return topologicalSort(this.graph);
    const components = stronglyConnectedComponents(this.graph);
    const componentOf = new Map<string, number>();
    components.forEach((c, i) => c.forEach((n) => componentOf.set(n, i)));
    const condensed = new MultiDirectedGraph();
    components.forEach((_, i) => condensed.addNode(String(i)));
    this.graph.forEachEdge((_edge, _attrs, source, target) => {
      const a = componentOf.get(source)!;
      const b = componentOf.get(target)!;
      if (a !== b) condensed.addDirectedEdge(String(a), String(b));
    });
    const jsonIndex = new Map(this.workflow.nodes.map((n, i) => [n.name, i]));
    return topologicalSort(condensed).flatMap((key) =>
      [...components[Number(key)]!].sort((x, y) => jsonIndex.get(x)! - jsonIndex.get(y)!),
    );
  }
}

function table<T>(map: Map<string, Map<string, T[][]>>, name: string, type: string): T[][] {
  let byType = map.get(name);
  if (!byType) map.set(name, (byType = new Map()));
  let list = byType.get(type);
  if (!list) byType.set(type, (list = []));
  return list;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}
