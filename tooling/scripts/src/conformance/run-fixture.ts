import { readFile } from 'node:fs/promises';
import { runWorkflow, type NodeRegistry } from '@budflow/core';
import {
  isJsonObject,
  type ExpressionEvaluator,
  type Item,
  type JsonObject,
} from '@budflow/node-sdk';
import { firstDifference, normalise, type Difference } from './compare.js';

export type FixtureOutcome =
  | { status: 'pass'; file: string; nodes: number }
  | { status: 'fail'; file: string; reason: string; difference?: Difference; node?: string }
  | { status: 'skip'; file: string; reason: string };

/** Node types that reach the network: fixtures using them need HTTP mocks we do not have. */
const NETWORK_TYPES = new Set(['n8n-nodes-base.httpRequest', 'n8n-nodes-base.graphql']);

/** Strips a pinned item to what n8n's harness compares: json only. */
function expectedJson(entry: unknown): unknown {
  if (isJsonObject(entry) && isJsonObject(entry.json)) return normalise(entry.json);
  return normalise(entry);
}

/**
 * Judges one fixture the way n8n's node-test harness does: strip pinData, run from the start
 * node with the optional `trigger` input, then compare each pinned node's first main output.
 */
export async function runFixture(
  file: string,
  registry: NodeRegistry,
  evaluator: ExpressionEvaluator | undefined,
): Promise<FixtureOutcome> {
  let document: JsonObject;
  try {
    document = JSON.parse(await readFile(file, 'utf8')) as JsonObject;
  } catch (error) {
    return { status: 'fail', file, reason: `not valid JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(document.nodes))
    return { status: 'skip', file, reason: 'not a workflow (no nodes)' };
  const pinData = (isJsonObject(document.pinData) ? document.pinData : {}) as Record<
    string,
    unknown[]
  >;
  const checked = Object.keys(pinData);
  if (checked.length === 0)
    return { status: 'skip', file, reason: 'no pinData: nothing to compare' };

  const nodes = document.nodes as JsonObject[];
  for (const node of nodes) {
    if (node.disabled) continue;
    const type = String(node.type);
    if (NETWORK_TYPES.has(type))
      return {
        status: 'skip',
        file,
        reason: `needs network (node '${String(node.name)}', ${type})`,
      };
    if (!registry.resolve(type, node.typeVersion as number | undefined)) {
      const known = registry.versionsOf(type);
      return {
        status: 'skip',
        file,
        reason: known
          ? `unsupported typeVersion ${String(node.typeVersion)} of ${type} (node '${String(node.name)}')`
          : `unsupported node type ${type} (node '${String(node.name)}')`,
      };
    }
  }

  const { pinData: _stripped, trigger, ...workflow } = document;
  const triggerSpec = isJsonObject(trigger) ? trigger : {};
  const input = Array.isArray(triggerSpec.input)
    ? (triggerSpec.input as Array<Item | JsonObject>)
    : undefined;
  let result;
  try {
    result = await runWorkflow(workflow, {
      registry,
      ...(evaluator ? { evaluator } : {}),
      mode: typeof triggerSpec.mode === 'string' ? triggerSpec.mode : 'manual',
      ...(input ? { input } : {}),
      timezone: 'UTC',
      pinData: false,
    });
  } catch (error) {
    return {
      status: 'fail',
      file,
      reason: `cannot run: ${(error as Error).message.split('\n').join(' ')}`,
    };
  }
  if (result.status !== 'success' && result.status !== 'waiting') {
    return {
      status: 'fail',
      file,
      reason: `execution ${result.status}${result.error ? ` at '${result.error.nodeName ?? result.lastNodeExecuted}': ${result.error.message}` : ''}`,
    };
  }
  for (const node of checked) {
    const runs = result.runData[node];
    if (!runs || runs.length === 0)
      return { status: 'fail', file, node, reason: `node '${node}' did not run` };
    if (runs.length !== 1)
      return {
        status: 'fail',
        file,
        node,
        reason: `node '${node}' ran ${runs.length} times, expected once`,
      };
    const actual = normalise((runs[0]!.data?.main?.[0] ?? null)?.map((item) => item.json) ?? null);
    const expected = (pinData[node] ?? []).map(expectedJson);
    const difference = firstDifference(expected, actual);
    if (difference) {
      return {
        status: 'fail',
        file,
        node,
        reason: `node '${node}' differs`,
        difference: { ...difference, path: difference.path.replace(/^\$/, node) },
      };
    }
  }
  return { status: 'pass', file, nodes: checked.length };
}
