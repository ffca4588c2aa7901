import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { bool, fieldNames, options, str } from './internal/schema.js';
import { splitOutItem } from './internal/split-out.js';

export const splitOutParams = () =>
  z.object({
    fieldToSplitOut: str(),
    include: z
      .enum(['noOtherFields', 'allOtherFields', 'selectedOtherFields'])
      .default('noOtherFields'),
    fieldsToInclude: fieldNames(),
    options: options({
      disableDotNotation: bool(),
      destinationFieldName: str(),
      includeBinary: bool(),
    }),
  });

/** n8n's Split Out node: turns a list (or object, or binaries) inside items into items. */
export const splitOutNode = defineNode({
  type: 'budflow.splitOut',
  version: 1,
  title: 'Split Out',
  description: 'Turn a list inside item(s) into separate items',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.splitOut', versions: [1] } },
  params: splitOutParams,
  execute(ctx) {
    const out: Item[] = [];
    ctx.items.forEach((item, index) => {
      const p = ctx.params(index);
      out.push(
        ...splitOutItem(
          item,
          index,
          {
            fieldToSplitOut: p.fieldToSplitOut,
            include: p.include,
            fieldsToInclude: p.fieldsToInclude,
            destinationFieldName: p.options.destinationFieldName,
            disableDotNotation: p.options.disableDotNotation,
            includeBinary: p.options.includeBinary,
          },
          'current',
        ),
      );
    });
    return [out];
  },
});
