/** Small test-local node definitions for engine tests (not n8n nodes). */
import {
  defineNode,
  defineTrigger,
  NodeError,
  type Item,
  type JsonObject,
} from '@budflow/node-sdk';
import { z } from 'zod';
import { createNodeRegistry } from '../src/index.js';

export function createTestNodes(log: string[] = []) {
  const trigger = defineTrigger({
    type: 'test.trigger',
    version: 1,
    title: 'Trigger',
    category: 'trigger',
    params: z.object({}),
    trigger: { kind: 'manual' },
  });
  const data = defineNode({
    type: 'test.data',
    version: 1,
    title: 'Data',
    category: 'core',
    params: z.object({ items: z.array(z.record(z.string(), z.unknown())).default([]) }),
    execute(ctx) {
      log.push(ctx.node.name);
      return ctx.params(0).items.map((json) => ({ json: json as JsonObject }));
    },
  });
  const set = defineNode({
    type: 'test.set',
    version: 1,
    title: 'Set',
    compat: { n8n: { type: 'n8n-nodes-base.testSet', versions: [1, 2] } },
    category: 'transform',
    params: z.object({ field: z.string().default('x'), value: z.unknown().optional() }),
    perItem(ctx) {
      if (ctx.itemIndex === 0) log.push(ctx.node.name);
      return { ...ctx.item.json, [ctx.params.field]: ctx.params.value as never };
    },
  });
  const iff = defineNode({
    type: 'test.if',
    version: 1,
    title: 'If',
    category: 'flow',
    outputs: [
      { type: 'main', name: 'true' },
      { type: 'main', name: 'false' },
    ],
    params: z.object({ field: z.string(), min: z.number() }),
    execute(ctx) {
      log.push(ctx.node.name);
      const yes: Item[] = [];
      const no: Item[] = [];
      ctx.items.forEach((item, i) => {
        const target = Number(item.json[ctx.params(i).field]) >= ctx.params(i).min ? yes : no;
        target.push({ json: item.json, pairedItem: { item: i } });
      });
      return [yes, no];
    },
  });
  const merge = defineNode({
    type: 'test.merge',
    version: 1,
    title: 'Merge',
    category: 'flow',
    inputs: [{ type: 'main' }, { type: 'main' }],
    params: z.object({}),
    execute(ctx) {
      log.push(ctx.node.name);
      return ctx.inputs.flat();
    },
  });
  const loop = defineNode({
    type: 'test.loop',
    version: 1,
    title: 'Loop',
    category: 'flow',
    outputs: [
      { type: 'main', name: 'done' },
      { type: 'main', name: 'loop' },
    ],
    params: z.object({ batchSize: z.number().default(2) }),
    execute(ctx) {
      log.push(ctx.node.name);
      const state = ctx.getNodeContext() as { pending?: Item[]; processed?: Item[] };
      const size = ctx.params(0).batchSize;
      if (state.pending === undefined) {
        state.pending = ctx.items.map((i) => ({ json: i.json }));
        state.processed = [];
      } else {
        state.processed!.push(...ctx.items.map((i) => ({ json: i.json })));
      }
      const batch = state.pending.splice(0, size);
      if (batch.length === 0) {
        const done = state.processed!;
        delete state.pending;
        return [done, []];
      }
      return [[], batch];
    },
  });
  let failures = 0;
  const flaky = defineNode({
    type: 'test.flaky',
    version: 1,
    title: 'Flaky',
    category: 'core',
    params: z.object({ failTimes: z.number().default(1) }),
    execute(ctx) {
      log.push(ctx.node.name);
      if (failures < ctx.params(0).failTimes) {
        failures++;
        throw new NodeError(`failure ${failures}`);
      }
      return ctx.items;
    },
  });
  const perItemFail = defineNode({
    type: 'test.validate',
    version: 1,
    title: 'Validate',
    category: 'core',
    params: z.object({}),
    perItem(ctx) {
      if (ctx.item.json.bad) throw new Error(`item ${ctx.itemIndex} is bad`);
      return { ...ctx.item.json, ok: true };
    },
  });
  const empty = defineNode({
    type: 'test.empty',
    version: 1,
    title: 'Empty',
    category: 'core',
    params: z.object({ nothing: z.boolean().default(false) }),
    execute(ctx) {
      log.push(ctx.node.name);
      return ctx.params(0).nothing ? null : [[]];
    },
  });
  const hang = defineNode({
    type: 'test.hang',
    version: 1,
    title: 'Hang',
    category: 'core',
    params: z.object({}),
    execute(ctx) {
      log.push(ctx.node.name);
      return new Promise<never>((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), {
          once: true,
        });
      });
    },
  });
  // Ignores its signal: the engine must still abandon it when the run is canceled.
  const deaf = defineNode({
    type: 'test.deaf',
    version: 1,
    title: 'Deaf',
    category: 'core',
    params: z.object({}),
    execute(ctx) {
      log.push(ctx.node.name);
      return new Promise<never>(() => undefined);
    },
  });
  const signal = defineNode({
    type: 'test.signal',
    version: 1,
    title: 'Signal',
    category: 'core',
    params: z.object({}),
    execute: (ctx) => [
      [{ json: { isSignal: ctx.signal instanceof AbortSignal, aborted: ctx.signal.aborted } }],
    ],
  });
  const wait = defineNode({
    type: 'test.wait',
    version: 1,
    title: 'Wait',
    category: 'flow',
    params: z.object({}),
    execute(ctx) {
      log.push(ctx.node.name);
      ctx.putExecutionToWait(null);
      return ctx.items;
    },
  });
  const definitions = [
    trigger,
    data,
    set,
    iff,
    merge,
    loop,
    flaky,
    perItemFail,
    empty,
    hang,
    deaf,
    signal,
    wait,
  ];
  return { registry: createNodeRegistry(definitions), log, definitions };
}

type NodeSpec = {
  type: string;
  params?: JsonObject;
  position?: [number, number];
} & Record<string, unknown>;

/** Builds workflow JSON from a node map and `[from, to, output?, input?]` edges. */
export function wf(
  nodes: Record<string, NodeSpec>,
  edges: Array<[string, string, number?, number?]>,
  settings: JsonObject = {},
): JsonObject {
  const connections: Record<
    string,
    { main: Array<Array<{ node: string; type: string; index: number }>> }
  > = {};
  for (const [from, to, output = 0, input = 0] of edges) {
    const main = (connections[from] ??= { main: [] }).main;
    while (main.length <= output) main.push([]);
    main[output]!.push({ node: to, type: 'main', index: input });
  }
  return {
    nodes: Object.entries(nodes).map(([name, { type, params, position, ...rest }], i) => ({
      name,
      type,
      typeVersion: 1,
      parameters: params ?? {},
      position: position ?? [i * 200, 0],
      ...rest,
    })),
    connections,
    settings,
  };
}
