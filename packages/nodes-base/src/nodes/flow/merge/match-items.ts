/** Matching and merging of items from two inputs (Merge v2/v3 "combine" modes). */
import type { BinaryRef, Item, JsonObject, PairedItemData } from '@budflow/node-sdk';
import { pairedItemList } from '@budflow/node-sdk';
import {
  ExactMatchIndex,
  fuzzyCompare,
  getPath,
  lodash,
  type CompareFunction,
} from '../../../shared/index.js';

export interface FieldPair {
  field1: string;
  field2: string;
}

export type JoinMode =
  'keepMatches' | 'keepNonMatches' | 'keepEverything' | 'enrichInput1' | 'enrichInput2';
export type OutputDataFrom = 'both' | 'input1' | 'input2';

export interface MatchOptions {
  joinMode: JoinMode;
  outputDataFrom: OutputDataFrom;
  multipleMatches?: 'all' | 'first';
  disableDotNotation?: boolean;
  fuzzyCompare?: boolean;
}

export interface ClashOptions {
  resolveClash?: string;
  mergeMode?: 'deepMerge' | 'shallowMerge';
  overrideEmpty?: boolean;
}

export interface EntryMatches {
  entry: Item;
  matches: Item[];
}

export interface Matches {
  matched: EntryMatches[];
  matched2: Item[];
  unmatched1: Item[];
  unmatched2: Item[];
}

type Merger = (target: object, ...sources: Array<object | undefined>) => JsonObject;

export function addSuffixToEntriesKeys(items: Item[], suffix: string): Item[] {
  return items.map((item) => {
    const json: JsonObject = {};
    for (const key of Object.keys(item.json)) json[`${key}_${suffix}`] = item.json[key];
    return { ...item, json };
  });
}

export function addSourceField(items: Item[], source: string): Item[] {
  return items.map((item) => ({ ...item, json: { ...item.json, _source: source } }));
}

function fieldValue(json: JsonObject, field: string, disableDotNotation: boolean): unknown {
  if (disableDotNotation)
    return Object.prototype.hasOwnProperty.call(json, field) ? json[field] : undefined;
  return getPath(json, field);
}

/** Throws n8n's errors when the field pairs to match on are empty. */
export function checkMatchFieldsInput(
  pairs: ReadonlyArray<{ field1: string; field2: string }>,
): FieldPair[] {
  if (pairs.length === 1 && pairs[0]!.field1 === '' && pairs[0]!.field2 === '') {
    throw new Error(
      'You need to define at least one pair of fields in "Fields to Match" to match on',
    );
  }
  for (const [index, pair] of pairs.entries()) {
    if (pair.field1 === '' || pair.field2 === '') {
      throw new Error(
        `You need to define both fields in "Fields to Match" for pair ${index + 1},\n\t\t\t\t field 1 = '${pair.field1}'\n\t\t\t\t field 2 = '${pair.field2}'`,
      );
    }
  }
  return [...pairs];
}

/** Throws when a field to match on appears in no item of the input (Merge before v2.1). */
export function checkInput(
  items: Item[],
  fields: string[],
  disableDotNotation: boolean,
  label: string,
): Item[] {
  for (const field of fields) {
    const present = items.some(
      (item) =>
        fieldValue(item.json, field, disableDotNotation) !== undefined ||
        (disableDotNotation && Object.prototype.hasOwnProperty.call(item.json, field)),
    );
    if (!present) throw new Error(`Field '${field}' is not present in any of items in '${label}'`);
  }
  return items;
}

function matchesLookup(
  item: Item,
  lookup: Array<[string, unknown]>,
  disableDotNotation: boolean,
  equal: CompareFunction,
): boolean {
  return lookup.every(([key, expected]) =>
    equal(expected, fieldValue(item.json, key, disableDotNotation)),
  );
}

/** Finds, for each item of input 1, the items of input 2 with equal values in the matched fields. */
export function findMatches(
  input1: Item[],
  input2: Item[],
  pairs: FieldPair[],
  options: MatchOptions,
  equal: CompareFunction = fuzzyCompare(!!options.fuzzyCompare),
): Matches {
  const disableDotNotation = !!options.disableDotNotation;
  const multiple = options.multipleMatches ?? 'all';
  const result: Matches = { matched: [], matched2: [], unmatched1: [], unmatched2: [] };
  const matchedIn2 = new Set<number>();
  const fields2 = [...new Set(pairs.map((pair) => pair.field2))];
  const index = options.fuzzyCompare
    ? undefined
    : new ExactMatchIndex(input2.length, (row) =>
        fields2.map((field) => fieldValue(input2[row]!.json, field, disableDotNotation)),
      );
  for (const entry of input1) {
    const lookup: Array<[string, unknown]> = [];
    for (const pair of pairs) {
      const value = fieldValue(entry.json, pair.field1, disableDotNotation);
      const existing = lookup.findIndex(([key]) => key === pair.field2);
      if (existing === -1) lookup.push([pair.field2, value]);
      else lookup[existing] = [pair.field2, value];
    }
    if (lookup.some(([, value]) => value === undefined)) {
      result.unmatched1.push(entry);
      continue;
    }
    const found: Array<{ entry: Item; index: number }> = [];
    const indexed = index?.find(fields2.map((field) => lookup.find(([key]) => key === field)![1]));
    if (indexed) {
      for (const i of multiple === 'all' ? indexed : indexed.slice(0, 1)) {
        found.push({ entry: input2[i]!, index: i });
      }
    } else {
      for (let i = 0; i < input2.length; i++) {
        const candidate = input2[i];
        if (candidate === undefined) continue;
        if (matchesLookup(candidate, lookup, disableDotNotation, equal)) {
          found.push({ entry: candidate, index: i });
          if (multiple !== 'all') break;
        }
      }
    }
    for (const match of found) matchedIn2.add(match.index);
    const matches = found.map((match) => match.entry);
    if (matches.length === 0) {
      result.unmatched1.push(entry);
    } else if (
      options.outputDataFrom === 'both' ||
      options.joinMode === 'enrichInput1' ||
      options.joinMode === 'enrichInput2'
    ) {
      for (const match of matches) result.matched.push({ entry, matches: [match] });
    } else {
      result.matched.push({ entry, matches });
    }
  }
  input2.forEach((item, i) => (matchedIn2.has(i) ? result.matched2 : result.unmatched2).push(item));
  return result;
}

