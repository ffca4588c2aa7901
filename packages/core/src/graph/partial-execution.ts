import type { Item, RunData, TaskSource } from '@budflow/node-sdk';
import type { StackEntry } from '../execution/workflow-runner.js';
import type { WorkflowGraph } from './workflow-graph.js';

export interface PartialExecutionInput {
  trigger: string;
  destination: string;
  runData: RunData;
  pinData: Record<string, Item[]> | undefined;
  dirtyNodes: Set<string>;
}

export interface PartialExecutionPlan {
  /** Nodes that will run first, with their inputs taken from earlier run data. */
  startNodes: string[];
  stack: StackEntry[];
  /** Earlier run data kept as is (nodes that will not run again). */
  reusedRunData: RunData;
}

/**
 * Plans a partial execution to `destination`: walking down from the trigger through nodes that
 * are ancestors of the destination, the first node that is dirty or has no earlier run data
 * (and is not pinned) becomes a start node fed from its parents' last outputs. Everything
 * upstream is reused; the start nodes and what follows them run again.
 */
export function planPartialExecution(
  graph: WorkflowGraph,
  input: PartialExecutionInput,
): PartialExecutionPlan {
  const { trigger, destination, runData, pinData, dirtyNodes } = input;
  const relevant = new Set([destination, ...graph.ancestors(destination)]);
  const startNodes: string[] = [];
  const seen = new Set<string>();
  const needsRun = (name: string) =>
    dirtyNodes.has(name) || (runData[name] === undefined && pinData?.[name] === undefined);

  const visit = (name: string) => {
    if (seen.has(name) || !relevant.has(name)) return;
    seen.add(name);
    if (needsRun(name)) {
      startNodes.push(name);
      return;
    }
    const runs = runData[name];
    const last = runs?.[runs.length - 1];
    graph.outputsOf(name).forEach((targets, outputIndex) => {
      const produced = pinData?.[name] ?? last?.data?.main?.[outputIndex];
      if (!produced || produced.length === 0) return;
      for (const target of targets) visit(target.node);
    });
  };
  visit(trigger);
  // Everything reached with earlier data and no stale node: re-run the destination itself.
  if (startNodes.length === 0) startNodes.push(destination);

  const rerun = new Set<string>();
  for (const start of startNodes) {
    rerun.add(start);
    for (const d of graph.descendants(start)) rerun.add(d);
  }
  const reusedRunData: RunData = {};
  for (const [name, runs] of Object.entries(runData)) {
    if (!rerun.has(name)) reusedRunData[name] = runs;
  }

  const stack: StackEntry[] = startNodes.map((name) => {
    const inputs = graph.inputsOf(name);
    if (name === trigger || inputs.length === 0)
      return { node: name, data: { main: [] }, source: null };
    const main: Array<Item[] | null> = [];
    const source: Array<TaskSource | null> = [];
    inputs.forEach((parents, inputIndex) => {
      main[inputIndex] = null;
      source[inputIndex] = null;
      for (const parent of parents) {
        const runs = reusedRunData[parent.node];
        const lastIndex = (runs?.length ?? 0) - 1;
        const items = pinData?.[parent.node] ?? runs?.[lastIndex]?.data?.main?.[parent.outputIndex];
        if (!items) continue;
        main[inputIndex] = items;
        source[inputIndex] = {
          previousNode: parent.node,
          ...(parent.outputIndex ? { previousNodeOutput: parent.outputIndex } : {}),
          ...(lastIndex > 0 ? { previousNodeRun: lastIndex } : {}),
        };
        break;
      }
    });
    return { node: name, data: { main }, source };
  });
  return { startNodes, stack, reusedRunData };
}
