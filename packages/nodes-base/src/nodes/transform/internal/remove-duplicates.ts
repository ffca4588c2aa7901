import type { Item, JsonObject } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { equalValues, lessThan } from './compare.js';
import { flattenKeys, pickKeys, typeRank } from './fields.js';
import { defineOwn, getField, getPath, pathKeys, setPath } from './paths.js';

export interface RemoveDuplicatesOptions {
  compare: 'allFields' | 'allFieldsExcept' | 'selectedFields';
  fieldsToExclude: string[];
  fieldsToCompare: string[];
  disableDotNotation: boolean;
  removeOtherFields: boolean;
  /**
   * `strict`: values of one field must share a type (Item Lists < 3.1, Remove Duplicates 1);
   * `strictNullable`: the same, but nulls are skipped and the error names the items (Remove
   * Duplicates 1.1, 2); `mixed`: types may differ and never match each other (Item Lists 3.1).
   */
  typeCheck: 'strict' | 'strictNullable' | 'mixed';
}

const NESTED_HINT =
  "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options";

function keysOf(json: JsonObject, dot: boolean): string[] {
  return dot ? flattenKeys(json) : Object.keys(json);
}

/** The keys compared, per n8n's rules for the `compare` mode. */
function compareKeys(items: Item[], options: RemoveDuplicatesOptions): string[] {
  const dot = !options.disableDotNotation;
  const union = keysOf(items[0]!.json, dot);
  for (const item of items) {
    for (const key of keysOf(item.json, dot)) if (!union.includes(key)) union.push(key);
  }
  if (options.compare === 'allFieldsExcept') {
    if (!options.fieldsToExclude.length) {
      throw new NodeError('No fields specified. Please add a field to exclude from comparison');
    }
    // n8n narrows to the first item's keys only with dot notation; without, all items' keys
    const keys = dot ? keysOf(items[0]!.json, dot) : union;
    return keys.filter((key) => !options.fieldsToExclude.includes(key));
  }
  if (options.compare === 'selectedFields') {
    if (!options.fieldsToCompare.length) {
      throw new NodeError('No fields specified. Please add a field to compare on');
    }
    return options.fieldsToCompare.map((key) => key.trim());
  }
  return union;
}

/** Drops items whose compared fields equal an earlier item's; keeps the first of each group. */
export function removeDuplicateItems(items: Item[], options: RemoveDuplicatesOptions): Item[] {
  if (items.length === 0) return [];
  const dot = !options.disableDotNotation;
  const keys = compareKeys(items, options);
  // Values per item and key, read once: comparators call for them O(n log n) times.
  const table = items.map((item) => keys.map((key) => getField(item.json, key, dot)));
  const value = (index: number, k: number) => table[index]![k];

  const order = items.map((_, index) => index);
  order.sort((a, b) => {
    for (let k = 0; k < keys.length; k++) {
      const va = value(a, k);
      const vb = value(b, k);
      if (options.typeCheck === 'mixed') {
        const rank = typeRank(va) - typeRank(vb);
        if (rank !== 0) return rank;
      }
      if (!equalValues(va, vb)) return lessThan(va, vb) ? -1 : 1;
    }
    return 0;
  });

  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key === '') throw new NodeError('Name of field to compare is blank');
    let type: string | undefined;
    let previous = -1;
    for (const index of order) {
      const v = value(index, k);
      if (v === null && options.typeCheck === 'strictNullable') continue;
      if (v === undefined) {
        throw new NodeError(`'${key}' field is missing from some input items`, {
          description: !dot && key.includes('.') ? NESTED_HINT : undefined,
        });
      }
      if (options.typeCheck !== 'mixed' && type !== undefined && type !== typeof v) {
        const where =
          options.typeCheck === 'strictNullable'
            ? `, in item [${previous}] it's a ${type} and in item [${index}] it's a ${typeof v} `
            : '';
        throw new NodeError(`'${key}' isn't always the same type`, {
          description: `The type of this field varies between items${where}`,
        });
      }
      type = typeof v;
      previous = index;
    }
  }

  const removed = new Set<number>();
  let kept = order[0]!;
  for (let i = 1; i < order.length; i++) {
    const index = order[i]!;
    if (keys.every((_, k) => equalValues(value(index, k), value(kept, k)))) removed.add(index);
    else kept = index;
  }
  const out: Item[] = [];
  items.forEach((item, index) => {
    if (removed.has(index)) return;
    out.push(
      options.removeOtherFields
        ? { json: pick(item.json, keys, dot), pairedItem: { item: out.length } }
        : { ...item, pairedItem: { item: index } },
    );
  });
  return out;
}

/** lodash `pick`: keeps the given paths (nested ones as nested objects). */
function pick(json: JsonObject, keys: string[], dot: boolean): JsonObject {
  if (!dot) return pickKeys(json, keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = getPath(json, key);
    if (value === undefined) continue;
    if (pathKeys(json, key).length === 1) defineOwn(out, key, value);
    else setPath(out, key, value);
  }
  return out as JsonObject;
}
