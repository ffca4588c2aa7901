import {
  defineNode,
  pairedItemList,
  type ExecuteContext,
  type InputSpec,
  type Item,
  type JsonObject,
} from '@budflow/node-sdk';
import { deepCopyJson, getPath, lodash, nodeError, withLodash } from '../../../shared/index.js';
import {
  addSourceField,
  addSuffixToEntriesKeys,
  checkInput,
  checkMatchFieldsInput,
  findMatches,
  mergeMatched,
  selectMergeMethod,
  type ClashOptions,
  type FieldPair,
  type JoinMode,
  type OutputDataFrom,
} from './match-items.js';
import {
  mergeV1Params,
  mergeV2Params,
  mergeV3Params,
  type MergeV1Params,
  type MergeV2Params,
  type MergeV3Params,
} from './merge-params.js';

const pairOf = (...items: Array<Item | undefined>) =>
  items.flatMap((item) => (item ? pairedItemList(item.pairedItem) : []));

function combinePair(
  entry1: Item,
  entry2: Item,
  mergeInto: (target: object, ...sources: object[]) => JsonObject,
): Item {
  const out: Item = {
    json: { ...mergeInto(entry1.json, entry2.json) },
    pairedItem: pairOf(entry1, entry2),
  };
  const binary = lodash().merge({}, entry1.binary, entry2.binary) as Item['binary'];
  if (binary && Object.keys(binary).length > 0) out.binary = binary;
  return out;
}

interface JoinArgs {
  input1: Item[];
  input2: Item[];
  pairs: FieldPair[];
  joinMode: JoinMode;
  outputDataFrom: OutputDataFrom;
  options: MergeV2Params['options'];
  generation: 2 | 3;
}

/** The join of Merge v2/v3 "combine by fields" once both inputs hold items. */
function joinByFields(args: JoinArgs): Item[] {
  const { input1, input2, pairs, joinMode, outputDataFrom, options, generation } = args;
  const clash: ClashOptions = options.clashHandling?.values ?? {};
  const matchOptions = {
    joinMode,
    outputDataFrom,
    multipleMatches: options.multipleMatches,
    disableDotNotation: options.disableDotNotation,
    fuzzyCompare: options.fuzzyCompare,
  };
  const swap = generation === 2 && joinMode === 'enrichInput2';
  const matches = swap
    ? findMatches(
        input2,
        input1,
        pairs.map((p) => ({ field1: p.field2, field2: p.field1 })),
        matchOptions,
      )
    : findMatches(input1, input2, pairs, matchOptions);

  if (joinMode === 'keepMatches' || joinMode === 'keepEverything') {
    let output: Item[] = [];
    if (outputDataFrom === 'input1') output = matches.matched.map((m) => m.entry);
    if (outputDataFrom === 'input2') output = matches.matched2;
    if (outputDataFrom === 'both')
      output = mergeMatched(matches.matched, clash, undefined, generation);
    if (joinMode === 'keepEverything') {
      let { unmatched1, unmatched2 } = matches;
      if (clash.resolveClash === 'addSuffix') {
        unmatched1 = addSuffixToEntriesKeys(unmatched1, '1');
        unmatched2 = addSuffixToEntriesKeys(unmatched2, '2');
      }
      output = [...output, ...unmatched1, ...unmatched2];
    }
    return output;
  }
  if (joinMode === 'keepNonMatches') {
    if (outputDataFrom === 'input1') return matches.unmatched1;
    if (outputDataFrom === 'input2') return matches.unmatched2;
    return [
      ...addSourceField(matches.unmatched1, 'input1'),
      ...addSourceField(matches.unmatched2, 'input2'),
    ];
  }
  const merged = mergeMatched(matches.matched, clash, joinMode, generation);
  const rest = swap || joinMode === 'enrichInput1' ? matches.unmatched1 : matches.unmatched2;
  const suffix = joinMode === 'enrichInput1' ? '1' : '2';
  return [
    ...merged,
    ...(clash.resolveClash === 'addSuffix' ? addSuffixToEntriesKeys(rest, suffix) : rest),
  ];
}

