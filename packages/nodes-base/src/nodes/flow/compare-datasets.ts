import {
  defineNode,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
} from '@budflow/node-sdk';
import { isEqual } from 'lodash-es';
import { z } from 'zod';
import {
  deepCopyJson,
  fuzzyCompare,
  getPath,
  nodeError,
  setPath,
  type CompareFunction,
} from '../../shared/index.js';
import { checkMatchFieldsInput, type FieldPair } from './merge/match-items.js';

const compareParams = z.object({
  mergeByFields: z
    .looseObject({
      values: z
        .array(z.looseObject({ field1: z.string().default(''), field2: z.string().default('') }))
        .default([{ field1: '', field2: '' }]),
    })
    .default({ values: [{ field1: '', field2: '' }] }),
  resolve: z.enum(['preferInput1', 'preferInput2', 'mix', 'includeBoth']).default('preferInput2'),
  fuzzyCompare: z.boolean().default(false),
  preferWhenMix: z.enum(['input1', 'input2']).default('input1'),
  exceptWhenMix: z.unknown().default(''),
  options: z
    .looseObject({
      skipFields: z.string().optional(),
      fuzzyCompare: z.boolean().optional(),
      disableDotNotation: z.boolean().optional(),
      multipleMatches: z.enum(['first', 'all']).optional(),
    })
    .default({}),
});
type CompareParams = z.infer<typeof compareParams>;

const isEmptyJson = (json: JsonObject) => Object.keys(json).length === 0;

/** Drops items with empty json; throws when a match field appears in no item of the input. */
function checkInput(
  items: Item[],
  fields: string[],
  disableDotNotation: boolean,
  label: string,
): Item[] {
  const list = items.filter((item) => !isEmptyJson(item.json));
  if (list.length === 0) return list;
  for (const field of fields) {
    const present = list.some((item) =>
      disableDotNotation
        ? Object.prototype.hasOwnProperty.call(item.json, field)
        : getPath(item.json, field) !== undefined,
    );
    if (!present) throw new Error(`Field '${field}' is not present in any of items in '${label}'`);
  }
  return list;
}

const valueOf = (json: JsonObject, field: string, disableDotNotation: boolean) =>
  disableDotNotation
    ? Object.prototype.hasOwnProperty.call(json, field)
      ? json[field]
      : undefined
    : getPath(json, field);

interface CompareSettings {
  resolve: CompareParams['resolve'];
  preferWhenMix: 'input1' | 'input2';
  exceptWhenMix: unknown;
  skipFields: string[];
  fuzzy: boolean;
  disableDotNotation: boolean;
  multipleMatches: 'first' | 'all';
  /** 2.3+: keep falsy values such as 0 when mixing and reporting differences. */
  keepFalsy: boolean;
  equal: CompareFunction;
}

const orNull = (value: unknown, keepFalsy: boolean): JsonValue =>
  (keepFalsy ? (value ?? null) : value || null) as JsonValue;

function compareItems(a: Item, b: Item, pairs: FieldPair[], s: CompareSettings): Item {
  const keys: JsonObject = {};
  for (const pair of pairs) keys[pair.field1] = a.json[pair.field1];
  const keys1 = Object.keys(a.json);
  const keys2 = Object.keys(b.json);
  const same: JsonObject = {};
  for (const key of keys1) {
    if (keys2.includes(key) && s.equal(a.json[key], b.json[key])) same[key] = a.json[key];
  }
  const all = [...new Set([...keys1, ...keys2])];
  const different: JsonObject = {};
  const skipped: JsonObject = {};
  for (const key of all) {
    if (Object.prototype.hasOwnProperty.call(same, key)) continue;
    if (s.resolve === 'preferInput1') different[key] = orNull(a.json[key], s.keepFalsy);
    else if (s.resolve === 'preferInput2') different[key] = orNull(b.json[key], s.keepFalsy);
    else {
      const value = {
        input1: orNull(a.json[key], s.keepFalsy),
        input2: orNull(b.json[key], s.keepFalsy),
      };
      if (s.skipFields.includes(key)) skipped[key] = value;
      else different[key] = value;
    }
  }
  return {
    json: { keys, same, different, ...(Object.keys(skipped).length > 0 ? { skipped } : {}) },
  };
}

function combineItems(a: Item, b: Item, s: CompareSettings): Item {
  const [entry, match] = s.preferWhenMix === 'input1' ? [a, b] : [b, a];
  const out: Item = { ...entry, json: deepCopyJson(entry.json) };
  const except = s.exceptWhenMix;
  const fields = Array.isArray(except)
    ? except.map(String)
    : except
      ? String(except)
          .split(',')
          .map((field) => field.trim())
      : [];
  for (const field of fields) {
    if (s.disableDotNotation) {
      if (field !== '__proto__') out.json[field] = match.json[field];
    } else {
      setPath(out.json, field, deepCopyJson(orNull(getPath(match.json, field), s.keepFalsy)));
    }
  }
  return out;
}

