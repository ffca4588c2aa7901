import { defineNode, type Item, type JsonValue } from '@budflow/node-sdk';
import { z } from 'zod';
import { readBinary, requireBinary, storeBinary } from '../internal/binary.js';
import { toJsonValue } from '../internal/data-path.js';
import { allPairedItems, eachItem, itemError } from '../internal/item-loop.js';
import { spreadsheetReadOptionsShape } from '../internal/schema.js';
import {
  SPREADSHEET_FORMATS,
  loadXlsx,
  readCsv,
  readSpreadsheet,
  writeSpreadsheet,
} from '../internal/spreadsheet.js';

const paramsSchema = () =>
  z.object({
    operation: z.enum(['fromFile', 'toFile']).default('fromFile'),
    binaryPropertyName: z.string().default('data'),
    /** `autodetect` by default when reading (v2+), `xls` when writing. */
    fileFormat: z.enum(['autodetect', ...SPREADSHEET_FORMATS]).optional(),
    options: z
      .object({
        compression: z.boolean().optional(),
        fileName: z.string().optional(),
        // spreadsheets and CSV
        ...spreadsheetReadOptionsShape,
      })
      .default({}),
  });

export type SpreadsheetFileParams = z.infer<ReturnType<typeof paramsSchema>>;

/** v1 reads every format, CSV included, through the spreadsheet library. */
async function readV1(
  buffer: Buffer,
  options: SpreadsheetFileParams['options'],
): Promise<JsonValue[]> {
  if (!options.readAsString) return readSpreadsheet(buffer, options);
  const { read, utils } = await loadXlsx();
  const workbook = read(buffer.toString(), { type: 'string', raw: options.rawData === true });
  const sheetName = options.sheetName || workbook.SheetNames[0];
  if (!sheetName) throw new Error('Spreadsheet does not have any sheets!');
  const sheet = workbook.Sheets[sheetName];
  if (!sheet) throw new Error(`Spreadsheet does not contain sheet called "${sheetName}"!`);
  const rows: unknown[] = utils.sheet_to_json(sheet, {
    ...(options.includeEmptyCells ? { defval: '' } : {}),
    ...(options.headerRow === false ? { header: 1 } : {}),
  });
  return rows.map((row) => toJsonValue(row) ?? null);
}

/** n8n's legacy Spreadsheet File node (v1, v2, v3): read and write spreadsheet files. */
export const spreadsheetFileNode = defineNode<SpreadsheetFileParams>({
  type: 'budflow.spreadsheetFile',
  version: 1,
  title: 'Spreadsheet File',
  description: 'Reads and writes data from a spreadsheet file like CSV, XLS, ODS, etc',
  category: 'files',
  compat: { n8n: { type: 'n8n-nodes-base.spreadsheetFile', versions: [1, 2, 3] } },
  params: paramsSchema,
  async execute(ctx) {
    const { items, typeVersion } = ctx;
    const first = ctx.params(0);

    if (first.operation === 'toFile') {
      const format =
        first.fileFormat && first.fileFormat !== 'autodetect' ? first.fileFormat : 'xls';
      const pairedItem = typeVersion === 1 ? { item: 0 } : allPairedItems(items.length);
      try {
        const buffer = await writeSpreadsheet(
          items.map((item) => item.json),
          format,
          // v1 has no delimiter option
          typeVersion === 1 ? { ...first.options, delimiter: undefined } : first.options,
        );
        const binary = await storeBinary(
          ctx,
          buffer,
          first.options.fileName ?? `spreadsheet.${format}`,
        );
        return [{ json: {}, binary: { [first.binaryPropertyName]: binary }, pairedItem }];
      } catch (error) {
        if (!ctx.continueOnFail)
          throw itemError(ctx, (error as Error).message, 0, { cause: error });
        return [{ json: { error: (error as Error).message }, pairedItem }];
      }
    }

    return eachItem(ctx, async (item: Item, itemIndex): Promise<Item[] | null> => {
      const { options, binaryPropertyName, fileFormat } = ctx.params(itemIndex);
      if (typeVersion === 1 && !item.binary?.[binaryPropertyName]) return null;
      const ref = requireBinary(ctx, item, itemIndex, binaryPropertyName);
      const buffer = await readBinary(ctx, ref);
      let format = fileFormat ?? 'autodetect';
      if (
        format === 'autodetect' &&
        (ref.mimeType === 'text/csv' ||
          (ref.mimeType === 'text/plain' && ref.fileExtension === 'csv'))
      ) {
        format = 'csv';
      }
      let rows: JsonValue[];
      try {
        if (typeVersion === 1) rows = await readV1(buffer, options);
        else if (format === 'csv') rows = await readCsv(buffer, options);
        else rows = await readSpreadsheet(buffer, { ...options, displayDates: typeVersion >= 3 });
      } catch (error) {
        const mismatch =
          typeVersion > 1 &&
          ref.fileExtension &&
          format !== 'autodetect' &&
          ref.fileExtension !== format;
        throw itemError(
          ctx,
          mismatch
            ? `The file selected in 'Input Binary Field' is not in ${format} format`
            : (error as Error).message,
          itemIndex,
          { cause: error },
        );
      }
      return rows.map((row) =>
        options.headerRow === false
          ? { json: { row } }
          : {
              json: row !== null && typeof row === 'object' && !Array.isArray(row) ? row : { row },
            },
      );
    });
  },
});
