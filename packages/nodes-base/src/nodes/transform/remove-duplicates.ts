import { defineNode, NodeError, type Item, type JsonObject } from '@budflow/node-sdk';
import { z } from 'zod';
import { loadLodash } from '../../shared/index.js';
import { staticData } from './internal/context.js';
import { removeDuplicateItems } from './internal/remove-duplicates.js';
import { bool, fieldNames, num, options } from './internal/schema.js';

const compareSchema = () =>
  z.enum(['allFields', 'allFieldsExcept', 'selectedFields']).default('allFields');

const dedupeOptions = () =>
  options({
    disableDotNotation: bool(),
    removeOtherFields: bool(),
    scope: z.enum(['node', 'workflow']).default('node'),
    historySize: num(10000),
  });

const paramsV1 = () =>
  z.object({
    compare: compareSchema(),
    fieldsToExclude: fieldNames(),
    fieldsToCompare: fieldNames(),
    options: dedupeOptions(),
  });

const paramsV2 = () =>
  paramsV1().extend({
    operation: z
      .enum([
        'removeDuplicateInputItems',
        'removeItemsSeenInPreviousExecutions',
        'clearDeduplicationHistory',
      ])
      .default('removeDuplicateInputItems'),
    logic: z
      .enum([
        'removeItemsWithAlreadySeenKeyValues',
        'removeItemsUpToStoredIncrementalKey',
        'removeItemsUpToStoredDate',
      ])
      .default('removeItemsWithAlreadySeenKeyValues'),
    dedupeField: z.unknown().optional(),
    incrementalDedupeField: z.unknown().optional(),
    dateDedupeField: z.unknown().optional(),
    mode: z
      .enum(['cleanDatabase', 'updateKeyValuesInDatabase', 'deleteKeyValuesFromDatabase'])
      .default('cleanDatabase'),
  });
type ParamsV2 = z.infer<ReturnType<typeof paramsV2>>;

const HISTORY_KEY = 'removeDuplicates';

interface History {
  entries?: string[];
  incremental?: number;
  date?: string;
}

/** Static data holding the dedupe history: per node or for the whole workflow. */
function historyStore(
  owner: JsonObject,
  logic: ParamsV2['logic'],
): { read(): History; write(history: History): void } {
  const bucket = `${HISTORY_KEY}:${logic}`;
  return {
    read: () => (owner[bucket] as History | undefined) ?? {},
    write: (history) => {
      owner[bucket] = history as JsonObject;
    },
  };
}

function asKey(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * n8n's Remove Duplicates node. v1/v1.1 remove duplicates within the input; v2 adds removing
 * items seen in earlier executions (history kept in the node's or workflow's static data).
 */
export const removeDuplicatesNode = defineNode({
  type: 'budflow.removeDuplicates',
  version: 1,
  title: 'Remove Duplicates',
  description: 'Delete items with matching field values',
  category: 'transform',
  compat: { n8n: { type: 'n8n-nodes-base.removeDuplicates', versions: [1, 1.1, 2] } },
  params: (typeVersion: number) => (typeVersion >= 2 ? paramsV2() : paramsV1()),
  outputs: (_params, typeVersion) =>
    typeVersion >= 2
      ? [
          { type: 'main', name: 'Kept' },
          { type: 'main', name: 'Discarded' },
        ]
      : [{ type: 'main' }],
  async execute(ctx) {
    await loadLodash();
    const items = ctx.items;
    const version = ctx.typeVersion;
    if (items.length === 0) return version >= 2 ? [[], []] : [[]];
    const p = ctx.params(0) as ParamsV2;
    const operation = version >= 2 ? p.operation : 'removeDuplicateInputItems';
    if (operation === 'removeDuplicateInputItems') {
      const kept = removeDuplicateItems(items, {
        compare: p.compare,
        fieldsToCompare: p.fieldsToCompare,
        fieldsToExclude: p.fieldsToExclude,
        disableDotNotation: p.options.disableDotNotation,
        removeOtherFields: p.options.removeOtherFields,
        typeCheck: version > 1 ? 'strictNullable' : 'strict',
      });
      return [kept];
    }
    const scope = p.options.scope;
    const data = staticData(ctx, scope === 'workflow' ? 'global' : 'node');
    if (operation === 'clearDeduplicationHistory') {
      if (p.mode === 'cleanDatabase') {
        for (const key of Object.keys(data)) {
          if (key.startsWith(`${HISTORY_KEY}:`)) delete data[key];
        }
      }
      return [items];
    }
    const store = historyStore(data, p.logic);
    const history = store.read();
    const fresh: Item[] = [];
    const seen: Item[] = [];
    if (p.logic === 'removeItemsWithAlreadySeenKeyValues') {
      const keys = items.map((_, index) => asKey((ctx.params(index) as ParamsV2).dedupeField));
      const entries = history.entries ?? [];
      const max = p.options.historySize;
      if (entries.length + items.length > max) {
        throw new NodeError(
          'The number of items to be processed exceeds the maximum history size. Please increase the history size or reduce the number of items to be processed.',
        );
      }
      const known = new Set(entries);
      const added = new Set<string>();
      // n8n groups items by key: all items of a new key are kept, all of a known key discarded.
      const order: string[] = [];
      const byKey = new Map<string, Item[]>();
      items.forEach((item, index) => {
        const key = keys[index]!;
        if (!byKey.has(key)) {
          byKey.set(key, []);
          order.push(key);
        }
        byKey.get(key)!.push(item);
      });
      for (const key of order) {
        if (known.has(key)) seen.push(...byKey.get(key)!);
        else {
          fresh.push(...byKey.get(key)!);
          added.add(key);
        }
      }
      const next = [...entries, ...added];
      store.write({ entries: max > 0 ? next.slice(-max) : next });
      return [fresh, seen];
    }
    if (p.logic === 'removeItemsUpToStoredIncrementalKey') {
      let latest = history.incremental;
      const values = items.map((_, index) => {
        const raw = (ctx.params(index) as ParamsV2).incrementalDedupeField;
        const value = Number(raw);
        if (Number.isNaN(value)) {
          throw new NodeError(
            `The value '${String(raw)}' is not a number. Please provide a number.`,
            {
              itemIndex: index,
            },
          );
        }
        return value;
      });
      items.forEach((item, index) => {
        const value = values[index]!;
        if (history.incremental !== undefined && value <= history.incremental) seen.push(item);
        else fresh.push(item);
        if (latest === undefined || value > latest) latest = value;
      });
      store.write({ incremental: latest });
      return [fresh, seen];
    }
    let latest = history.date === undefined ? undefined : Date.parse(history.date);
    const stored = latest;
    const dates = items.map((_, index) => {
      const raw = asKey((ctx.params(index) as ParamsV2).dateDedupeField);
      const time = Date.parse(raw);
      if (Number.isNaN(time)) {
        throw new NodeError(
          `The value '${raw}' is not a valid date. Please provide a valid date.`,
          {
            itemIndex: index,
          },
        );
      }
      return time;
    });
    items.forEach((item, index) => {
      const time = dates[index]!;
      if (stored !== undefined && time <= stored) seen.push(item);
      else fresh.push(item);
      if (latest === undefined || time > latest) latest = time;
    });
    store.write({ date: new Date(latest!).toISOString() });
    return [fresh, seen];
  },
});
