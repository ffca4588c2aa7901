import {
  pairedItemList,
  type ExpressionScope,
  type PairedItemData,
  type TaskSource,
} from '@budflow/node-sdk';

/** Where `$('Node').item` lands: run, output and item index in that node's run data. */
export type LineageTarget = [run: number, output: number, item: number];

/** A lineage failure with n8n's message. */
export interface LineageFailure {
  message: string;
  description?: string;
}

class LineageError extends Error {
  constructor(
    message: string,
    readonly description?: string,
  ) {
    super(message);
  }
}

/** The sources of the current node's inputs. The engine may pass them as `scope.source`. */
export function currentSources(scope: ExpressionScope): Array<TaskSource | null> {
  const explicit = (scope as ExpressionScope & { source?: Array<TaskSource | null> }).source;
  if (Array.isArray(explicit)) return explicit;
  if (!scope.previousNode) return [];
  const sources: Array<TaskSource | null> = [];
  const parents = scope.workflow.parentNodes(scope.nodeName);
  const inputCount = Math.max(1, scope.inputs.length);
  for (let input = 0; input < inputCount; input++) {
    if (input === 0 || parents.length <= 1) {
      sources.push({
        previousNode: scope.previousNode.name,
        previousNodeOutput: scope.previousNode.outputIndex,
        previousNodeRun: scope.previousNode.runIndex,
      });
    } else {
      const parent = parents[input];
      const runs = parent === undefined ? undefined : scope.runData[parent];
      sources.push(
        parent === undefined || !runs
          ? null
          : { previousNode: parent, previousNodeOutput: 0, previousNodeRun: runs.length - 1 },
      );
    }
  }
  return sources;
}

function notExecuted(name: string): LineageError {
  return new LineageError(
    `Node '${name}' hasn't been executed`,
    `Make sure the node '${name}' runs before the node that uses it in an expression.`,
  );
}

function walk(
  scope: ExpressionScope,
  destination: string,
  start: TaskSource | null,
  startPaired: PairedItemData,
  depth: number,
): LineageTarget {
  if (depth > 500)
    throw new LineageError("Can't get data for expression", 'The paired item chain is too long.');
  let source = start;
  let paired = startPaired;
  while (source !== null && source.previousNode !== destination) {
    const runs = scope.runData[source.previousNode];
    const task = runs?.[source.previousNodeRun ?? 0];
    if (!task) throw notExecuted(source.previousNode);
    const output = task.data?.main?.[source.previousNodeOutput ?? 0];
    const item = output?.[paired.item];
    if (!item)
      throw new LineageError(
        "Can't get data for expression",
        `The paired item data of node '${source.previousNode}' points to an item that does not exist.`,
      );
    if (item.pairedItem === undefined)
      throw new LineageError(
        `Paired item data for item from node '${source.previousNode}' is unavailable. Ensure '${source.previousNode}' is providing the required output.`,
      );
    const list = pairedItemList(item.pairedItem);
    if (list.length === 0)
      throw new LineageError(
        `Paired item data for item from node '${source.previousNode}' is unavailable. Ensure '${source.previousNode}' is providing the required output.`,
      );
    if (list.length > 1) {
      const found: LineageTarget[] = [];
      let firstError: unknown;
      for (const p of list) {
        try {
          const next = p.sourceOverwrite ?? task.source[p.input ?? 0] ?? null;
          const target = walk(scope, destination, next, p, depth + 1);
          if (!found.some((f) => f[0] === target[0] && f[1] === target[1] && f[2] === target[2]))
            found.push(target);
        } catch (error) {
          firstError ??= error;
        }
      }
      if (found.length === 1) return found[0]!;
      if (found.length === 0) throw firstError;
      throw new LineageError(
        'Multiple matches found',
        `The item has several paired items in node '${destination}'; use .first(), .last(), .all() or .itemMatching() instead of .item.`,
      );
    }
    paired = list[0]!;
    const next = paired.sourceOverwrite ?? task.source[paired.input ?? 0] ?? null;
    if (next === null && task.source.length === 0)
      throw new LineageError(
        'No path back to referenced node',
        `There is no connection back to the node '${destination}', but it's used in an expression here.`,
      );
    source = next;
  }
  if (source === null)
    throw new LineageError(
      'No path back to referenced node',
      `There is no connection back to the node '${destination}', but it's used in an expression here.`,
    );
  const run = source.previousNodeRun ?? 0;
  const task = scope.runData[destination]?.[run];
  if (!task) throw notExecuted(destination);
  const out = source.previousNodeOutput ?? 0;
  if (!task.data?.main?.[out]?.[paired.item])
    throw new LineageError(
      "Can't get data for expression",
      `The paired item data points to an item of node '${destination}' that does not exist.`,
    );
  return [run, out, paired.item];
}

/** Resolves `$(destination).item` for input item `itemIndex` of the current node, n8n's way. */
export function resolveLineage(
  scope: ExpressionScope,
  destination: string,
  itemIndex: number,
  sources: Array<TaskSource | null>,
): LineageTarget | LineageFailure {
  try {
    if (!scope.runData[destination]?.length) throw notExecuted(destination);
    const item = scope.items[itemIndex];
    if (!item)
      throw new LineageError(
        "Can't get data for expression",
        `There is no input item ${itemIndex}.`,
      );
    const stamped = pairedItemList(item.pairedItem)[0] ?? { item: itemIndex };
    const start = sources[stamped.input ?? 0] ?? null;
    return walk(scope, destination, start, stamped, 0);
  } catch (error) {
    if (error instanceof LineageError)
      return error.description === undefined
        ? { message: error.message }
        : { message: error.message, description: error.description };
    return { message: error instanceof Error ? error.message : String(error) };
  }
}
