import {
  defineNode,
  pairedItemList,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
  type OutputSpec,
  type PairedItemData,
  type TaskSource,
} from '@budflow/node-sdk';
import { z } from 'zod';
import { executionNodeContext } from '../../shared/index.js';

const params = () =>
  z.object({
    batchSize: z.coerce.number().min(1).default(10),
    options: z.looseObject({ reset: z.unknown().optional() }).default({}),
  });
const paramsV3 = () => params().extend({ batchSize: z.coerce.number().min(1).default(1) });
type Params = z.infer<ReturnType<typeof params>>;

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

/**
 * Where this run's input came from (n8n's `getInputSourceData()`), when the host provides it as
 * `inputSource`; the loop uses it so lineage of handed-out items points at the loop's first input.
 */
function inputSource(ctx: ExecuteContext<Params>): TaskSource | undefined {
  return ctx.inputSource[0] ?? undefined;
}

function withSource(paired: PairedItemData, source: TaskSource | undefined): PairedItemData {
  return source ? { ...paired, sourceOverwrite: source } : paired;
}
const toJson = (value: unknown) => value as JsonValue;

function nextBatch(ctx: ExecuteContext<Params>): {
  batch: Item[];
  state: LoopState;
  returned: Item[];
} {
  const { batchSize, options } = ctx.params(0);
  const context = executionNodeContext(ctx);
  const state = asState(context);
  const items = ctx.items.slice();
  let batch: Item[];
  if (state.items === undefined || options.reset === true) {
    context.currentRunIndex = 0;
    context.maxRunIndex = Math.ceil(items.length / batchSize);
    batch = items.splice(0, batchSize);
    context.items = toJson(items);
    context.processedItems = [];
    const source = inputSource(ctx);
    if (source) context.sourceData = toJson(source);
  } else {
    context.currentRunIndex = (state.currentRunIndex ?? 0) + 1;
    const pending = (state.items ?? []).slice();
    batch = pending.splice(0, batchSize);
    context.items = toJson(pending);
    // Items coming back from the loop body are collected for the "done" output.
    const current = inputSource(ctx);
    const returned = items.map((item, index) => ({
      ...item,
      pairedItem: withSource({ item: index }, current),
    }));
    context.processedItems = toJson([...(state.processedItems ?? []), ...returned]);
    // Handed-out items keep pointing at the items the loop first received.
    const first = context.sourceData as unknown as TaskSource | undefined;
    batch = batch.map((item) => {
      const list = item.pairedItem === undefined ? [{ item: 0 }] : pairedItemList(item.pairedItem);
      const paired = list.map((entry) => withSource(entry, first));
      return { ...item, pairedItem: Array.isArray(item.pairedItem) ? paired : paired[0] };
    });
  }
  context.noItemsLeft = (asState(context).items ?? []).length === 0;
  return { batch, state: asState(context), returned: asState(context).processedItems ?? [] };
}

function execute(ctx: ExecuteContext<Params>): Item[][] | null {
  const context = executionNodeContext(ctx);
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
  params: (typeVersion: number) => (typeVersion >= 3 ? paramsV3() : params()) as never,
  paramItems: 'first',
  execute,
});