function omitKeys(json: JsonObject, keys: string[]): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(json)) if (!keys.includes(key)) out[key] = value;
  return out;
}

function compare(input1: Item[], input2: Item[], pairs: FieldPair[], s: CompareSettings): Item[][] {
  const onlyA: Item[] = [];
  const same: Item[] = [];
  const different: Item[] = [];
  const matchedIn2 = new Set<number>();
  for (const entry of input1) {
    const lookup: Array<[string, unknown]> = pairs.map((pair) => [
      pair.field2,
      valueOf(entry.json, pair.field1, s.disableDotNotation),
    ]);
    if (lookup.some(([, value]) => value === undefined)) {
      onlyA.push(entry);
      continue;
    }
    const matches: Item[] = [];
    for (let i = 0; i < input2.length; i++) {
      const candidate = input2[i]!;
      if (
        lookup.every(([key, expected]) =>
          s.equal(expected, valueOf(candidate.json, key, s.disableDotNotation)),
        )
      ) {
        matches.push(candidate);
        matchedIn2.add(i);
        if (s.multipleMatches !== 'all') break;
      }
    }
    if (matches.length === 0) {
      onlyA.push(entry);
      continue;
    }
    let sameEntry: Item | undefined;
    for (const match of matches) {
      let json1 = entry.json;
      let json2 = match.json;
      if (s.skipFields.length > 0) {
        json1 = omitKeys(json1, s.skipFields);
        json2 = omitKeys(json2, s.skipFields);
      }
      const equal = s.fuzzy
        ? Object.keys(json1).every((key) => s.equal(json1[key], json2[key]))
        : isEqual(json1, json2);
      if (equal) {
        sameEntry ??= s.fuzzy && s.resolve === 'preferInput2' ? match : entry;
      } else if (s.resolve === 'preferInput1') different.push(entry);
      else if (s.resolve === 'preferInput2') different.push(match);
      else if (s.resolve === 'mix') different.push(combineItems(entry, match, s));
      else different.push(compareItems(entry, match, pairs, s));
    }
    if (sameEntry) same.push(sameEntry);
  }
  const onlyB = input2.filter((_, i) => !matchedIn2.has(i));
  return [onlyA, same, different, onlyB];
}

/** Compare Datasets: splits two inputs into "in A only", "same", "different" and "in B only". */
export const compareDatasetsNode = defineNode({
  type: 'budflow.compareDatasets',
  version: 1,
  title: 'Compare Datasets',
  description: 'Compare two inputs for changes',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.compareDatasets', versions: [1, 2, 2.1, 2.2, 2.3] } },
  inputs: [
    { type: 'main', name: 'Input A' },
    { type: 'main', name: 'Input B' },
  ],
  outputs: [
    { type: 'main', name: 'inAOnly' },
    { type: 'main', name: 'same' },
    { type: 'main', name: 'different' },
    { type: 'main', name: 'inBOnly' },
  ],
  params: compareParams,
  paramItems: 'first',
  execute: (ctx: ExecuteContext<CompareParams>) => {
    const params = ctx.params(0);
    const version = ctx.typeVersion;
    try {
      const pairs = checkMatchFieldsInput(params.mergeByFields.values);
      const disableDotNotation = !!params.options.disableDotNotation;
      const input1 = checkInput(
        ctx.inputs[0] ?? [],
        pairs.map((p) => p.field1),
        disableDotNotation,
        'Input A',
      );
      const input2 = checkInput(
        ctx.inputs[1] ?? [],
        pairs.map((p) => p.field2),
        disableDotNotation,
        'Input B',
      );
      const fuzzy = !!(params.options.fuzzyCompare ?? (version >= 2 ? params.fuzzyCompare : false));
      const settings: CompareSettings = {
        resolve: params.resolve,
        preferWhenMix: params.preferWhenMix,
        exceptWhenMix: params.exceptWhenMix,
        skipFields: (params.options.skipFields ?? '').split(',').map((f) => f.trim()),
        fuzzy,
        disableDotNotation,
        multipleMatches: params.options.multipleMatches ?? 'first',
        keepFalsy: version >= 2.3,
        equal: fuzzyCompare(fuzzy, version >= 2.2 ? 2 : 1),
      };
      return compare(input1, input2, pairs, settings);
    } catch (error) {
      if (error instanceof Error && error.name === 'NodeError') throw error;
      throw nodeError(ctx, (error as Error).message, { cause: error });
    }
  },
});
