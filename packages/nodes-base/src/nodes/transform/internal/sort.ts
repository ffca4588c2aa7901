import type { Item } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { equalValues, lessThan } from './compare.js';
import { shuffle } from './fields.js';
import { getField } from './paths.js';

export interface SortField {
  fieldName: string;
  order?: 'ascending' | 'descending';
}

const NESTED_HINT =
  "If you're trying to use a nested field, make sure you turn off 'disable dot notation' in the node options";

/** n8n's simple sort: case-insensitive strings, lodash `lt` otherwise, stable, by several fields. */
export function sortItemsSimple(
  items: Item[],
  fields: SortField[] | undefined,
  disableDotNotation: boolean,
): Item[] {
  const dot = !disableDotNotation;
  if (!fields?.length) {
    throw new NodeError('No sorting specified. Please add a field to sort by');
  }
  for (const { fieldName } of fields) {
    const found = items.some((item) => getField(item.json, fieldName, dot) !== undefined);
    if (!found) {
      throw new NodeError(`Couldn't find the field '${fieldName}' in the input data`, {
        description: !dot && fieldName.includes('.') ? NESTED_HINT : undefined,
      });
    }
  }
  const keyed = items.map((item) => ({
    item,
    values: fields.map(({ fieldName }) => {
      const value = getField(item.json, fieldName, dot);
      return typeof value === 'string' ? value.toLowerCase() : value;
    }),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const va = a.values[i];
      const vb = b.values[i];
      if (equalValues(va, vb)) continue;
      const dir = fields[i]!.order === 'descending' ? -1 : 1;
      return lessThan(va, vb) ? -dir : dir;
    }
    return 0;
  });
  return keyed.map(({ item }) => item);
}

export function sortItemsRandom(items: Item[], random?: () => number): Item[] {
  return shuffle([...items], random);
}

/** Sort code must contain a `return`, as n8n checks before running it. */
export function assertSortCodeReturns(code: string): void {
  if (!/\breturn\b/.test(code)) {
    throw new NodeError("Sort code doesn't return. Please add a 'return' statement to your code");
  }
}

/** Limit: the first or last `maxItems` items. */
export function limitItems(
  items: Item[],
  maxItems: number,
  keep: 'firstItems' | 'lastItems',
): Item[] {
  if (maxItems >= items.length) return items;
  return keep === 'lastItems' ? items.slice(items.length - maxItems) : items.slice(0, maxItems);
}
