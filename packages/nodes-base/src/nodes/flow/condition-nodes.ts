import { defineNode, type ExecuteContext, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import {
  FilterError,
  executeFilter,
  filterValueSchema,
  nodeError,
  lazySchema,
} from '../../shared/index.js';
import { evaluateLegacyConditions, legacyConditionsSchema } from './legacy-conditions.js';

const filterNodeOptions = lazySchema(() =>
  z
    .looseObject({
      ignoreCase: z.boolean().optional(),
      looseTypeValidation: z.boolean().optional(),
    })
    .default({}),
);

/** Parameters of If v2.x and Filter v2.x: one filter-conditions value. */
export const filterNodeV2Params = () =>
  z.object({
    conditions: filterValueSchema(),
    looseTypeValidation: z.boolean().default(false),
    options: filterNodeOptions(),
  });
type FilterNodeV2Params = z.infer<ReturnType<typeof filterNodeV2Params>>;

const ifV1Params = () =>
  z.object({
    conditions: legacyConditionsSchema(),
    combineOperation: z.enum(['all', 'any']).default('all'),
  });
type IfV1Params = z.infer<ReturnType<typeof ifV1Params>>;

const filterV1Params = () =>
  z.object({
    conditions: legacyConditionsSchema(),
    combineConditions: z.enum(['AND', 'OR']).default('AND'),
  });
type FilterV1Params = z.infer<ReturnType<typeof filterV1Params>>;

const withPairedItem = (item: Item, itemIndex: number): Item =>
  item.pairedItem === undefined ? { ...item, pairedItem: { item: itemIndex } } : item;

/** Splits items by a filter-conditions value into [pass, fail]. */
function splitByFilter(ctx: ExecuteContext<FilterNodeV2Params>): Item[][] {
  const pass: Item[] = [];
  const fail: Item[] = [];
  ctx.items.forEach((item, itemIndex) => {
    try {
      const params = ctx.params(itemIndex);
      let result: boolean;
      try {
        result = executeFilter(params.conditions, itemIndex);
      } catch (error) {
        if (error instanceof FilterError) {
          throw nodeError(ctx, error.message, { itemIndex, description: error.description });
        }
        throw error;
      }
      (result ? pass : fail).push(withPairedItem(item, itemIndex));
    } catch (error) {
      if (!ctx.continueOnFail) throw error;
      fail.push(withPairedItem(item, itemIndex));
    }
  });
  return [pass, fail];
}

function legacyError(ctx: ExecuteContext<unknown>, error: unknown, itemIndex: number) {
  return nodeError(ctx, error instanceof Error ? error.message : String(error), {
    itemIndex,
    cause: error,
  });
}

/** If: routes items to `true` or `false`. */
export const ifNode = defineNode({
  type: 'budflow.if',
  version: 1,
  title: 'If',
  description: 'Route items to different branches (true/false)',
  category: 'flow',
  // Conditions are evaluated to a boolean per item; nothing of the parameters is kept.
  transientParams: true,
  compat: { n8n: { type: 'n8n-nodes-base.if', versions: [1, 2, 2.1, 2.2, 2.3] } },
  outputs: [
    { type: 'main', name: 'true' },
    { type: 'main', name: 'false' },
  ],
  params: (typeVersion: number) => (typeVersion < 2 ? ifV1Params() : filterNodeV2Params()) as never,
  execute: (ctx: ExecuteContext<IfV1Params | FilterNodeV2Params>) => {
    if (ctx.typeVersion >= 2) return splitByFilter(ctx as ExecuteContext<FilterNodeV2Params>);
    const v1 = ctx as ExecuteContext<IfV1Params>;
    const pass: Item[] = [];
    const fail: Item[] = [];
    v1.items.forEach((item, itemIndex) => {
      const params = v1.params(itemIndex);
      let result: boolean;
      try {
        result = evaluateLegacyConditions(params.conditions, params.combineOperation, ctx.node);
      } catch (error) {
        throw legacyError(ctx, error, itemIndex);
      }
      (result ? pass : fail).push(item);
    });
    return [pass, fail];
  },
});

/** Filter: keeps items matching conditions; the others go to the `discarded` output. */
export const filterNode = defineNode({
  type: 'budflow.filter',
  version: 1,
  title: 'Filter',
  description: 'Remove items matching a condition',
  category: 'flow',
  // Conditions are evaluated to a boolean per item; nothing of the parameters is kept.
  transientParams: true,
  compat: { n8n: { type: 'n8n-nodes-base.filter', versions: [1, 2, 2.1, 2.2, 2.3] } },
  outputs: [
    { type: 'main', name: 'kept' },
    { type: 'main', name: 'discarded' },
  ],
  params: (typeVersion: number) =>
    (typeVersion < 2 ? filterV1Params() : filterNodeV2Params()) as never,
  execute: (ctx: ExecuteContext<FilterV1Params | FilterNodeV2Params>) => {
    if (ctx.typeVersion >= 2) return splitByFilter(ctx as ExecuteContext<FilterNodeV2Params>);
    const v1 = ctx as ExecuteContext<FilterV1Params>;
    const kept: Item[] = [];
    const discarded: Item[] = [];
    v1.items.forEach((item, itemIndex) => {
      const params = v1.params(itemIndex);
      let result: boolean;
      try {
        result = evaluateLegacyConditions(
          params.conditions,
          params.combineConditions === 'OR' ? 'any' : 'all',
          ctx.node,
        );
      } catch (error) {
        throw legacyError(ctx, error, itemIndex);
      }
      const out =
        item.pairedItem === undefined ? { ...item, pairedItem: [{ item: itemIndex }] } : item;
      (result ? kept : discarded).push(out);
    });
    return [kept, discarded];
  },
});
