import { defineNode, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { isUnsafeKey, toJsonObject } from '../internal/data-path.js';
import { eachItem, itemError } from '../internal/item-loop.js';
import { loadOnce, lazySchema } from '../../../shared/index.js';

const optionsSchema = lazySchema(() =>
  z
    .object({
      // JSON to XML
      allowSurrogateChars: z.boolean().optional(),
      cdata: z.boolean().optional(),
      headless: z.boolean().optional(),
      rootName: z.string().optional(),
      // both directions
      attrkey: z.string().optional(),
      charkey: z.string().optional(),
      // XML to JSON
      explicitArray: z.boolean().optional(),
      explicitRoot: z.boolean().optional(),
      ignoreAttrs: z.boolean().optional(),
      mergeAttrs: z.boolean().optional(),
      normalize: z.boolean().optional(),
      normalizeTags: z.boolean().optional(),
      trim: z.boolean().optional(),
    })
    .default({}),
);

const paramsSchema = () =>
  z.object({
    mode: z.enum(['jsonToxml', 'xmlToJson']).default('xmlToJson'),
    dataPropertyName: z.string().default('data'),
    options: optionsSchema(),
  });

export type XmlParams = z.infer<ReturnType<typeof paramsSchema>>;

// xml2js (~9 MB of memory) is loaded when an XML node first runs.
const loadXml2js = loadOnce(() => import('xml2js'));

const JSON_TO_XML_OPTIONS = [
  'allowSurrogateChars',
  'attrkey',
  'cdata',
  'charkey',
  'headless',
  'rootName',
] as const;

/** n8n's XML node: JSON to XML with xml2js's builder, XML to JSON with its parser. */
export const xmlNode = defineNode<XmlParams>({
  type: 'budflow.xml',
  version: 1,
  title: 'XML',
  description: 'Convert data from and to XML',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.xml', versions: [1] } },
  params: paramsSchema,
  paramItems: 'first',
  async execute(ctx) {
    const { mode, dataPropertyName, options } = ctx.params(0);
    for (const key of ['attrkey', 'charkey'] as const) {
      const value = options[key];
      if (value !== undefined && isUnsafeKey(value)) {
        throw itemError(ctx, `option '${key}' may not be '${value}'`, 0);
      }
    }
    const { Builder, Parser } = await loadXml2js();
    // A failed item is left out of the output when continuing, as n8n's XML node does.
    return eachItem(
      ctx,
      async (item: Item, itemIndex): Promise<Item> => {
        if (mode === 'xmlToJson') {
          const source = Object.prototype.hasOwnProperty.call(item.json, dataPropertyName)
            ? item.json[dataPropertyName]
            : undefined;
          if (source === undefined) {
            throw itemError(
              ctx,
              `Item has no JSON property called "${dataPropertyName}"`,
              itemIndex,
            );
          }
          const parser = new Parser({ mergeAttrs: true, explicitArray: false, ...options });
          const xml = typeof source === 'string' ? source : JSON.stringify(source);
          const parsed: unknown = await parser.parseStringPromise(xml);
          return { json: toJsonObject(parsed) };
        }
        const builderOptions: Record<string, unknown> = {};
        for (const key of JSON_TO_XML_OPTIONS) {
          if (options[key] !== undefined) builderOptions[key] = options[key];
        }
        const builder = new Builder(builderOptions);
        return { json: { [dataPropertyName]: builder.buildObject(item.json) } };
      },
      'drop',
    );
  },
});
