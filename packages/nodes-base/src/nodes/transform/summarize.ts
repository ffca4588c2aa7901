import { defineNode } from '@budflow/node-sdk';
import { z } from 'zod';
import { bool, fieldNames, options, str } from './internal/schema.js';
import { summarizeItems } from './internal/summarize.js';

export const fieldsToSummarizeSchema = () =>
  z
    .object({
      values: z
        .array(
          z.object({
            aggregation: z
              .enum([
                'append',
                'average',
                'concatenate',
                'count',
                'countUnique',
                'max',
                'min',
                'sum',
              ])
              .default('count'),
            field: str(),
            includeEmpty: bool(),
            separateBy: str(','),
            customSeparator: str(),
          }),
        )
        .default([
          {
            aggregation: 'count',
            field: '',
            includeEmpty: false,
            separateBy: ',',
            customSeparator: '',
          },
        ]),
    })
    .prefault({});

export const summarizeOptionsSchema = () =>
  options({
    continueIfFieldNotFound: bool(),
    disableDotNotation: bool(),
    outputFormat: z.enum(['separateItems', 'singleItem']).default('separateItems'),
    skipEmptySplitFields: bool(),
  });

export const summarizeParams = () =>
  z.object({
    fieldsToSummarize: fieldsToSummarizeSchema(),
    fieldsToSplitBy: fieldNames(),
    options: summarizeOptionsSchema(),
  });

/** n8n's Summarize node: sum, count, min, max, ... across items, optionally split by fields. */
export const summarizeNode = defineNode({
  type: 'budflow.summarize',
  version: 1,
  title: 'Summarize',
  description: 'Sum, count, max, etc. across items',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.summarize', versions: [1, 1.1] } },
  params: summarizeParams,
  paramItems: 'first',
  execute(ctx) {
    if (ctx.items.length === 0) return [[]];
    const p = ctx.params(0);
    return [
      summarizeItems(ctx.items, {
        fieldsToSummarize: p.fieldsToSummarize.values,
        fieldsToSplitBy: p.fieldsToSplitBy,
        disableDotNotation: p.options.disableDotNotation,
        outputFormat: p.options.outputFormat,
        skipEmptySplitFields: p.options.skipEmptySplitFields,
        throwWhenMissing: ctx.typeVersion <= 1 && !p.options.continueIfFieldNotFound,
        groupKeys: ctx.typeVersion <= 1 ? 'stringMap' : 'typedMap',
      }),
    ];
  },
});
