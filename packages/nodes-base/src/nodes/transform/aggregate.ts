import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import {
  addBinaries,
  aggregateAll,
  aggregateGrouped,
  aggregateIndividualItem,
  type AggregateAllOptions,
  type AggregateIndividualOptions,
} from './internal/aggregate.js';
import { bool, fieldNames, options, str } from './internal/schema.js';

export const fieldsToAggregateSchema = () =>
  z
    .object({
      fieldToAggregate: z
        .array(
          z.object({
            fieldToAggregate: str(),
            renameField: bool(),
            outputFieldName: str(),
          }),
        )
        .default([]),
    })
    .prefault({});

export const aggregateParams = () =>
  z.object({
    aggregate: z
      .enum(['aggregateIndividualFields', 'aggregateAllItemData'])
      .default('aggregateIndividualFields'),
    fieldsToAggregate: fieldsToAggregateSchema(),
    destinationFieldName: str('data'),
    include: z.enum(['allFields', 'specifiedFields', 'allFieldsExcept']).default('allFields'),
    fieldsToExclude: fieldNames(),
    fieldsToInclude: fieldNames(),
    options: options({
      groupByFields: fieldNames(),
      disableDotNotation: bool(),
      mergeLists: bool(),
      includeBinaries: bool(),
      keepOnlyUnique: bool(),
      keepMissing: bool(),
    }),
  });
export type AggregateParams = z.infer<ReturnType<typeof aggregateParams>>;

/** n8n's Aggregate node: individual fields into lists, or all item data into one list. */
export const aggregateNode = defineNode({
  type: 'budflow.aggregate',
  version: 1,
  title: 'Aggregate',
  description: 'Combine a field from many items into a list in a single item',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.aggregate', versions: [1] } },
  params: aggregateParams,
  paramItems: 'first',
  execute(ctx) {
    const items = ctx.items;
    if (items.length === 0) return [[]];
    const p = ctx.params(0);
    const individual: AggregateIndividualOptions = {
      fields: p.fieldsToAggregate.fieldToAggregate,
      disableDotNotation: p.options.disableDotNotation,
      mergeLists: p.options.mergeLists,
      keepMissing: p.options.keepMissing,
      throwWhenMissing: false,
    };
    const all: AggregateAllOptions = {
      destinationFieldName: p.destinationFieldName,
      include: p.include,
      fieldsToInclude: p.fieldsToInclude,
      fieldsToExclude: p.fieldsToExclude,
    };
    const groupBy = p.options.groupByFields;
    let out: Array<{ item: Item; members: number[] }>;
    if (groupBy.length > 0) {
      out = aggregateGrouped(
        items,
        groupBy,
        p.aggregate === 'aggregateAllItemData'
          ? { kind: 'all', options: all }
          : { kind: 'individual', options: individual },
      );
    } else {
      const item =
        p.aggregate === 'aggregateAllItemData'
          ? aggregateAll(items, all)
          : aggregateIndividualItem(items, individual);
      out = [{ item, members: items.map((_, index) => index) }];
    }
    if (p.options.includeBinaries) {
      for (const { item, members } of out) {
        addBinaries(
          item,
          members.map((index) => items[index]!),
          p.options.keepOnlyUnique,
        );
      }
    }
    return [out.map(({ item }) => item)];
  },
});
