import type { Item } from '@budflow/node-sdk';
import { NodeError } from '@budflow/node-sdk';
import { createSandbox, type Sandbox } from '@budflow/sandbox';

/*
 * The comparator runs in QuickJS (`@budflow/sandbox`), never in the host realm. n8n ran it as a
 * sloppy-mode function body in which assigning an undeclared name (`fieldName = 'id'`) works;
 * the sandbox's global object is frozen, so free names are caught by a `with` scope object
 * instead (it claims any name that is not a global, so reads and writes land on it).
 */
const SORT_BODY = (code: string) => `var __bfScope = new Proxy(Object.create(null), {
  has: function (target, key) {
    return typeof key === 'string' && key !== 'items' && key.slice(0, 4) !== '__bf' && !(key in globalThis);
  },
});
var __bfCompare;
with (__bfScope) {
  __bfCompare = function (a, b) {
${code}
  };
}
var __bfOrder = new Map();
for (var __bfI = 0; __bfI < items.length; __bfI++) __bfOrder.set(items[__bfI], __bfI);
items.sort(__bfCompare);
return items.map(function (item) { return __bfOrder.get(item); });`;

const SORT_TIMEOUT_MS = 60_000;

let shared: Sandbox | undefined;

function sandbox(): Sandbox {
  shared ??= createSandbox({ limits: { timeoutMs: SORT_TIMEOUT_MS } });
  return shared;
}

/** Stops the sandbox workers used for code sorting (they do not keep the process alive anyway). */
export async function closeSortSandbox(): Promise<void> {
  const current = shared;
  shared = undefined;
  await current?.close();
}

/** Sorts items with a comparator body written by the user (`a`, `b` are items; return -1/0/1). */
export async function runSortCode(items: Item[], code: string): Promise<Item[]> {
  let order: unknown;
  try {
    const result = await sandbox().run<number[]>(SORT_BODY(code), {
      params: ['items'],
      args: [items.map((item) => ({ json: item.json }))],
    });
    order = result.value;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new NodeError(`Sort code failed: ${message}`, { cause: error });
  }
  if (
    !Array.isArray(order) ||
    order.length !== items.length ||
    order.some((index) => typeof index !== 'number' || items[index] === undefined)
  ) {
    throw new NodeError('Sort code did not keep the items it was given');
  }
  return order.map((index: number) => items[index]!);
}
