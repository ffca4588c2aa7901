import { z } from 'zod';

/**
 * A string parameter that tolerates what an expression may resolve to: `undefined`/`null` become
 * `''`, numbers and booleans their text, objects their JSON.
 */
export function looseString(fallback = '') {
  return z.preprocess((value) => {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    // Dates (JS or Luxon, e.g. from `{{ $now }}`) give their ISO text rather than quoted JSON.
    const toJSON = (value as { toJSON?: () => unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const json = toJSON.call(value);
      if (typeof json === 'string') return json;
    }
    return JSON.stringify(value);
  }, z.string());
}

/** A number parameter that also accepts numeric strings (as n8n's parameter coercion does). */
export function looseNumber() {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    z.number(),
  );
}

/**
 * The options n8n's spreadsheet readers share (Extract from File and the legacy Spreadsheet File
 * node): CSV parsing, sheet and range selection, raw values, error skipping.
 */
export const spreadsheetReadOptionsShape = {
  delimiter: z.string().optional(),
  encoding: z.string().optional(),
  enableBOM: z.boolean().optional(),
  relaxQuotes: z.boolean().optional(),
  headerRow: z.boolean().optional(),
  includeEmptyCells: z.boolean().optional(),
  maxRowCount: looseNumber().optional(),
  range: z.union([z.string(), z.number()]).optional(),
  rawData: z.boolean().optional(),
  readAsString: z.boolean().optional(),
  sheetName: z.string().optional(),
  fromLine: looseNumber().optional(),
  skipRecordsWithErrors: z
    .object({
      value: z
        .object({
          enabled: z.boolean().optional(),
          maxSkippedRecords: looseNumber().optional(),
        })
        .optional(),
    })
    .optional(),
};
