import { defineNode } from '@budflow/node-sdk';
import { z } from 'zod';
import { num } from './internal/schema.js';
import { limitItems } from './internal/sort.js';

export const limitParams = () =>
  z.object({
    maxItems: num(1),
    keep: z.enum(['firstItems', 'lastItems']).default('firstItems'),
  });

/** n8n's Limit node: keeps the first or last `maxItems` items. */
export const limitNode = defineNode({
  type: 'budflow.limit',
  version: 1,
  title: 'Limit',
  description: 'Restrict the number of items',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.limit', versions: [1] } },
  params: limitParams,
  paramItems: 'first',
  execute(ctx) {
    if (ctx.items.length === 0) return [[]];
    const params = ctx.params(0);
    return [limitItems(ctx.items, params.maxItems, params.keep)];
  },
});
