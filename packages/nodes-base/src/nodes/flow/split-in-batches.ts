import {
  defineNode,
  pairedItemList,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
  type OutputSpec,
} from '@budflow/node-sdk';
import { z } from 'zod';

const params = z.object({
  batchSize: z.coerce.number().int().min(1).default(10),
  options: z.looseObject({ reset: z.unknown().optional() }).default({}),
});
const paramsV3 = params.extend({ batchSize: z.coerce.number().int().min(1).default(1) });
type Params = z.infer<typeof params>;

/**
 * The loop state kept in the per-execution node context (n8n's `getContext('node')`), readable in
 * expressions as `$node["Loop Over Items"].context`: `items` still to hand out, `processedItems`
 * that came back, run counters and the `noItemsLeft`/`done` flags.
 */
interface LoopState {
  items?: Item[];
  processedItems?: Item[];
  currentRunIndex?: number;
  maxRunIndex?: number;
  noItemsLeft?: boolean;
  done?: boolean;
}

const asState = (context: JsonObject) => context as unknown as LoopState;
const toJson = (value: unknown) => value as JsonValue;

function nextBatch(ctx: ExecuteContext<Params>): {
  batch: Item[];
  state: LoopState;
  returned: Item[];
} {
  const { batchSize, options } = ctx.params(0);
  const context = ctx.getNodeContext();
  const state = asState(context);
  const items = ctx.items.slice();
  let batch: Item[];
  if (state.items === undefined || options.reset === true) {
    context.currentRunIndex = 0;
    context.maxRunIndex = Math.ceil(items.length / batchSize);
    batch = items.splice(0, batchSize);
    context.items = toJson(items);
    context.processedItems = [];
  } else {
    context.currentRunIndex = (state.currentRunIndex ?? 0) + 1;
    const pending = (state.items ?? []).slice();
    batch = pending.splice(0, batchSize);
    context.items = toJson(pending);
    // Items coming back from the loop body are collected for the "done" output.
    const returned = items.map((item, index) => ({ ...item, pairedItem: { item: index } }));
    context.processedItems = toJson([...(state.processedItems ?? []), ...returned]);
    // Handed-out items keep pointing at the items the loop first received.
    batch = batch.map((item) => ({
      ...item,
      pairedItem: item.pairedItem === undefined ? { item: 0 } : pairedItemList(item.pairedItem),
    }));
  }
  context.noItemsLeft = (asState(context).items ?? []).length === 0;
  return { batch, state: asState(context), returned: asState(context).processedItems ?? [] };
}

function execute(ctx: ExecuteContext<Params>): Item[][] | null {
  const context = ctx.getNodeContext();
  const { batch, returned } = nextBatch(ctx);
  const version = ctx.typeVersion;
  if (version < 2) return batch.length === 0 ? null : [batch];
  if (batch.length === 0) {
    context.done = true;
    return version < 3 ? [[], returned] : [returned, []];
  }
  context.done = false;
  return version < 3 ? [batch, []] : [[], batch];
}

function outputs(_params: JsonObject, typeVersion: number): OutputSpec[] {
  if (typeVersion < 2) return [{ type: 'main' }];
  const loop: OutputSpec = { type: 'main', name: 'loop' };
  const done: OutputSpec = { type: 'main', name: 'done' };
  return typeVersion < 3 ? [loop, done] : [done, loop];
}

/**
 * Loop Over Items (Split in Batches): hands out `batchSize` items per run and, once the loop body
 * has sent every batch back, emits all returned items on `done`. Its state lives in the
 * per-execution node context, so the engine must keep that context across the node's runs.
 */
export const splitInBatchesNode = defineNode({
  type: 'budflow.splitInBatches',
  version: 1,
  title: 'Loop Over Items (Split in Batches)',
  description: 'Split data into batches and iterate over each batch',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.splitInBatches', versions: [1, 2, 3] } },
  outputs,
  params: (typeVersion: number) => (typeVersion >= 3 ? paramsV3 : params) as never,
  paramItems: 'first',
  execute,
});