const asJson = (value: unknown): JsonObject => value as JsonObject;

const keepTargetWhenEmpty = (target: unknown, source: unknown) =>
  source === undefined || source === null || source === '' ? target : undefined;

/** The object merge the clash options ask for (deep by default, lodash semantics). */
export function selectMergeMethod(clash: ClashOptions): Merger {
  const shallow = clash.mergeMode === 'shallowMerge';
  if (clash.overrideEmpty) {
    return shallow
      ? (target, ...sources) =>
          asJson(lodash().assignWith({ ...target }, ...sources, keepTargetWhenEmpty))
      : (target, ...sources) =>
          asJson(lodash().mergeWith({ ...target }, ...sources, keepTargetWhenEmpty));
  }
  return shallow
    ? (target, ...sources) => lodash().assign({}, target, ...sources) as JsonObject
    : (target, ...sources) => lodash().merge({}, target, ...sources) as JsonObject;
}

const paired = (item: Item): PairedItemData[] => pairedItemList(item.pairedItem);

function mergedItem(json: JsonObject, binary: object, pairedItem: PairedItemData[]): Item {
  const out: Item = { json, pairedItem };
  if (Object.keys(binary).length > 0) out.binary = binary as Record<string, BinaryRef>;
  return out;
}

/**
 * Merges each matched pair into one item. `generation` 2 is Merge v2 (`preferInput2` default),
 * 3 is Merge v3 (`preferLast` default).
 */
export function mergeMatched(
  matched: EntryMatches[],
  clash: ClashOptions,
  joinMode: JoinMode | undefined,
  generation: 2 | 3,
): Item[] {
  const mergeInto = selectMergeMethod(clash);
  const out: Item[] = [];
  for (const { entry: original, matches: originalMatches } of matched) {
    let entry = original;
    let matches = originalMatches;
    let resolve = clash.resolveClash;
    if (resolve === 'addSuffix') {
      let [suffix1, suffix2] = ['1', '2'];
      if (generation === 2 && joinMode === 'enrichInput2') [suffix1, suffix2] = [suffix2, suffix1];
      entry = addSuffixToEntriesKeys([entry], suffix1)[0]!;
      matches = addSuffixToEntriesKeys(matches, suffix2);
      out.push(
        mergedItem(
          mergeInto({ ...entry.json }, ...matches.map((m) => m.json)),
          mergeInto({ ...entry.binary }, ...matches.map((m) => m.binary)),
          [...paired(entry), ...matches.flatMap(paired)],
        ),
      );
      continue;
    }
    let preferFirst = 'preferInput1';
    let preferSecond = generation === 2 ? 'preferInput2' : 'preferLast';
    if (generation === 2) {
      if (joinMode === 'enrichInput2') [preferFirst, preferSecond] = [preferSecond, preferFirst];
      resolve ??= 'preferInput2';
    } else {
      resolve ??= joinMode === 'enrichInput2' ? 'preferInput1' : 'preferLast';
    }
    if (resolve === preferFirst) {
      const [first, ...rest] = matches;
      out.push(
        mergedItem(
          mergeInto({ ...first!.json }, ...rest.map((m) => m.json), entry.json),
          mergeInto({ ...first!.binary }, ...rest.map((m) => m.binary), entry.binary),
          [...paired(first!), ...rest.flatMap(paired), ...paired(entry)],
        ),
      );
    } else if (resolve === preferSecond) {
      out.push(
        mergedItem(
          mergeInto({ ...entry.json }, ...matches.map((m) => m.json)),
          mergeInto({ ...entry.binary }, ...matches.map((m) => m.binary)),
          [...paired(entry), ...matches.flatMap(paired)],
        ),
      );
    } else {
      out.push({ json: {}, pairedItem: [...paired(entry), ...matches.flatMap(paired)] });
    }
  }
  return out;
}
