import { defineNode, type Item, type JsonValue } from '@budflow/node-sdk';
import { z } from 'zod';
import { encodeText, storeBinary } from '../internal/binary.js';
import { getPath } from '../internal/data-path.js';
import { allPairedItems, eachItem, itemError } from '../internal/item-loop.js';
import {
  SPREADSHEET_FORMATS,
  writeSpreadsheet,
  type SpreadsheetFormat,
} from '../internal/spreadsheet.js';
import { icsEventParams, createIcsEvent } from './ics-event.js';

const OPERATIONS = [...SPREADSHEET_FORMATS, 'iCal', 'toJson', 'toText', 'toBinary'] as const;

const paramsSchema = () =>
  z.object({
    operation: z.enum(OPERATIONS).default('csv'),
    binaryPropertyName: z.string().default('data'),
    sourceProperty: z.string().default(''),
    mode: z.enum(['once', 'each']).default('once'),
    options: z
      .object({
        // spreadsheets
        compression: z.boolean().optional(),
        headerRow: z.boolean().optional(),
        sheetName: z.string().optional(),
        delimiter: z.string().optional(),
        // every operation
        fileName: z.string().optional(),
        // text, JSON, base64
        addBOM: z.boolean().optional(),
        format: z.boolean().optional(),
        encoding: z.string().optional(),
        dataIsBase64: z.boolean().optional(),
        mimeType: z.string().optional(),
      })
      .default({}),
    ...icsEventParams,
  });

export type ConvertToFileParams = z.infer<ReturnType<typeof paramsSchema>>;

const BASE64_PATTERN = /^[A-Za-z0-9+/=_-]+$/;

/** Bytes of a base64 string, or of a `data:` URI (whose media type is returned too). */
function decodeBase64(value: string, itemIndex: number, nodeName: string) {
  let base64 = value;
  let mediaType: string | undefined;
  const dataUri = /^data:(.*?);base64,(.*)$/s.exec(value.trim());
  if (dataUri) {
    mediaType = dataUri[1]!.split(';')[0]!.trim() || undefined;
    base64 = dataUri[2]!;
  }
  const cleaned = base64.replace(/\s+/g, '');
  if (cleaned.length > 0 && !BASE64_PATTERN.test(cleaned)) {
    throw itemError(
      { node: { name: nodeName } },
      'The provided string is not valid base64 data. If you are trying to write plain text to a file, use the "Convert to Text File" operation instead.',
      itemIndex,
    );
  }
  return { bytes: Buffer.from(cleaned, 'base64'), mediaType };
}

/** n8n's Convert to File node (v1, v1.1). */
export const convertToFileNode = defineNode<ConvertToFileParams>({
  type: 'budflow.convertToFile',
  version: 1,
  title: 'Convert to File',
  description: 'Convert JSON data to binary data',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.convertToFile', versions: [1, 1.1] } },
  params: paramsSchema,
  async execute(ctx) {
    const { items } = ctx;
    const first = ctx.params(0);
    const { operation } = first;

    if ((SPREADSHEET_FORMATS as readonly string[]).includes(operation)) {
      const format = operation as SpreadsheetFormat;
      const pairedItem = allPairedItems(items.length);
      try {
        const buffer = await writeSpreadsheet(
          items.map((item) => item.json),
          format,
          first.options,
        );
        const fileName = first.options.fileName ?? `File.${format}`;
        const binary = await storeBinary(ctx, buffer, fileName);
        return [{ json: {}, binary: { [first.binaryPropertyName]: binary }, pairedItem }];
      } catch (error) {
        if (!ctx.continueOnFail)
          throw itemError(ctx, (error as Error).message, 0, { cause: error });
        return [{ json: { error: (error as Error).message }, pairedItem }];
      }
    }

    if (operation === 'toJson' && first.mode === 'once') {
      const pairedItem = allPairedItems(items.length);
      try {
        const { options } = first;
        const values = items.map((item) => item.json);
        const text = options.format ? JSON.stringify(values, null, 2) : JSON.stringify(values);
        const binary = await storeBinary(
          ctx,
          await encodeText(text, options.encoding, options.addBOM),
          options.fileName,
          'application/json',
        );
        binary.fileName ??= `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
        return [{ json: {}, binary: { [first.binaryPropertyName]: binary }, pairedItem }];
      } catch (error) {
        // n8n rethrows here even when continuing on failure.
        throw itemError(ctx, (error as Error).message, 0, { cause: error });
      }
    }

    return eachItem(ctx, async (item: Item, itemIndex): Promise<Item> => {
      const params = ctx.params(itemIndex);
      const { options } = params;
      if (params.operation === 'iCal') {
        const { bytes, fileName } = await createIcsEvent(params, ctx.workflow.timezone, itemIndex);
        const binary = await storeBinary(ctx, bytes, fileName, 'text/calendar');
        return { json: {}, binary: { [params.binaryPropertyName]: binary } };
      }

      let value: JsonValue | undefined = item.json;
      if (params.operation !== 'toJson') {
        value = params.sourceProperty
          ? (getPath(item.json, params.sourceProperty) as JsonValue | undefined)
          : item.json;
        if (value === undefined) {
          throw itemError(ctx, `The value in "${params.sourceProperty}" is not set`, itemIndex);
        }
      }

      let bytes: Buffer;
      let mimeType: string | undefined;
      let fileName = options.fileName;
      const dataIsBase64 =
        params.operation === 'toBinary' &&
        (ctx.typeVersion !== 1 || options.dataIsBase64 !== false);
      if (dataIsBase64) {
        const decoded = decodeBase64(
          typeof value === 'string' ? value : String(value ?? ''),
          itemIndex,
          ctx.node.name,
        );
        bytes = decoded.bytes;
        mimeType = options.mimeType || decoded.mediaType;
      } else {
        mimeType =
          params.operation === 'toText'
            ? 'text/plain'
            : params.operation === 'toJson'
              ? 'application/json'
              : options.mimeType || undefined;
        if (params.operation === 'toText') fileName = options.fileName || 'file.txt';
        let text: string;
        if (value !== null && typeof value === 'object') {
          mimeType = 'application/json';
          text = options.format ? JSON.stringify(value, null, 2) : JSON.stringify(value);
        } else {
          text = String(value);
        }
        bytes = await encodeText(text, options.encoding, options.addBOM);
      }
      const binary = await storeBinary(ctx, bytes, fileName, mimeType);
      binary.fileName ??= `file${binary.fileExtension ? `.${binary.fileExtension}` : ''}`;
      return { json: {}, binary: { [params.binaryPropertyName]: binary } };
    });
  },
});
