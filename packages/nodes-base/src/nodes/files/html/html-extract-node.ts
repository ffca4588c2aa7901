import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { readBinary, requireBinary } from '../internal/binary.js';
import { eachItem, itemError } from '../internal/item-loop.js';
import { extractFromHtml, extractionValueSchema, loadHtmlLibraries } from './extract-values.js';

const paramsSchema = () =>
  z.object({
    sourceData: z.enum(['binary', 'json']).default('json'),
    dataPropertyName: z.string().default('data'),
    extractionValues: z.object({ values: z.array(extractionValueSchema()).optional() }).default({}),
    options: z.object({ trimValues: z.boolean().optional() }).default({}),
  });

export type HtmlExtractParams = z.infer<ReturnType<typeof paramsSchema>>;

/** n8n's legacy HTML Extract node: values picked from HTML with CSS selectors. */
export const htmlExtractNode = defineNode<HtmlExtractParams>({
  type: 'budflow.htmlExtract',
  version: 1,
  title: 'HTML Extract',
  description: 'Extracts data from HTML',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.htmlExtract', versions: [1] } },
  params: paramsSchema,
  async execute(ctx) {
    await loadHtmlLibraries();
    return eachItem(ctx, async (item: Item, itemIndex): Promise<Item[]> => {
      const params = ctx.params(itemIndex);
      let documents: unknown;
      if (params.sourceData === 'json') {
        documents = Object.prototype.hasOwnProperty.call(item.json, params.dataPropertyName)
          ? item.json[params.dataPropertyName]
          : undefined;
        if (documents === undefined) {
          throw itemError(ctx, `No property named "${params.dataPropertyName}" exists!`, itemIndex);
        }
      } else {
        const ref = requireBinary(ctx, item, itemIndex, params.dataPropertyName);
        documents = (await readBinary(ctx, ref)).toString('utf-8');
      }
      const list = Array.isArray(documents) ? documents : [documents];
      return list.map((html) => ({
        json: extractFromHtml(String(html), params.extractionValues.values ?? [], params.options, {
          kind: 'legacy',
        }),
      }));
    });
  },
});
