import type { ExecuteContext, Item, JsonObject, TaskSource } from '@budflow/node-sdk';
import { runNode } from '@budflow/node-sdk/testing';
import { describe, expect, it } from 'vitest';
import { splitInBatchesNode } from './split-in-batches.js';

/** Drives the loop as the engine does: the same node context across runs, body output fed back. */
async function loop(typeVersion: number, items: JsonObject[], batchSize: number) {
  const nodeContext: JsonObject = {};
  const runs: Array<Item[][] | null> = [];
  let input: JsonObject[] = items;
  for (let runIndex = 0; runIndex < 20; runIndex++) {
    const { outputs } = await runNode(splitInBatchesNode, {
      typeVersion,
      items: input,
      params: { batchSize },
      nodeContext,
      runIndex,
    });
    runs.push(outputs);
    const loopOutput =
      typeVersion === 2 ? outputs?.[0] : typeVersion === 3 ? outputs?.[1] : outputs?.[0];
    if (!loopOutput || loopOutput.length === 0) break;
    input = loopOutput.map((item) => ({ ...item.json, seen: runIndex }));
  }
  return { runs, nodeContext };
}

describe('Loop Over Items (Split in Batches)', () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ i }));

  it('v3 hands out batches on "loop", then everything returned on "done"', async () => {
    const { runs, nodeContext } = await loop(3, items, 3);
    expect(runs).toHaveLength(5);
    expect(runs[0]![0]).toEqual([]);
    expect(runs[0]![1]!.map((item) => item.json)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    expect(runs[3]![1]!.map((item) => item.json)).toEqual([{ i: 9 }]);
    const done = runs[4]!;
    expect(done[1]).toEqual([]);
    expect(done[0]!.map((item) => item.json)).toEqual(
      items.map(({ i }) => ({ i, seen: Math.floor(i / 3) })),
    );
    expect(nodeContext).toMatchObject({
      done: true,
      noItemsLeft: true,
      currentRunIndex: 4,
      maxRunIndex: 4,
    });
  });

  it('v2 uses loop first, done second', async () => {
    const { runs } = await loop(2, items.slice(0, 2), 1);
    expect(runs.map((outputs) => outputs!.map((list) => list.length))).toEqual([
      [1, 0],
      [1, 0],
      [0, 2],
    ]);
  });

  it('v1 stops with no output once all items are handed out', async () => {
    const { runs, nodeContext } = await loop(1, items.slice(0, 2), 1);
    expect(runs.map((outputs) => outputs?.[0]?.length ?? null)).toEqual([1, 1, null]);
    expect(nodeContext.noItemsLeft).toBe(true);
  });

  it('starts over when reset is true', async () => {
    const nodeContext: JsonObject = {};
    await runNode(splitInBatchesNode, {
      typeVersion: 3,
      items,
      params: { batchSize: 4 },
      nodeContext,
    });
    const { outputs } = await runNode(splitInBatchesNode, {
      typeVersion: 3,
      items: [{ fresh: true }],
      params: { batchSize: 4, options: { reset: true } },
      nodeContext,
    });
    expect(outputs![1]!.map((item) => item.json)).toEqual([{ fresh: true }]);
    expect(nodeContext.items).toEqual([]);
  });

  it('finishes at once on empty input', async () => {
    const { outputs } = await runNode(splitInBatchesNode, {
      typeVersion: 3,
      items: [],
      params: {},
    });
    expect(outputs).toEqual([[], []]);
  });

  it('rejects a batch size below 1', async () => {
    await expect(
      runNode(splitInBatchesNode, { typeVersion: 3, params: { batchSize: 0 } }),
    ).rejects.toThrow('batchSize');
  });
});

describe('Loop Over Items lineage', () => {
  /** A bare context with the `inputSource` a host may provide (n8n's getInputSourceData). */
  function context(items: Item[], nodeContext: JsonObject, source: TaskSource) {
    return {
      typeVersion: 3,
      items,
      inputs: [items],
      params: () => ({ batchSize: 1, options: {} }),
      getNodeContext: () => nodeContext,
      inputSource: [source],
    } as unknown as ExecuteContext<never>;
  }

  it('points handed-out items at the input the loop first received', async () => {
    const execute = splitInBatchesNode.execute!;
    const nodeContext: JsonObject = {};
    const first: TaskSource = { previousNode: 'Source', previousNodeOutput: 0, previousNodeRun: 0 };
    const body: TaskSource = { previousNode: 'Body', previousNodeOutput: 0, previousNodeRun: 0 };
    const items = [
      { json: { a: 1 }, pairedItem: { item: 0 } },
      { json: { a: 2 }, pairedItem: { item: 1 } },
    ];
    await execute(context(items, nodeContext, first));
    const second = (await execute(
      context([{ json: { a: 1, done: true }, pairedItem: { item: 0 } }], nodeContext, body),
    )) as Item[][];
    expect(second[1]![0]!.pairedItem).toEqual({ item: 1, sourceOverwrite: first });
    const done = (await execute(
      context([{ json: { a: 2, done: true }, pairedItem: { item: 0 } }], nodeContext, body),
    )) as Item[][];
    expect(done[0]!.map((item) => item.pairedItem)).toEqual([
      { item: 0, sourceOverwrite: body },
      { item: 0, sourceOverwrite: body },
    ]);
  });
});
