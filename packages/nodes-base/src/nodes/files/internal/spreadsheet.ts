import type { JsonObject, JsonValue } from '@budflow/node-sdk';
import type {
  CellObject,
  ParsingOptions,
  Sheet2JSONOpts,
  WorkSheet,
  WritingOptions,
} from '@e965/xlsx';
import type { Options as CsvOptions } from 'csv-parse/sync';
import { isUnsafeKey, toJsonObject, toJsonValue } from './data-path.js';
import { loadOnce } from '../../../shared/index.js';

/*
 * The spreadsheet library (~11 MB of memory) and csv-parse (~3 MB) are loaded when a node first
 * reads or writes a spreadsheet: most workflows never do.
 */
export const loadXlsx = loadOnce(() => import('@e965/xlsx'));
const loadCsvParse = loadOnce(() => import('csv-parse/sync'));

export const SPREADSHEET_FORMATS = ['csv', 'html', 'rtf', 'ods', 'xls', 'xlsx'] as const;
export type SpreadsheetFormat = (typeof SPREADSHEET_FORMATS)[number];

/**
 * Nested objects and arrays become dotted keys (`a.b`, `list.0`), as n8n flattens items before
 * writing a sheet. Empty objects vanish; `null` stays.
 */
export function flattenObject(data: JsonObject): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object') {
      const nested = flattenObject(value as JsonObject);
      for (const nestedKey of Object.keys(nested)) {
        out[`${key}.${nestedKey}`] = nested[nestedKey]!;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

export interface WriteSpreadsheetOptions {
  headerRow?: boolean;
  compression?: boolean;
  sheetName?: string;
  delimiter?: string;
}

/** Writes items as one sheet in the given format (CSV carries a UTF-8 byte order mark). */
export async function writeSpreadsheet(
  rows: JsonObject[],
  format: SpreadsheetFormat,
  options: WriteSpreadsheetOptions,
): Promise<Buffer> {
  const { utils, write } = await loadXlsx();
  const sheet = utils.json_to_sheet(
    rows.map((row) => flattenObject(row)),
    options.headerRow === false ? { skipHeader: true } : undefined,
  );
  const writing: WritingOptions = { bookType: format, bookSST: false, type: 'buffer' };
  if (format === 'csv' && options.delimiter) writing.FS = options.delimiter;
  if ((format === 'xlsx' || format === 'ods') && options.compression) writing.compression = true;
  const sheetName = options.sheetName || 'Sheet';
  return write({ SheetNames: [sheetName], Sheets: { [sheetName]: sheet } }, writing) as Buffer;
}

export interface ReadSpreadsheetOptions {
  rawData?: boolean;
  readAsString?: boolean;
  sheetName?: string;
  range?: string | number;
  includeEmptyCells?: boolean;
  headerRow?: boolean;
  /** Date cells become the text Excel displays (newer n8n versions) instead of date serials. */
  displayDates?: boolean;
}

/** Rows of one sheet: objects keyed by the header row, or arrays when there is no header row. */
export async function readSpreadsheet(
  buffer: Buffer,
  options: ReadSpreadsheetOptions,
): Promise<JsonValue[]> {
  const { read, utils } = await loadXlsx();
  const displayDates = options.displayDates === true && options.rawData !== true;
  const parsing: ParsingOptions = { raw: options.rawData === true, cellDates: displayDates };
  const workbook = options.readAsString
    ? read(buffer.toString('binary'), { ...parsing, type: 'binary' })
    : read(buffer, parsing);
  if (workbook.SheetNames.length === 0) throw new Error('Spreadsheet does not have any sheets!');
  let sheetName = workbook.SheetNames[0]!;
  if (options.sheetName) {
    if (!workbook.SheetNames.includes(options.sheetName)) {
      throw new Error(`Spreadsheet does not contain sheet called "${options.sheetName}"!`);
    }
    sheetName = options.sheetName;
  }
  const sheet = workbook.Sheets[sheetName]!;
  if (displayDates) showDatesAsDisplayed(sheet);
  const toJson: Sheet2JSONOpts = {};
  if (options.range !== undefined && options.range !== '') {
    const numeric = Number(options.range);
    toJson.range = Number.isNaN(numeric) ? String(options.range) : Math.trunc(numeric);
  }
  if (options.includeEmptyCells) toJson.defval = '';
  if (options.headerRow === false) toJson.header = 1;
  const rows: unknown[] = utils.sheet_to_json(sheet, toJson);
  return rows.map((row) => toJsonValue(row) ?? null);
}

function showDatesAsDisplayed(sheet: WorkSheet): void {
  for (const address of Object.keys(sheet)) {
    if (address.startsWith('!')) continue;
    const cell = sheet[address] as CellObject;
    if (cell.t === 'd' && typeof cell.w === 'string') {
      sheet[address] = { t: 's', v: cell.w, w: cell.w };
    }
  }
}

export interface ReadCsvOptions {
  delimiter?: string;
  fromLine?: number;
  encoding?: string;
  enableBOM?: boolean;
  maxRowCount?: number;
  relaxQuotes?: boolean;
  headerRow?: boolean;
  includeEmptyCells?: boolean;
  skipRecordsWithErrors?: { value?: { enabled?: boolean; maxSkippedRecords?: number } };
}

/**
 * Parses CSV with csv-parse as n8n does: the byte order mark stays part of the first header unless
 * `enableBOM`; empty cells are dropped unless `includeEmptyCells`.
 */
export async function readCsv(buffer: Buffer, options: ReadCsvOptions): Promise<JsonValue[]> {
  const { parse: parseCsvSync } = await loadCsvParse();
  const skipErrors = options.skipRecordsWithErrors?.value?.enabled === true;
  let skipped = 0;
  const maxRowCount = options.maxRowCount ?? -1;
  const csvOptions: CsvOptions = {
    delimiter: options.delimiter || undefined,
    from_line: options.fromLine && options.fromLine > 0 ? options.fromLine : undefined,
    encoding: (options.encoding || 'utf-8') as BufferEncoding,
    bom: options.enableBOM === true,
    to: maxRowCount > -1 ? maxRowCount : undefined,
    skip_records_with_error: skipErrors,
    relax_quotes: options.relaxQuotes === true,
    // A header called `__proto__` is dropped: it must never become a key of a record.
    columns:
      options.headerRow === false
        ? false
        : (header: string[]) => header.map((name) => (isUnsafeKey(name) ? false : name)),
    on_skip: () => {
      skipped++;
    },
  };
  const records = parseCsvSync(buffer, csvOptions) as unknown[];
  const maxSkipped = options.skipRecordsWithErrors?.value?.maxSkippedRecords ?? -1;
  if (skipErrors && maxSkipped > 0 && skipped > maxSkipped) {
    throw new Error('Max number of skipped records exceeded');
  }
  return records.map((record) => {
    const row = Array.isArray(record)
      ? record.map((cell) => toJsonValue(cell) ?? null)
      : toJsonObject(record);
    if (options.includeEmptyCells) return row;
    // As n8n: dropping empty cells turns a header-less row into an object keyed by column index.
    return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== ''));
  });
}
