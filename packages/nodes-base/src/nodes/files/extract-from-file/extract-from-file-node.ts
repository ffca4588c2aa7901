import { defineNode, type Item, type JsonObject, type JsonValue } from '@budflow/node-sdk';
import { z } from 'zod';
import { decodeText, readBinary, requireBinary } from '../internal/binary.js';
import { getPath, setPath, toJsonObject, unsetPath } from '../internal/data-path.js';
import { eachItem, itemError } from '../internal/item-loop.js';
import { looseNumber, spreadsheetReadOptionsShape } from '../internal/schema.js';
import {
  SPREADSHEET_FORMATS,
  readCsv,
  readSpreadsheet,
  type SpreadsheetFormat,
} from '../internal/spreadsheet.js';
import { extractPdf } from '../internal/pdf.js';
import { parseIcsCalendar } from './parse-ics.js';

const MOVE_OPERATIONS = ['binaryToPropery', 'fromJson', 'text', 'fromIcs', 'xml'] as const;
const OPERATIONS = [...SPREADSHEET_FORMATS, ...MOVE_OPERATIONS, 'pdf'] as const;

const paramsSchema = () =>
  z.object({
    operation: z.enum(OPERATIONS).default('csv'),
    binaryPropertyName: z.string().default('data'),
    destinationKey: z.string().default('data'),
    options: z
      .object({
        // spreadsheets and CSV
        ...spreadsheetReadOptionsShape,
        // text, JSON, ICS, XML, base64
        stripBOM: z.boolean().optional(),
        // PDF
        password: z.string().optional().meta({ secret: true }),
        maxPages: looseNumber().optional(),
        joinPages: z.boolean().optional(),
        keepSource: z.enum(['json', 'binary', 'both']).optional(),
      })
      .default({}),
  });

export type ExtractFromFileParams = z.infer<ReturnType<typeof paramsSchema>>;

/**
 * n8n's Extract from File node (v1, v1.1, v1.2). From v1.2, spreadsheet date cells read as the text
 * the spreadsheet displays rather than as date serials.
 */
export const extractFromFileNode = defineNode<ExtractFromFileParams>({
  type: 'budflow.extractFromFile',
  version: 1,
  title: 'Extract from File',
  description: 'Convert binary data to JSON',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.extractFromFile', versions: [1, 1.1, 1.2] } },
  params: paramsSchema,
  async execute(ctx) {
    const { operation } = ctx.params(0);

    if ((SPREADSHEET_FORMATS as readonly string[]).includes(operation)) {
      const format = operation as SpreadsheetFormat;
      return eachItem(ctx, async (item: Item, itemIndex): Promise<Item[]> => {
        const { options, binaryPropertyName } = ctx.params(itemIndex);
        const ref = requireBinary(ctx, item, itemIndex, binaryPropertyName);
        const buffer = await readBinary(ctx, ref);
        let rows: JsonValue[];
        try {
          rows =
            format === 'csv'
              ? await readCsv(buffer, options)
              : await readSpreadsheet(buffer, { ...options, displayDates: ctx.typeVersion >= 1.2 });
        } catch (error) {
          const mismatch = ref.fileExtension && ref.fileExtension !== format;
          throw itemError(
            ctx,
            mismatch
              ? `The file selected in 'Input Binary Field' is not in ${format} format`
              : (error as Error).message,
            itemIndex,
            {
              cause: error,
              description: mismatch
                ? `Try to change the operation or select a ${format} file in 'Input Binary Field'`
                : undefined,
            },
          );
        }
        return rows.map((row) =>
          options.headerRow === false
            ? { json: { row } }
            : {
                json:
                  row !== null && typeof row === 'object' && !Array.isArray(row) ? row : { row },
              },
        );
      });
    }

    if (operation === 'pdf') {
      return eachItem(ctx, async (item: Item, itemIndex): Promise<Item> => {
        const { options, binaryPropertyName } = ctx.params(itemIndex);
        const ref = requireBinary(ctx, item, itemIndex, binaryPropertyName);
        const data = await extractPdf(await readBinary(ctx, ref), options);
        const json =
          options.keepSource && options.keepSource !== 'binary'
            ? { ...toJsonObject(item.json), ...data }
            : data;
        return withSourceBinary({ json }, item, binaryPropertyName, options.keepSource);
      });
    }

    return eachItem(ctx, async (item: Item, itemIndex): Promise<Item | null> => {
      const params = ctx.params(itemIndex);
      const { options, binaryPropertyName } = params;
      // As n8n: an item without the binary field produces nothing.
      const ref = item.binary ? getPath(item.binary, binaryPropertyName) : undefined;
      if (!ref) return null;
      const buffer = await readBinary(ctx, requireBinary(ctx, item, itemIndex, binaryPropertyName));

      const json: JsonObject =
        options.keepSource && options.keepSource !== 'binary' ? toJsonObject(item.json) : {};
      let value: JsonValue;
      if (params.operation === 'binaryToPropery') {
        value = buffer.toString('base64');
      } else {
        const text = await decodeText(buffer, options.encoding, options.stripBOM !== false);
        if (params.operation === 'fromJson') {
          try {
            value = text === '' ? {} : (JSON.parse(text) as JsonValue);
          } catch (error) {
            throw itemError(
              ctx,
              "The file selected in 'Input Binary Field' is not in JSON format",
              itemIndex,
              {
                cause: error,
                description:
                  "Try to change the operation or select a JSON file in 'Input Binary Field'",
              },
            );
          }
          value = sanitize(value);
        } else if (params.operation === 'fromIcs') {
          value = await parseIcsCalendar(text);
        } else {
          value = text;
        }
      }
      setPath(json, params.destinationKey, value);

      return withSourceBinary({ json }, item, binaryPropertyName, options.keepSource);
    });
  },
});

/** Keeps the input's binary data when asked, else every binary field but the one read. */
function withSourceBinary(
  output: Item,
  item: Item,
  binaryPropertyName: string,
  keepSource: string | undefined,
): Item {
  if (keepSource === 'binary' || keepSource === 'both') {
    if (item.binary) output.binary = item.binary;
  } else if (item.binary) {
    const rest = { ...item.binary };
    unsetPath(rest, binaryPropertyName);
    if (Object.keys(rest).length > 0) output.binary = rest;
  }
  return output;
}

function sanitize(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  return Array.isArray(value) ? value.map(sanitize) : toJsonObject(value);
}
