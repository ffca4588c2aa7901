import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { loadLodash } from '../../shared/index.js';
import { bool, options, str } from './internal/schema.js';
import { assertSortCodeReturns, sortItemsRandom, sortItemsSimple } from './internal/sort.js';
import { runSortCode } from './internal/sort-code.js';

export const DEFAULT_SORT_CODE = `// The two items to compare are in the variables a and b
// Access the fields in a.json and b.json
// Return -1 if a should go before b
// Return 1 if b should go before a
// Return 0 if there's no difference

fieldName = 'myField';

if (a.json[fieldName] < b.json[fieldName]) {
return -1;
}
if (a.json[fieldName] > b.json[fieldName]) {
return 1;
}
return 0;`;

export const sortFieldsSchema = () =>
  z
    .object({
      sortField: z
        .array(
          z.object({
            fieldName: str(),
            order: z.enum(['ascending', 'descending']).default('ascending'),
          }),
        )
        .optional(),
    })
    .prefault({});

export const sortParams = () =>
  z.object({
    type: z.enum(['simple', 'random', 'code']).default('simple'),
    sortFieldsUi: sortFieldsSchema(),
    code: str(DEFAULT_SORT_CODE),
    options: options({ disableDotNotation: bool() }),
  });
export type SortParams = z.infer<ReturnType<typeof sortParams>>;

/** Shared by Sort and Item Lists' sort operation. */
export async function sortItems(items: Item[], params: SortParams): Promise<Item[]> {
  if (params.type === 'random') return sortItemsRandom(items);
  if (params.type === 'simple') {
    await loadLodash();
    return sortItemsSimple(items, params.sortFieldsUi.sortField, params.options.disableDotNotation);
  }
  assertSortCodeReturns(params.code);
  return runSortCode(items, params.code);
}

/** n8n's Sort node: simple (by fields), random, or a comparator written in JavaScript. */
export const sortNode = defineNode({
  type: 'budflow.sort',
  version: 1,
  title: 'Sort',
  description: 'Change items order',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.sort', versions: [1] } },
  params: sortParams,
  paramItems: 'first',
  async execute(ctx) {
    if (ctx.items.length === 0) return [[]];
    return [await sortItems(ctx.items, ctx.params(0))];
  },
});