/** Merge v2.1+/v3 when an input is empty: pass the other through or stop, per join mode. */
function emptyInputJoin(
  input1: Item[],
  input2: Item[],
  joinMode: JoinMode,
  outputDataFrom: OutputDataFrom,
): Item[] {
  if (input1.length === 0 && joinMode === 'keepNonMatches' && outputDataFrom === 'input1')
    return [];
  if (input2.length === 0 && joinMode === 'keepNonMatches' && outputDataFrom === 'input2')
    return [];
  if (joinMode === 'keepMatches') return [];
  if (joinMode === 'enrichInput1' && input1.length === 0) return [];
  if (joinMode === 'enrichInput2' && input2.length === 0) return [];
  return [...input1, ...input2];
}

function combineByPosition(
  inputs: Item[][],
  clash: ClashOptions,
  includeUnpaired: boolean,
  generation: 2 | 3,
): Item[] {
  const mergeInto = selectMergeMethod(clash);
  if (generation === 2) {
    let [input1, input2] = [inputs[0] ?? [], inputs[1] ?? []];
    // With one input empty, current n8n passes the other one through whatever the options.
    if (input1.length === 0 || input2.length === 0) return [...input1, ...input2];
    if (clash.resolveClash === 'preferInput1') [input1, input2] = [input2, input1];
    if (clash.resolveClash === 'addSuffix') {
      input1 = addSuffixToEntriesKeys(input1, '1');
      input2 = addSuffixToEntriesKeys(input2, '2');
    }
    if (input1.length === 0) return includeUnpaired ? input2 : [];
    if (input2.length === 0) return includeUnpaired ? input1 : [];
    const count = includeUnpaired
      ? Math.max(input1.length, input2.length)
      : Math.min(input1.length, input2.length);
    const out: Item[] = [];
    for (let i = 0; i < count; i++) {
      if (i >= input1.length) out.push(input2[i]!);
      else if (i >= input2.length) out.push(input1[i]!);
      else out.push(combinePair(input1[i]!, input2[i]!, mergeInto));
    }
    return out;
  }
  let lists = inputs.map((list) => list ?? []);
  const preferredIndex = clash.resolveClash?.startsWith('preferInput')
    ? Number(clash.resolveClash.replace('preferInput', '')) - 1
    : lists.length - 1;
  // n8n picks the preferred input before adding suffixes, so with `addSuffix` the last input's
  // fields also appear unsuffixed; kept for identical output.
  const preferred = lists[preferredIndex] ?? [];
  if (clash.resolveClash === 'addSuffix') {
    lists = lists.map((list, index) => addSuffixToEntriesKeys(list, String(index + 1)));
  }
  const lengths = lists.map((list) => list.length);
  const count = includeUnpaired
    ? Math.max(...lengths, preferred.length)
    : Math.min(...lengths, preferred.length);
  const out: Item[] = [];
  for (let i = 0; i < count; i++) {
    const preferredEntry = preferred[i];
    const entries = lists.map((list) => list[i]);
    const json = {
      ...mergeInto({}, ...entries.map((entry) => entry?.json ?? {}), preferredEntry?.json ?? {}),
    };
    const binary = lodash().merge(
      {},
      ...entries.map((entry) => entry?.binary ?? {}),
      preferredEntry?.binary ?? {},
    );
    const item: Item = { json, pairedItem: pairOf(...entries, preferredEntry) };
    if (Object.keys(binary).length > 0) item.binary = binary;
    out.push(item);
  }
  return out;
}

function combineAll(input1: Item[], input2: Item[], clash: ClashOptions): Item[] {
  let [a, b] = [input1, input2];
  if (clash.resolveClash === 'preferInput1') [a, b] = [b, a];
  if (clash.resolveClash === 'addSuffix') {
    a = addSuffixToEntriesKeys(a, '1');
    b = addSuffixToEntriesKeys(b, '2');
  }
  const mergeInto = selectMergeMethod(clash);
  const out: Item[] = [];
  for (const entry1 of a) for (const entry2 of b) out.push(combinePair(entry1, entry2, mergeInto));
  return out;
}

