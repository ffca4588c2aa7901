import type { Item, JsonObject, JsonValue } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { defineOwn, getField } from './paths.js';

export type AggregationKind =
  'append' | 'average' | 'concatenate' | 'count' | 'countUnique' | 'max' | 'min' | 'sum';

export interface Aggregation {
  aggregation: AggregationKind;
  field: string;
  includeEmpty?: boolean;
  separateBy?: string;
  customSeparator?: string;
}

export interface SummarizeOptions {
  fieldsToSummarize: Aggregation[];
  fieldsToSplitBy: string[];
  disableDotNotation: boolean;
  outputFormat: 'separateItems' | 'singleItem';
  skipEmptySplitFields: boolean;
  /** Throw when a field to summarize is in no item (else the summary just counts nothing). */
  throwWhenMissing: boolean;
}

const PREFIX: Record<AggregationKind, string> = {
  append: 'appended_',
  average: 'average_',
  concatenate: 'concatenated_',
  count: 'count_',
  countUnique: 'unique_count_',
  max: 'max_',
  min: 'min_',
  sum: 'sum_',
};

type Row = { json: JsonObject; index: number };

const isEmptyValue = (value: unknown): boolean =>
  value === undefined || value === null || value === '';

/** n8n's output key: brackets and quotes dropped, spaces and dots to underscores. */
export function outputKey(key: string): string {
  return key.replace(/[\]["]/g, '').replace(/[ .]/g, '_');
}

function compareLoose(a: unknown, b: unknown): number {
  // n8n compares min/max with JavaScript's `<`/`>`, whatever the types.
  if ((a as number) < (b as number)) return -1;
  if ((a as number) > (b as number)) return 1;
  return 0;
}

function uniqueCount(values: unknown[]): number {
  // Set semantics: primitives by value, objects by reference (each object is its own entry).
  return new Set(values).size;
}

function aggregate(rows: Row[], entry: Aggregation, dot: boolean): JsonValue {
  const value = (row: Row) => getField(row.json, entry.field, dot);
  let data = rows;
  if (entry.aggregation === 'average' || entry.aggregation === 'sum') {
    data = data.filter((row) => typeof value(row) === 'number');
  }
  switch (entry.aggregation) {
    case 'append':
      if (!entry.includeEmpty) data = data.filter((row) => !isEmptyValue(value(row)));
      return data.map((row) => value(row) ?? null);
    case 'concatenate': {
      const separator =
        entry.separateBy === 'other' ? (entry.customSeparator ?? '') : (entry.separateBy ?? ',');
      if (!entry.includeEmpty) data = data.filter((row) => !isEmptyValue(value(row)));
      return data
        .map((row) => {
          const v = value(row);
          if (v === undefined) return 'undefined';
          if (typeof v === 'object') return JSON.stringify(v);
          return String(v);
        })
        .join(separator);
    }
    case 'average':
      return data.reduce((sum, row) => sum + (value(row) as number), 0) / data.length;
    case 'sum':
      return data.reduce((sum, row) => sum + (value(row) as number), 0);
    case 'min':
    case 'max': {
      let best: unknown;
      for (const row of data) {
        const v = value(row);
        if (isEmptyValue(v)) continue;
        const order = best === undefined ? 0 : compareLoose(v, best);
        if (best === undefined || (entry.aggregation === 'min' ? order < 0 : order > 0)) best = v;
      }
      return (best ?? null) as JsonValue;
    }
    case 'countUnique': {
      const values = data.map(value);
      return uniqueCount(entry.includeEmpty ? values : values.filter((v) => !isEmptyValue(v)));
    }
    default:
      if (!entry.includeEmpty) return data.filter((row) => !isEmptyValue(value(row))).length;
      return data.length;
  }
}

function summarizeRows(rows: Row[], options: SummarizeOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const dot = !options.disableDotNotation;
  for (const entry of options.fieldsToSummarize) {
    const key = outputKey(`${PREFIX[entry.aggregation] ?? 'count_'}${entry.field}`);
    defineOwn(out, key, aggregate(rows, entry, dot));
  }
  return out;
}

interface Group {
  rows: Row[];
}

/** Groups rows by the first split field, recursively; keys ordered as n8n's plain objects. */
function splitRows(
  rows: Row[],
  splitKeys: string[],
  options: SummarizeOptions,
): Record<string, unknown> {
  const [first, ...rest] = splitKeys;
  if (first === undefined) {
    const result = summarizeRows(rows, options);
    if (options.outputFormat !== 'singleItem') {
      defineOwn(
        result,
        '\u0000rows',
        rows.map((row) => row.index),
      );
    }
    return result;
  }
  const dot = !options.disableDotNotation;
  const groups: Record<string, Group> = Object.create(null) as Record<string, Group>;
  for (const row of rows) {
    let keyValue: unknown = getField(row.json, first, dot);
    if (typeof keyValue === 'object' && keyValue !== null) keyValue = JSON.stringify(keyValue);
    if (options.skipEmptySplitFields && typeof keyValue !== 'number' && !keyValue) continue;
    const key = keyValue === undefined ? 'undefined' : String(keyValue);
    (groups[key] ??= { rows: [] }).rows.push(row);
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(groups)) {
    defineOwn(out, key, splitRows(groups[key]!.rows, rest, options));
  }
  return out;
}

function flattenGroups(
  tree: Record<string, unknown>,
  splitNames: string[],
  prefix: Record<string, unknown>,
  out: Array<{ json: Record<string, unknown>; rows: number[] }>,
): void {
  const [name, ...rest] = splitNames;
  for (const key of Object.keys(tree)) {
    const base = { ...prefix, [name!]: key };
    const child = tree[key] as Record<string, unknown>;
    if (rest.length === 0) {
      const { '\u0000rows': rows, ...values } = child;
      out.push({ json: { ...base, ...values }, rows: (rows as number[]) ?? [] });
    } else {
      flattenGroups(child, rest, base, out);
    }
  }
}

/** Runs the Summarize operation over `items`. */
export function summarizeItems(items: Item[], options: SummarizeOptions): Item[] {
  if (options.fieldsToSummarize.filter((entry) => entry.field !== '').length === 0) {
    throw new NodeError(
      "You need to add at least one aggregation to 'Fields to Summarize' with non empty 'Field'",
    );
  }
  const rows: Row[] = items.map((item, index) => ({ json: item.json, index }));
  const dot = !options.disableDotNotation;
  if (options.throwWhenMissing) {
    for (const entry of options.fieldsToSummarize) {
      if (entry.field === '') continue;
      if (!rows.some((row) => getField(row.json, entry.field, dot) !== undefined)) {
        throw new NodeError(`The field '${entry.field}' does not exist in any items`);
      }
    }
  }
  const result = splitRows(rows, options.fieldsToSplitBy, options);
  if (options.outputFormat === 'singleItem') {
    return [
      {
        json: result as JsonObject,
        pairedItem: items.map((_, item) => ({ item })),
      },
    ];
  }
  if (!options.fieldsToSplitBy.length) {
    const { '\u0000rows': indexes, ...json } = result;
    return [
      {
        json: json as JsonObject,
        pairedItem: ((indexes as number[]) ?? []).map((item) => ({ item })),
      },
    ];
  }
  const flat: Array<{ json: Record<string, unknown>; rows: number[] }> = [];
  flattenGroups(result, options.fieldsToSplitBy.map(outputKey), {}, flat);
  return flat.map(({ json, rows: indexes }) => ({
    json: json as JsonObject,
    pairedItem: indexes.map((item) => ({ item })),
  }));
}
