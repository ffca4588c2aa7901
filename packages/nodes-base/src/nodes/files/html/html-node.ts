import { defineNode, type Item, type JsonObject, type JsonValue } from '@budflow/node-sdk';
import { z } from 'zod';
import { getPath } from '../internal/data-path.js';
import { readBinary, requireBinary } from '../internal/binary.js';
import { allPairedItems, eachItem, itemError } from '../internal/item-loop.js';
import { looseString } from '../internal/schema.js';
import { extractFromHtml, extractionValueSchema, loadHtmlLibraries } from './extract-values.js';
import { DEFAULT_HTML_TEMPLATE, templateResolvables } from './html-template.js';

function paramsSchema(typeVersion: number) {
  return z.object({
    operation: z
      .enum(['generateHtmlTemplate', 'extractHtmlContent', 'convertToHtmlTable'])
      .default('generateHtmlTemplate'),
    html: looseString(DEFAULT_HTML_TEMPLATE),
    sourceData: z.enum(['binary', 'json']).default('json'),
    dataPropertyName: z.string().default('data'),
    extractionValues: z
      .object({ values: z.array(extractionValueSchema()).optional() })
      .prefault(
        typeVersion > 1
          ? { values: [{ key: '', cssSelector: '', returnValue: 'text', returnArray: false }] }
          : {},
      ),
    options: z
      .object({
        trimValues: z.boolean().optional(),
        cleanUpText: z.boolean().optional(),
        capitalize: z.boolean().optional(),
        customStyling: z.boolean().optional(),
        caption: looseString().optional(),
        tableAttributes: looseString().optional(),
        headerAttributes: looseString().optional(),
        rowAttributes: looseString().optional(),
        cellAttributes: looseString().optional(),
      })
      .default({}),
  });
}

export type HtmlParams = z.infer<ReturnType<typeof paramsSchema>>;

/** v1 reads a top-level key, which may be written as `['a.b']` to contain dots. */
function topLevelValue(json: JsonObject, key: string): JsonValue | undefined {
  const own = (name: string) =>
    Object.prototype.hasOwnProperty.call(json, name) ? json[name] : undefined;
  const direct = own(key);
  if (direct !== undefined) return direct;
  const bracketed = /^\[(['"])(.*)\1\]$/.exec(key);
  return bracketed ? own(bracketed[2]!) : undefined;
}

/** `first_name` -> `First Name` when asked to capitalize. */
export function capitalizeHeader(header: string, capitalize?: boolean): string {
  if (!capitalize) return header;
  return header
    .split('_')
    .filter((word) => word)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

const cellText = (value: JsonValue | undefined): string => {
  if (typeof value === 'boolean') {
    return `<input type="checkbox" ${value ? 'checked="checked"' : ''}/>`;
  }
  // String concatenation, as n8n builds the cell: objects print as [object Object].
  return `${value as unknown as string}`;
};

/** n8n's HTML node (v1, v1.1, v1.2): generate a template, extract content, build a table. */
export const htmlNode = defineNode<HtmlParams>({
  type: 'budflow.html',
  version: 1,
  title: 'HTML',
  description: 'Work with HTML',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.html', versions: [1, 1.1, 1.2] } },
  params: paramsSchema,
  async execute(ctx) {
    await loadHtmlLibraries();
    const { items, typeVersion } = ctx;
    const first = ctx.params(0);

    if (first.operation === 'convertToHtmlTable') {
      if (items.length === 0) return [];
      const options = first.options;
      const tableStyle = options.customStyling
        ? ''
        : "style='border-spacing:0; font-family:helvetica,arial,sans-serif'";
      const headerStyle = options.customStyling
        ? ''
        : "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee; text-align:left; color:#888; font-weight:normal'";
      const cellStyle = options.customStyling
        ? ''
        : "style='margin:0; padding:7px 20px 7px 0px; border-bottom:1px solid #eee'";
      const headers = [...new Set(items.flatMap((item) => Object.keys(item.json)))];
      let table = `<table ${tableStyle} ${options.tableAttributes ?? ''}>`;
      if (options.caption) table += `<caption>${options.caption}</caption>`;
      table += `<thead ${headerStyle} ${options.headerAttributes ?? ''}>`;
      table += '<tr>';
      table += headers
        .map((header) => `<th>${capitalizeHeader(header, options.capitalize)}</th>`)
        .join('');
      table += '</tr></thead><tbody>';
      items.forEach((item, index) => {
        const rowOptions = index === 0 ? options : ctx.params(index).options;
        table += `<tr  ${rowOptions.rowAttributes ?? ''}>`;
        table += headers
          .map(
            (header) =>
              `<td ${cellStyle} ${rowOptions.cellAttributes ?? ''}>${cellText(item.json[header])}</td>`,
          )
          .join('');
        table += '</tr>';
      });
      table += '</tbody></table>';
      return [[{ json: { table }, pairedItem: allPairedItems(items.length) }]];
    }

    return eachItem(ctx, async (item: Item, itemIndex): Promise<Item[] | Item> => {
      const params = ctx.params(itemIndex);
      if (params.operation === 'generateHtmlTemplate') {
        let html = params.html;
        for (const resolvable of templateResolvables(html)) {
          const value = await ctx.evaluateExpression(`=${resolvable}`, itemIndex);
          // As n8n: the value's string form (objects print as [object Object]).
          const text = String(value);
          html = html.replace(resolvable, () => text);
        }
        return { json: { html } };
      }

      // extractHtmlContent
      let documents: JsonValue;
      if (params.sourceData === 'json') {
        const value =
          typeVersion === 1
            ? topLevelValue(item.json, params.dataPropertyName)
            : (getPath(item.json, params.dataPropertyName) as JsonValue | undefined);
        if (value === undefined) {
          throw itemError(ctx, `No property named "${params.dataPropertyName}" exists!`, itemIndex);
        }
        documents = value;
      } else {
        const ref = requireBinary(ctx, item, itemIndex, params.dataPropertyName);
        documents = (await readBinary(ctx, ref)).toString('utf-8');
      }
      const list = Array.isArray(documents) ? documents : [documents];
      const values = params.extractionValues.values ?? [];
      return list.map((html): Item => ({
        json: extractFromHtml(
          typeof html === 'string' ? html : String(html),
          values,
          params.options,
          { kind: 'current', typeVersion },
        ),
      }));
    });
  },
});