function executeV2(ctx: ExecuteContext<MergeV2Params>): Item[][] {
  const params = ctx.params(0);
  const input1 = ctx.inputs[0] ?? [];
  const input2 = ctx.inputs[1] ?? [];
  if (params.mode === 'append') return [[...input1, ...input2]];
  if (params.mode === 'chooseBranch') {
    if (params.chooseBranchMode !== 'waitForBoth') return [[]];
    if (params.output === 'input1') return [input1];
    if (params.output === 'input2') return [input2];
    return [[{ json: {}, pairedItem: pairOf(...input1, ...input2) }]];
  }
  const clash: ClashOptions = params.options.clashHandling?.values ?? {};
  if (params.combinationMode === 'multiplex') return [combineAll(input1, input2, clash)];
  if (params.combinationMode === 'mergeByPosition') {
    return [combineByPosition([input1, input2], clash, !!params.options.includeUnpaired, 2)];
  }
  const pairs = checkMatchFieldsInput(params.mergeByFields.values);
  const disableDot = !!params.options.disableDotNotation;
  let first = input1;
  let second = input2;
  if (ctx.typeVersion < 2.1) {
    first = checkInput(
      input1,
      pairs.map((p) => p.field1),
      disableDot,
      'Input 1',
    );
    second = checkInput(
      input2,
      pairs.map((p) => p.field2),
      disableDot,
      'Input 2',
    );
  } else if (first.length === 0 || second.length === 0) {
    return [emptyInputJoin(first, second, params.joinMode, params.outputDataFrom)];
  }
  return [
    joinByFields({
      input1: first,
      input2: second,
      pairs,
      joinMode: params.joinMode,
      outputDataFrom: params.outputDataFrom,
      options: params.options,
      generation: 2,
    }),
  ];
}

function executeV3(ctx: ExecuteContext<MergeV3Params>): Item[][] {
  const params = ctx.params(0);
  const inputs = Array.from({ length: params.numberInputs }, (_, i) => ctx.inputs[i] ?? []);
  const input1 = inputs[0]!;
  const input2 = inputs[1]!;
  const clash: ClashOptions = params.options.clashHandling?.values ?? {};
  switch (params.mode) {
    case 'append':
      return [inputs.flat()];
    case 'chooseBranch': {
      if (params.output === 'empty') {
        return [[{ json: {}, pairedItem: pairOf(...input1, ...input2) }]];
      }
      if (params.useDataOfInput > inputs.length) {
        throw nodeError(ctx, `Input ${params.useDataOfInput} doesn't exist`, {
          description: `The node has only ${inputs.length} inputs, so selecting input ${params.useDataOfInput} is not possible.`,
        });
      }
      return [inputs[params.useDataOfInput - 1]!];
    }
    case 'combineBySql':
      throw nodeError(ctx, "Merge mode 'SQL Query' is not supported by BudFlow yet");
    case 'combine':
      break;
  }
  if (params.combineBy === 'combineAll') return [combineAll(input1, input2, clash)];
  if (params.combineBy === 'combineByPosition') {
    return [combineByPosition(inputs, clash, !!params.options.includeUnpaired, 3)];
  }
  const pairs = checkMatchFieldsInput(
    params.advanced
      ? params.mergeByFields.values
      : params.fieldsToMatchString.split(',').map((f) => ({ field1: f.trim(), field2: f.trim() })),
  );
  if (input1.length === 0 || input2.length === 0) {
    return [emptyInputJoin(input1, input2, params.joinMode, params.outputDataFrom)];
  }
  return [
    joinByFields({
      input1,
      input2,
      pairs,
      joinMode: params.joinMode,
      outputDataFrom: params.outputDataFrom,
      options: params.options,
      generation: 3,
    }),
  ];
}

function executeV1(ctx: ExecuteContext<MergeV1Params>): Item[][] | null {
  const params = ctx.params(0);
  const input1 = ctx.inputs[0] ?? [];
  const input2 = ctx.inputs[1] ?? [];
  switch (params.mode) {
    case 'append':
      return [[...input1, ...input2]];
    case 'passThrough':
      return [params.output === 'input1' ? input1 : input2];
    case 'wait':
      return [[{ json: {} }]];
    case 'multiplex': {
      const out: Item[] = [];
      input1.forEach((a, i) =>
        input2.forEach((b, j) =>
          out.push({
            json: { ...a.json, ...b.json },
            pairedItem: [{ item: i }, { item: j, input: 1 }],
          }),
        ),
      );
      return [out];
    }
    case 'mergeByIndex': {
      if (input1.length === 0) return [params.join === 'outer' ? input2 : []];
      if (input2.length === 0) return [params.join === 'inner' ? [] : input1];
      const count =
        params.join === 'inner'
          ? Math.min(input1.length, input2.length)
          : params.join === 'left'
            ? input1.length
            : Math.max(input1.length, input2.length);
      const out: Item[] = [];
      for (let i = 0; i < count; i++) {
        const a = input1[i];
        const b = input2[i];
        if (!a) out.push(b!);
        else if (!b) out.push(a);
        else {
          const item: Item = {
            json: { ...deepCopyJson(a.json), ...b.json },
            pairedItem: pairOf(a, b),
          };
          if (a.binary !== undefined || b.binary !== undefined) {
            item.binary = { ...a.binary, ...b.binary };
          }
          out.push(item);
        }
      }
      return [out];
    }
    default:
      return [mergeByKeyV1(params, input1, input2)];
  }
}

