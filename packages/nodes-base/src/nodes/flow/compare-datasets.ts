import {
  defineNode,
  pairedItemList,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
} from '@budflow/node-sdk';
import { z } from 'zod';
import {
  ExactMatchIndex,
  deepCopyJson,
  fuzzyCompare,
  getPath,
  isUnsafeKey,
  loadLodash,
  lodash,
  nodeError,
  setPath,
  unsetPath,
  type CompareFunction,
} from '../../shared/index.js';
import { checkMatchFieldsInput, type FieldPair } from './merge/match-items.js';

const compareParams = () =>
  z.object({
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
type CompareParams = z.infer<ReturnType<typeof compareParams>>;

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
  version: number;
  resolve: CompareParams['resolve'];
  preferWhenMix: 'input1' | 'input2';
  exceptWhenMix: unknown;
  skipFields: string[];
  fuzzy: boolean;
  disableDotNotation: boolean;
  multipleMatches: 'first' | 'all';
  equal: CompareFunction;
}

/** v2+ reports a missing field as null and keeps falsy values; v1 turns every falsy value into null. */
const nullish = (value: unknown, version: number): JsonValue =>
  (version >= 2 ? (value === undefined ? null : value) : value || null) as JsonValue;

function compareItems(a: Item, b: Item, pairs: FieldPair[], s: CompareSettings): Item {
  const keys: JsonObject = {};
  for (const pair of pairs) keys[pair.field1] = a.json[pair.field1];
  const keys1 = Object.keys(a.json);
  const keys2 = Object.keys(b.json);
  const all = [...new Set([...keys1, ...keys2])];
  const toCompare = s.fuzzy && s.version >= 2.1 ? all : keys1.filter((key) => keys2.includes(key));
  const same: JsonObject = {};
  for (const key of toCompare) {
    if (s.equal(a.json[key], b.json[key])) same[key] = a.json[key];
  }
  const [name1, name2] = s.version >= 2 ? ['inputA', 'inputB'] : ['input1', 'input2'];
  const different: JsonObject = {};
  const skipped: JsonObject = {};
  all.forEach((key, i) => {
    if (Object.prototype.hasOwnProperty.call(same, key)) return;
    if (s.resolve === 'preferInput1') {
      different[key] = nullish(a.json[key], s.version);
      return;
    }
    if (s.resolve === 'preferInput2') {
      different[key] = nullish(b.json[key], s.version);
      return;
    }
    let value1 = nullish(a.json[key], s.version);
    let value2 = nullish(b.json[key], s.version);
    if (s.version >= 2.1 && !s.disableDotNotation && !s.skipFields.includes(key)) {
      // Skipped nested fields (`key.sub`) are moved from "different" to "skipped".
      const nested = s.skipFields.filter((field) => field.startsWith(key) && field.includes('.'));
      value1 = deepCopyJson(value1);
      value2 = deepCopyJson(value2);
      if (nested.length > 0 && (typeof value1 !== 'object' || typeof value2 !== 'object')) {
        throw new Error(
          `The field '${key}' in item ${i} is not an object. It is not possible to use dot notation.`,
        );
      }
      if (nested.length > 0) skipped[key] = { [name1]: {}, [name2]: {} };
      for (const field of nested) {
        const inner = field.replace(`${key}.`, '');
        const target = skipped[key] as Record<string, JsonObject>;
        setPath(target[name1]!, inner, getPath(value1, inner));
        setPath(target[name2]!, inner, getPath(value2, inner));
        if (value1 !== null && typeof value1 === 'object') unsetPath(value1, inner);
        if (value2 !== null && typeof value2 === 'object') unsetPath(value2, inner);
      }
      different[key] = { [name1]: value1, [name2]: value2 };
    } else if (s.skipFields.includes(key)) {
      skipped[key] = { [name1]: value1, [name2]: value2 };
    } else {
      different[key] = { [name1]: value1, [name2]: value2 };
    }
  });
  return {
    json: { keys, same, different, ...(Object.keys(skipped).length > 0 ? { skipped } : {}) },
    pairedItem: [...pairedItemList(a.pairedItem), ...pairedItemList(b.pairedItem)],
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
    if (isUnsafeKey(field)) continue;
    // As current n8n: the value is read with dot notation but written to the key as named.
    out.json[field] = s.disableDotNotation
      ? match.json[field]
      : deepCopyJson((getPath(match.json, field) ?? null) as JsonValue);
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
  const fields2 = [...new Set(pairs.map((pair) => pair.field2))];
  const index = s.fuzzy
    ? undefined
    : new ExactMatchIndex(input2.length, (row) =>
        fields2.map((field) => valueOf(input2[row]!.json, field, s.disableDotNotation)),
      );
  for (const entry of input1) {
    // Like n8n's lookup object: one value per input B field, the last pair naming it wins.
    const values = new Map<string, unknown>();
    for (const pair of pairs) {
      values.set(pair.field2, valueOf(entry.json, pair.field1, s.disableDotNotation));
    }
    const lookup = fields2.map((field) => [field, values.get(field)] as const);
    if (lookup.some(([, value]) => value === undefined)) {
      onlyA.push(entry);
      continue;
    }
    const matches: Item[] = [];
    const indexed = index?.find(lookup.map(([, value]) => value));
    if (indexed) {
      for (const i of s.multipleMatches === 'all' ? indexed : indexed.slice(0, 1)) {
        matches.push(input2[i]!);
        matchedIn2.add(i);
      }
    } else {
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
        if (s.disableDotNotation || !s.skipFields.some((field) => field.includes('.'))) {
          json1 = omitKeys(json1, s.skipFields);
          json2 = omitKeys(json2, s.skipFields);
        } else {
          json1 = deepCopyJson(json1);
          json2 = deepCopyJson(json2);
          for (const field of s.skipFields) {
            unsetPath(json1, field);
            unsetPath(json2, field);
          }
        }
      }
      const equal = s.fuzzy
        ? Object.keys(json1).every((key) => s.equal(json1[key], json2[key]))
        : lodash().isEqual(json1, json2);
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
  execute: async (ctx: ExecuteContext<CompareParams>) => {
    await loadLodash();
    const params = ctx.params(0);
    const version = ctx.typeVersion;
    try {
      const pairs = checkMatchFieldsInput(params.mergeByFields.values);
      const disableDotNotation = !!params.options.disableDotNotation;
      let input1 = ctx.inputs[0] ?? [];
      let input2 = ctx.inputs[1] ?? [];
      if (version < 2.2) {
        input1 = checkInput(
          input1,
          pairs.map((p) => p.field1),
          disableDotNotation,
          'Input A',
        );
        input2 = checkInput(
          input2,
          pairs.map((p) => p.field2),
          disableDotNotation,
          'Input B',
        );
      } else {
        input1 = input1.filter((item) => !isEmptyJson(item.json));
        input2 = input2.filter((item) => !isEmptyJson(item.json));
      }
      const fuzzy = version >= 2 ? params.fuzzyCompare : !!params.options.fuzzyCompare;
      const skipFields = (params.options.skipFields ?? '').split(',').map((f) => f.trim());
      const dotted = skipFields.find((field) => field.includes('.'));
      if (disableDotNotation && dotted !== undefined) {
        throw new Error(
          `Dot notation is disabled, but field to skip comparing '${dotted}' contains dot`,
        );
      }
      const settings: CompareSettings = {
        version,
        resolve: params.resolve,
        preferWhenMix: params.preferWhenMix,
        exceptWhenMix: params.exceptWhenMix,
        skipFields,
        fuzzy,
        disableDotNotation,
        multipleMatches: params.options.multipleMatches ?? 'first',
        equal: fuzzyCompare(fuzzy, version),
      };
      return compare(input1, input2, pairs, settings);
    } catch (error) {
      if (error instanceof Error && error.name === 'NodeError') throw error;
      throw nodeError(ctx, (error as Error).message, { cause: error });
    }
  },
});
