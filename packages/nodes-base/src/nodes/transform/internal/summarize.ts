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
  /** Item Lists before 2.1: a field in no item gives one empty item instead of throwing. */
  emptyItemWhenMissing?: boolean;
  groupKeys: GroupKeys;
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

/**
 * How split values become group keys. `object` (Item Lists): strings, ordered as a plain object
 * orders keys (integer-like first). `stringMap` (Summarize v1): strings in first-seen order.
 * `typedMap` (Summarize v1.1): the values themselves (numbers stay numbers) in first-seen order.
 */
export type GroupKeys = 'object' | 'stringMap' | 'typedMap';

interface Groups {
  field: string;
  groups: Array<{ key: unknown; child: Groups | Summary }>;
}
interface Summary {
  values: Record<string, unknown>;
  rows: number[];
}

const isIndexKey = (key: string): boolean =>
  /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;

function splitRows(rows: Row[], splitKeys: string[], options: SummarizeOptions): Groups | Summary {
  const [first, ...rest] = splitKeys;
  if (first === undefined) {
    return { values: summarizeRows(rows, options), rows: rows.map((row) => row.index) };
  }
  const dot = !options.disableDotNotation;
  const mode = options.groupKeys;
  const byKey = new Map<unknown, Row[]>();
  for (const row of rows) {
    let value: unknown = getField(row.json, first, dot);
    if (mode === 'object') {
      if (typeof value === 'object' && value !== null) value = JSON.stringify(value);
      if (options.skipEmptySplitFields && typeof value !== 'number' && !value) continue;
      value = String(value);
    } else {
      if (value && typeof value === 'object') value = JSON.stringify(value);
      if (mode === 'stringMap') value = String(value);
      if (options.skipEmptySplitFields && typeof value !== 'number' && !value) continue;
    }
    const list = byKey.get(value);
    if (list) list.push(row);
    else byKey.set(value, [row]);
  }
  let keys = [...byKey.keys()];
  if (mode === 'object') {
    const index = keys.filter((key) => isIndexKey(key as string));
    index.sort((a, b) => Number(a) - Number(b));
    keys = [...index, ...keys.filter((key) => !isIndexKey(key as string))];
  }
  return {
    field: first,
    groups: keys.map((key) => ({ key, child: splitRows(byKey.get(key)!, rest, options) })),
  };
}

const isSummary = (node: Groups | Summary): node is Summary => 'values' in node;

/** All splits as one nested object keyed by the split values. */
function toObject(node: Groups | Summary): Record<string, unknown> {
  if (isSummary(node)) return node.values;
  const out: Record<string, unknown> = {};
  for (const { key, child } of node.groups) defineOwn(out, String(key), toObject(child));
  return out;
}

/** One row per innermost group, carrying the split fields' values. */
function toRows(node: Groups | Summary): Summary[] {
  if (isSummary(node)) return [{ values: { ...node.values }, rows: node.rows }];
  return node.groups.flatMap(({ key, child }) =>
    toRows(child).map((row) => {
      defineOwn(row.values, outputKey(node.field), key);
      return row;
    }),
  );
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
        if (options.emptyItemWhenMissing) {
          return [{ json: {}, pairedItem: items.map((_, item) => ({ item })) }];
        }
        throw new NodeError(`The field '${entry.field}' does not exist in any items`);
      }
    }
  }
  const result = splitRows(rows, options.fieldsToSplitBy, options);
  if (options.outputFormat === 'singleItem') {
    return [
      { json: toObject(result) as JsonObject, pairedItem: items.map((_, item) => ({ item })) },
    ];
  }
  return toRows(result).map(({ values, rows: indexes }) => ({
    json: values as JsonObject,
    pairedItem: indexes.map((item) => ({ item })),
  }));
}
