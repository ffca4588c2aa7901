import { defineNode, NodeError, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { loadLodash } from '../../shared/index.js';
import { fieldsToAggregateSchema } from './aggregate.js';
import {
  addBinaries,
  aggregateAll,
  aggregateIndividualItem,
  type AggregateIndividualOptions,
} from './internal/aggregate.js';
import { removeDuplicateItems } from './internal/remove-duplicates.js';
import { anyFieldNames, bool, num, options, str } from './internal/schema.js';
import { limitItems } from './internal/sort.js';
import { splitOutItem, type SplitOutVariant } from './internal/split-out.js';
import { summarizeItems } from './internal/summarize.js';
import { DEFAULT_SORT_CODE, sortFieldsSchema, sortItems } from './sort.js';
import { fieldsToSummarizeSchema } from './summarize.js';

export const itemListsParams = () =>
  z.object({
    resource: z.literal('itemList').default('itemList'),
    operation: z
      .enum([
        'aggregateItems',
        'concatenateItems',
        'limit',
        'removeDuplicates',
        'sort',
        'splitOutItems',
        'summarize',
      ])
      .default('splitOutItems'),
    // split out
    fieldToSplitOut: str(),
    include: z
      .enum([
        'noOtherFields',
        'allOtherFields',
        'selectedOtherFields',
        'allFields',
        'specifiedFields',
        'allFieldsExcept',
      ])
      .optional(),
    fieldsToInclude: anyFieldNames(),
    // aggregate
    aggregate: z
      .enum(['aggregateIndividualFields', 'aggregateAllItemData'])
      .default('aggregateIndividualFields'),
    fieldsToAggregate: fieldsToAggregateSchema(),
    destinationFieldName: str('data'),
    fieldsToExclude: anyFieldNames(),
    // remove duplicates
    compare: z.enum(['allFields', 'allFieldsExcept', 'selectedFields']).default('allFields'),
    fieldsToCompare: anyFieldNames(),
    // sort
    type: z.enum(['simple', 'random', 'code']).default('simple'),
    sortFieldsUi: sortFieldsSchema(),
    code: str(DEFAULT_SORT_CODE),
    // limit
    maxItems: num(1),
    keep: z.enum(['firstItems', 'lastItems']).default('firstItems'),
    // summarize
    fieldsToSummarize: fieldsToSummarizeSchema(),
    fieldsToSplitBy: anyFieldNames(),
    options: options({
      disableDotNotation: bool(),
      destinationFieldName: str(),
      includeBinary: bool(),
      mergeLists: bool(),
      keepMissing: bool(),
      includeBinaries: bool(),
      keepOnlyUnique: bool(),
      removeOtherFields: bool(),
      continueIfFieldNotFound: bool(),
      outputFormat: z.enum(['separateItems', 'singleItem']).default('separateItems'),
      skipEmptySplitFields: bool(),
    }),
  });
type ItemListsParams = z.infer<ReturnType<typeof itemListsParams>>;

function splitVariant(version: number): SplitOutVariant {
  if (version < 2) return 'v1';
  if (version < 2.1) return 'v2';
  if (version < 2.2) return 'v2.1';
  // Item Lists 3 splits as 2.2 did; `$binary` and binaries came with the Split Out node
  return 'v2.2';
}

function splitOut(items: Item[], params: (index: number) => ItemListsParams, version: number) {
  const out: Item[] = [];
  items.forEach((item, index) => {
    const p = params(index);
    const include = p.include ?? 'noOtherFields';
    if (
      include !== 'noOtherFields' &&
      include !== 'allOtherFields' &&
      include !== 'selectedOtherFields'
    ) {
      throw new NodeError(
        `Parameter 'include' has the invalid value '${include}' for splitting out`,
        {
          itemIndex: index,
        },
      );
    }
    out.push(
      ...splitOutItem(
        item,
        index,
        {
          fieldToSplitOut: p.fieldToSplitOut,
          include,
          fieldsToInclude: p.fieldsToInclude,
          destinationFieldName: p.options.destinationFieldName,
          disableDotNotation: p.options.disableDotNotation,
          includeBinary: p.options.includeBinary,
        },
        splitVariant(version),
      ),
    );
  });
  return out;
}

function aggregate(items: Item[], p: ItemListsParams, version: number): Item[] {
  let item: Item;
  if (p.aggregate === 'aggregateAllItemData') {
    const include = p.include ?? 'allFields';
    item = aggregateAll(items, {
      destinationFieldName: p.destinationFieldName,
      include:
        include === 'specifiedFields' || include === 'allFieldsExcept' ? include : 'allFields',
      fieldsToInclude: p.fieldsToInclude,
      fieldsToExclude: p.fieldsToExclude,
    });
  } else {
    const individual: AggregateIndividualOptions = {
      fields: p.fieldsToAggregate.fieldToAggregate,
      disableDotNotation: p.options.disableDotNotation,
      mergeLists: p.options.mergeLists,
      keepMissing: p.options.keepMissing,
      throwWhenMissing: version < 2.1,
    };
    item = aggregateIndividualItem(items, individual);
  }
  if (version >= 3 && p.options.includeBinaries) {
    addBinaries(item, items, p.options.keepOnlyUnique);
  }
  return [item];
}

/**
 * n8n's Item Lists node (v1, v2.x, v3.x): split out, aggregate (concatenate), remove duplicates,
 * sort, limit and summarize, each behaving as in the typeVersion used.
 */
export const itemListsNode = defineNode({
  type: 'budflow.itemLists',
  version: 1,
  title: 'Item Lists',
  description: 'Helper for working with lists of items and transforming arrays',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.itemLists', versions: [1, 2, 2.1, 2.2, 3, 3.1] } },
  params: itemListsParams,
  async execute(ctx) {
    const items = ctx.items;
    const version = ctx.typeVersion;
    if (items.length === 0) return [[]];
    const p = ctx.params(0);
    switch (p.operation) {
      case 'splitOutItems':
        return [splitOut(items, (index) => ctx.params(index), version)];
      case 'aggregateItems':
      case 'concatenateItems':
        return [aggregate(items, p, version)];
      case 'removeDuplicates':
        // Its comparisons are lodash's (`sortItems` loads it for itself).
        await loadLodash();
        return [
          removeDuplicateItems(items, {
            compare: p.compare,
            fieldsToCompare: p.fieldsToCompare,
            fieldsToExclude: p.fieldsToExclude,
            disableDotNotation: p.options.disableDotNotation,
            removeOtherFields: p.options.removeOtherFields,
            typeCheck: version >= 3.1 ? 'mixed' : 'strict',
          }),
        ];
      case 'sort':
        return [
          await sortItems(items, {
            type: p.type,
            sortFieldsUi: p.sortFieldsUi,
            code: p.code,
            options: { disableDotNotation: p.options.disableDotNotation },
          }),
        ];
      case 'limit':
        return [limitItems(items, p.maxItems, p.keep)];
      case 'summarize':
        return [
          summarizeItems(items, {
            fieldsToSummarize: p.fieldsToSummarize.values,
            fieldsToSplitBy: p.fieldsToSplitBy,
            disableDotNotation: p.options.disableDotNotation,
            outputFormat: p.options.outputFormat,
            skipEmptySplitFields: p.options.skipEmptySplitFields,
            throwWhenMissing: version < 2.1,
            emptyItemWhenMissing: p.options.continueIfFieldNotFound,
            groupKeys: 'object',
          }),
        ];
    }
  },
});