/** Merge v1 key modes: keep or remove input 1 items whose key appears in input 2, or merge them. */
function mergeByKeyV1(params: MergeV1Params, input1: Item[], input2: Item[]): Item[] {
  const { mode, propertyName1, propertyName2, overwrite } = params;
  if (input2.length === 0 || !propertyName1 || !propertyName2) {
    return mode === 'keepKeyMatches' ? [] : input1;
  }
  const byKey = new Map<string, Item>();
  for (const entry of input2) {
    const key = getPath(entry.json, propertyName2);
    if (!key) continue;
    byKey.set(String(key), entry);
  }
  const out: Item[] = [];
  for (const entry of input1) {
    const reference = getPath(entry.json, propertyName1);
    // Items without a comparable key only survive "remove key matches".
    if (
      reference === undefined ||
      (reference !== null && typeof reference !== 'string' && typeof reference !== 'number')
    ) {
      if (mode === 'removeKeyMatches') out.push(entry);
      continue;
    }
    const match = byKey.get(String(reference));
    if (!match) {
      if (mode !== 'keepKeyMatches') out.push(entry);
      continue;
    }
    if (mode === 'removeKeyMatches') continue;
    if (mode === 'keepKeyMatches') {
      out.push(entry);
      continue;
    }
    const copy: Item = { ...entry, json: deepCopyJson(entry.json) };
    for (const key of Object.keys(match.json)) {
      if (key === propertyName2 || key === '__proto__') continue;
      const current = copy.json[key];
      if (
        overwrite === 'always' ||
        (overwrite === 'undefined' && !Object.prototype.hasOwnProperty.call(copy.json, key)) ||
        (overwrite === 'blank' && (current === null || current === undefined || current === ''))
      ) {
        copy.json[key] = match.json[key];
      }
    }
    out.push(copy);
  }
  return out;
}

function mergeInputs(params: JsonObject, typeVersion: number): InputSpec[] {
  const count = typeVersion >= 3 ? Number(params.numberInputs) || 2 : 2;
  return Array.from({ length: count }, (_, i) => ({ type: 'main', name: `Input ${i + 1}` }));
}

/** Merge: combines the items of several inputs (append, join by fields/position, cross join, choose). */
export const mergeNode = defineNode({
  type: 'budflow.merge',
  version: 1,
  title: 'Merge',
  description: 'Merges data of multiple streams once data from both is available',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.merge', versions: [1, 2, 2.1, 3, 3.1, 3.2] } },
  inputs: mergeInputs,
  outputs: [{ type: 'main' }],
  // v2+: chooseBranch needs every input; other modes run with whatever input holds items.
  requiredInputs: (typeVersion: number, params?: JsonObject) => {
    if (typeVersion < 2) return undefined;
    if (params?.mode !== 'chooseBranch') return 1;
    const count = typeVersion >= 3 ? Number(params.numberInputs) || 2 : 2;
    return Array.from({ length: count }, (_, i) => i);
  },
  params: (typeVersion: number) =>
    (typeVersion < 2
      ? mergeV1Params()
      : typeVersion < 3
        ? mergeV2Params()
        : mergeV3Params()) as never,
  paramItems: 'first',
  execute: (ctx: ExecuteContext<MergeV1Params | MergeV2Params | MergeV3Params>) =>
    withLodash(() => {
      try {
        if (ctx.typeVersion < 2) return executeV1(ctx as ExecuteContext<MergeV1Params>);
        if (ctx.typeVersion < 3) return executeV2(ctx as ExecuteContext<MergeV2Params>);
        return executeV3(ctx as ExecuteContext<MergeV3Params>);
      } catch (error) {
        if (error instanceof Error && error.name === 'NodeError') throw error;
        throw nodeError(ctx, (error as Error).message, { cause: error });
      }
    }),
});
