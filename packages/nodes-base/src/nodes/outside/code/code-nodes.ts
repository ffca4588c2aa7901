import { z } from 'zod';
import {
  BudflowError,
  defineNode,
  isJsonObject,
  NodeError,
  type BinaryRef,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
  type NodeDefinition,
} from '@budflow/node-sdk';
import {
  decodeSandboxJson,
  type ConsoleEntry,
  type Sandbox,
  type SandboxLimits,
} from '@budflow/sandbox';
import { isUnsafeKey } from '../internal/params.js';
import { createCodeSandbox } from './code-sandbox.js';

export interface CodeNodeOptions {
  /** A sandbox whose prelude is `codePrelude()`; default: one created on first use. */
  sandbox?: Sandbox;
  /** Limits of the sandbox created by default (time, memory, stack, output size). */
  limits?: Partial<SandboxLimits>;
  /** Isolation of the sandbox created by default (`worker` unless told). */
  isolation?: 'worker' | 'inline';
  poolSize?: number;
}

type Mode = 'all' | 'each' | 'function' | 'functionItem';

interface ScriptError {
  name: string;
  message: string;
  description?: string;
  line?: number;
  itemIndex?: number;
}
interface HandlerResult {
  ok: boolean;
  error?: ScriptError;
  results?: Array<{ value?: unknown; attached?: boolean; binary?: unknown; error?: ScriptError }>;
  /** Static and custom data in the sandbox's tagged JSON (it may hold a `Date`). */
  meta?: string;
}
interface HandlerMeta {
  staticData?: { global: JsonObject; node: JsonObject };
  customData?: Record<string, string>;
}

// Nesting the sandbox's encoder allows in a returned value (201 levels of arrays and objects);
// the handler's text comes from JSON.stringify, which has no limit of its own.
const MAX_RESULT_DEPTH = 201;

const ITEM_KEYS = new Set(['json', 'binary', 'pairedItem', 'error', 'index']);

const DEFAULT_ALL_ITEMS = `// Loop over input items and add a new field called 'myNewField' to the JSON of each one
for (const item of $input.all()) {
  item.json.myNewField = 1;
}

return $input.all();`;
const DEFAULT_EACH_ITEM = `// Add a new field called 'myNewField' to the JSON of the item
$input.item.json.myNewField = 1;

return $input.item;`;

const codeParams = () =>
  z
    .object({
      mode: z.enum(['runOnceForAllItems', 'runOnceForEachItem']).default('runOnceForAllItems'),
      language: z.enum(['javaScript', 'python', 'pythonNative']).default('javaScript'),
      jsCode: z.string().optional(),
      pythonCode: z.string().optional(),
    })
    .transform((p) => ({
      ...p,
      jsCode: p.jsCode ?? (p.mode === 'runOnceForEachItem' ? DEFAULT_EACH_ITEM : DEFAULT_ALL_ITEMS),
    }));
type CodeParams = z.output<ReturnType<typeof codeParams>>;

const functionParams = () => z.object({ functionCode: z.string().default('return items;') });
const functionItemParams = () => z.object({ functionCode: z.string().default('return item;') });

function formatScriptError(error: ScriptError): string {
  const where: string[] = [];
  if (error.line !== undefined) where.push(`line ${error.line}`);
  if (error.itemIndex !== undefined) {
    where.push(
      error.line !== undefined ? `for item ${error.itemIndex}` : `item ${error.itemIndex}`,
    );
  }
  const prefix = error.name === 'Error' ? '' : `${error.name}: `;
  return `${prefix}${error.message}${where.length > 0 ? ` [${where.join(', ')}]` : ''}`;
}

function outputError(message: string, description: string, itemIndex?: number): BudflowError {
  return new NodeError(itemIndex === undefined ? message : `${message} [item ${itemIndex}]`, {
    code: 'NODE_OUTPUT_INVALID',
    description,
    itemIndex,
    retryable: false,
  });
}

function checkItemShape(value: JsonObject, itemIndex: number) {
  for (const key of Object.keys(value)) {
    if (!ITEM_KEYS.has(key)) {
      throw outputError(
        `Unknown top-level item key: ${key}`,
        'Access the properties of an item under `.json`, e.g. `item.json`',
        itemIndex,
      );
    }
  }
  if (value.json !== undefined && !isJsonObject(value.json)) {
    throw outputError(
      "A 'json' property isn't an object",
      "In the returned data, every key named 'json' must point to an object.",
      itemIndex,
    );
  }
  if (value.binary !== undefined && !isJsonObject(value.binary)) {
    throw outputError(
      "A 'binary' property isn't an object",
      "In the returned data, every key named 'binary' must point to an object.",
      itemIndex,
    );
  }
}

/**
 * The engine's (and n8n's) rule for items without `pairedItem`: one input item, or as many items
 * out as in. Applied here because these items are new objects: the engine would copy each one.
 */
function pairWithInput(items: Item[], inputs: Item[][]): Item[] {
  if (inputs.length !== 1) return items;
  const count = inputs[0]!.length;
  if (count !== 1 && count !== items.length) return items;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.pairedItem === undefined) item.pairedItem = { item: count === 1 ? 0 : i };
  }
  return items;
}

function toItem(value: JsonObject, isItem: boolean, pairedItem?: Item['pairedItem']): Item {
  if (!isItem) return { json: value, ...(pairedItem === undefined ? {} : { pairedItem }) };
  const item: Item = { json: (value.json ?? {}) as JsonObject };
  if (value.binary) item.binary = value.binary as unknown as Record<string, BinaryRef>;
  if (value.pairedItem !== undefined) item.pairedItem = value.pairedItem as Item['pairedItem'];
  else if (pairedItem !== undefined) item.pairedItem = pairedItem;
  return item;
}

/** n8n's normalisation of "Run Once for All Items" results. */
export function normaliseAllItems(result: unknown): Item[] {
  if (result === null) return [];
  if (typeof result !== 'object' || result === undefined) {
    throw outputError(
      "Code doesn't return items properly",
      'Please return an array of objects, one for each item you would like to output.',
    );
  }
  const list: unknown[] = Array.isArray(result) ? result : [result];
  const hasItemKeys = list.some(
    (v) => isJsonObject(v) && Object.keys(v).some((k) => ITEM_KEYS.has(k)),
  );
  return list.map((value, index) => {
    if (!isJsonObject(value)) {
      throw outputError(
        "Code doesn't return items properly",
        'Please return an array of objects, one for each item you would like to output.',
      );
    }
    if (hasItemKeys) checkItemShape(value, index);
    return toItem(value, hasItemKeys);
  });
}

/** n8n's normalisation of one "Run Once for Each Item" result; undefined means "no item". */
export function normaliseEachItem(result: unknown, itemIndex: number): Item | undefined {
  if (result === undefined || result === null) return undefined;
  if (Array.isArray(result)) {
    throw outputError(
      "Code doesn't return a single object",
      "An array of objects was returned. If you need to output multiple items, please use the 'Run Once for All Items' mode instead.",
      itemIndex,
    );
  }
  if (!isJsonObject(result)) {
    throw outputError(
      "Code doesn't return an object",
      `Please return an object representing the output item. ('${typeof result}' was returned instead.)`,
      itemIndex,
    );
  }
  const isItem = Object.keys(result).some((k) => ITEM_KEYS.has(k));
  if (isItem) checkItemShape(result, itemIndex);
  return toItem(result, isItem, { item: itemIndex });
}

// Bounded (names up to 256 characters, one line) so scanning large code stays linear.
const NODE_REFS = [
  /\$\(\s*(['"`])((?:\\.|(?!\1)[^\n\\]){0,256})\1\s*\)/g,
  /\$node\[\s*(['"`])((?:\\.|(?!\1)[^\n\\]){0,256})\1\s*\]/g,
  /\$items\(\s*(['"`])((?:\\.|(?!\1)[^\n\\]){0,256})\1/g,
];

/** Node names the code refers to with string literals (`$('A')`, `$node["A"]`, `$node.A`). */
export function referencedNodes(code: string): string[] {
  const names = new Set<string>();
  for (const re of NODE_REFS) {
    for (const m of code.matchAll(re)) names.add(m[2]!.replace(/\\(.)/g, '$1'));
  }
  for (const m of code.matchAll(/\$node\.([A-Za-z_$][\w$]*)/g)) names.add(m[1]!);
  return [...names].filter((n) => !isUnsafeKey(n));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

interface CodeFacts {
  nodes: string[];
  isAsync: boolean;
  readsLineage: boolean;
}

// What the host reads from the code, by code (a workflow runs the same code again and again).
const FACTS_MAX_ENTRIES = 64;
const FACTS_MAX_CODE = 64 * 1024;
const factsCache = new Map<string, CodeFacts>();

function codeFacts(code: string): CodeFacts {
  let facts = factsCache.get(code);
  if (facts) return facts;
  facts = {
    nodes: referencedNodes(code),
    isAsync: /\bawait\b/.test(code),
    readsLineage: /itemMatching|pairedItem|\.item\b/.test(code),
  };
  if (code.length <= FACTS_MAX_CODE) {
    if (factsCache.size >= FACTS_MAX_ENTRIES) factsCache.delete(factsCache.keys().next().value!);
    factsCache.set(code, facts);
  }
  return facts;
}

async function prefetchNodes(ctx: ExecuteContext<unknown>, facts: CodeFacts, mode: Mode) {
  const nodes: Record<string, JsonObject> = {};
  if (facts.nodes.length === 0) return nodes;
  const wantsMatching = mode === 'each' || facts.readsLineage;
  for (const name of facts.nodes) {
    const ref = `$(${JSON.stringify(name)})`;
    const entry: JsonObject = {};
    try {
      const meta = (await ctx.evaluateExpression(
        `={{ { isExecuted: ${ref}.isExecuted, params: ${ref}.params } }}`,
        0,
      )) as JsonObject;
      entry.isExecuted = Boolean(meta.isExecuted);
      entry.params = meta.params ?? {};
    } catch (error) {
      entry.allError = message(error);
      nodes[name] = entry;
      continue;
    }
    try {
      entry.all = (await ctx.evaluateExpression(`={{ ${ref}.all() }}`, 0)) as JsonValue;
    } catch (error) {
      entry.allError = message(error);
    }
    if (wantsMatching) {
      // Per item: the evaluator resolves paired-item lineage for the item it evaluates.
      const matching: JsonObject = {};
      for (let i = 0; i < ctx.items.length; i++) {
        try {
          const template = `={{ ${ref}.itemMatching(${i}) }}`;
          matching[i] = (await ctx.evaluateExpression(template, i)) as JsonValue;
        } catch (error) {
          matching[i] = { __error: message(error) };
        }
      }
      entry.matching = matching;
    }
    nodes[name] = entry;
  }
  return nodes;
}

function logConsole(ctx: ExecuteContext<unknown>, entries: ConsoleEntry[]) {
  for (const entry of entries) {
    const meta = { nodeName: ctx.node.name, source: 'console' };
    if (entry.level === 'error') ctx.logger.error(entry.message, meta);
    else if (entry.level === 'warn') ctx.logger.warn(entry.message, meta);
    else if (entry.level === 'debug') ctx.logger.debug(entry.message, meta);
    else ctx.logger.info(entry.message, meta);
  }
}

function replaceContents(
  target: Record<string, unknown>,
  source: Record<string, unknown> | undefined,
) {
  if (!source) return;
  for (const key of Object.keys(target)) delete target[key];
  for (const [key, value] of Object.entries(source)) if (!isUnsafeKey(key)) target[key] = value;
}

/** Creates Code, Function and Function Item around one sandbox (see `CodeNodeOptions`). */
export function createCodeNodes(options: CodeNodeOptions = {}) {
  let own: Sandbox | undefined;
  const sandbox = () =>
    options.sandbox ??
    (own ??= createCodeSandbox({
      limits: options.limits,
      isolation: options.isolation,
      poolSize: options.poolSize,
    }));

  async function run(ctx: ExecuteContext<unknown>, code: string, mode: Mode): Promise<Item[][]> {
    const facts = codeFacts(code);
    const nodes = await prefetchNodes(ctx, facts, mode);
    const payload = {
      code,
      isAsync: facts.isAsync,
      mode,
      continueOnFail: ctx.continueOnFail,
      items: ctx.items.map((item) =>
        item.binary ? { json: item.json, binary: item.binary } : { json: item.json },
      ),
      nodes,
      ctx: {
        nodeName: ctx.node.name,
        nodeVersion: ctx.typeVersion,
        runIndex: ctx.runIndex,
        timezone: ctx.workflow.timezone,
        nowMs: Date.now(),
        parameter: ctx.node.parameters,
        workflow: { id: ctx.workflow.id, name: ctx.workflow.name, active: ctx.workflow.active },
        execution: {
          id: ctx.execution.id,
          mode: ctx.execution.mode,
          customData: { ...ctx.execution.customData },
        },
        staticData: { global: ctx.getStaticData('global'), node: ctx.getStaticData('node') },
        vars: {},
      },
    };
    let result: HandlerResult;
    try {
      // Raw: the handler's JSON text is parsed once here instead of being encoded value by value.
      const response = await sandbox().call<string>('budflow.code', payload, {
        raw: true,
        maxDepth: MAX_RESULT_DEPTH,
      });
      logConsole(ctx, response.console);
      result = JSON.parse(response.value) as HandlerResult;
      // The value of a run for all items comes as the call's attachment (binary, not JSON text).
      const first = result.results?.[0];
      if (first?.attached === true) first.value = response.attachment;
    } catch (error) {
      const base = error instanceof BudflowError ? error : undefined;
      throw new NodeError(`${message(error)}`, {
        code: base?.code,
        nodeName: ctx.node.name,
        retryable: false,
        details: { ...(base?.details ?? {}) },
        cause: error,
      });
    }
    const meta = (result.meta === undefined ? {} : decodeSandboxJson(result.meta)) as HandlerMeta;
    replaceContents(ctx.getStaticData('global'), meta.staticData?.global);
    replaceContents(ctx.getStaticData('node'), meta.staticData?.node);
    if (meta.customData) {
      for (const [key, value] of Object.entries(meta.customData)) {
        if (!isUnsafeKey(key)) ctx.execution.customData[key] = String(value);
      }
    }
    const fail = (error: ScriptError) =>
      new NodeError(formatScriptError(error), {
        code: 'CODE_ERROR',
        nodeName: ctx.node.name,
        itemIndex: error.itemIndex,
        description: error.description,
        retryable: false,
        details: { line: error.line ?? null, errorName: error.name },
      });
    if (!result.ok) {
      const error = fail(result.error!);
      if (!ctx.continueOnFail) throw error;
      return [[{ json: { error: error.message } }]];
    }
    const results = result.results ?? [];
    const guard = <T>(itemIndex: number | undefined, f: () => T): T | Item => {
      try {
        return f();
      } catch (error) {
        if (!ctx.continueOnFail) {
          if (error instanceof NodeError) error.nodeName = ctx.node.name;
          throw error;
        }
        return {
          json: { error: message(error) },
          ...(itemIndex === undefined ? {} : { pairedItem: { item: itemIndex } }),
        };
      }
    };
    switch (mode) {
      case 'all': {
        const out = guard(undefined, () => normaliseAllItems(results[0]?.value));
        return [pairWithInput(Array.isArray(out) ? out : [out], ctx.inputs)];
      }
      case 'function': {
        const out = guard(undefined, () => normaliseFunctionResult(results[0]?.value));
        return [pairWithInput(Array.isArray(out) ? out : [out], ctx.inputs)];
      }
      case 'each':
      case 'functionItem': {
        const out: Item[] = [];
        results.forEach((entry, i) => {
          if (entry.error) {
            out.push({ json: { error: formatScriptError(entry.error) }, pairedItem: { item: i } });
            return;
          }
          const item =
            mode === 'each'
              ? guard(i, () => normaliseEachItem(entry.value, i))
              : guard(i, () => functionItemResult(entry.value, entry.binary, i));
          if (item) out.push(item);
        });
        return [out];
      }
    }
  }

  const codeNode = defineNode<CodeParams>({
    type: 'budflow.code',
    version: 1,
    title: 'Code',
    description: 'Run custom JavaScript code',
    category: 'transform',
    compat: { n8n: { type: 'n8n-nodes-base.code', versions: [1, 2] } },
    params: codeParams,
    paramItems: 'first',
    async execute(ctx) {
      const p = ctx.params(0);
      if (p.language !== 'javaScript') {
        throw new NodeError("Python is not supported by BudFlow's Code node; use JavaScript", {
          nodeName: ctx.node.name,
          retryable: false,
        });
      }
      return run(ctx, p.jsCode, p.mode === 'runOnceForEachItem' ? 'each' : 'all');
    },
  });

  const functionNode = defineNode<z.output<ReturnType<typeof functionParams>>>({
    type: 'budflow.function',
    version: 1,
    title: 'Function',
    description: 'Run custom function code which gets executed once (legacy)',
    category: 'transform',
    compat: { n8n: { type: 'n8n-nodes-base.function', versions: [1] } },
    params: functionParams,
    paramItems: 'first',
    execute: (ctx) => run(ctx, ctx.params(0).functionCode, 'function'),
  });

  const functionItemNode = defineNode<z.output<ReturnType<typeof functionItemParams>>>({
    type: 'budflow.functionItem',
    version: 1,
    title: 'Function Item',
    description: 'Run custom function code which gets executed once per item (legacy)',
    category: 'transform',
    compat: { n8n: { type: 'n8n-nodes-base.functionItem', versions: [1] } },
    params: functionItemParams,
    paramItems: 'first',
    execute: (ctx) => run(ctx, ctx.params(0).functionCode, 'functionItem'),
  });

  return {
    codeNode,
    functionNode,
    functionItemNode,
    async close() {
      await own?.close();
      own = undefined;
    },
  } satisfies Record<string, NodeDefinition | (() => Promise<void>)>;
}

/**
 * The legacy Function node's result, normalised as n8n's `normalizeItems` does: a single object
 * becomes one item, plain objects are wrapped into `{ json }`, then every item is checked.
 */
export function normaliseFunctionResult(result: unknown): Item[] {
  if (result === undefined || result === null) {
    throw outputError(
      'No data got returned. Always return an Array of items!',
      'Return the `items` array.',
    );
  }
  let list: unknown[];
  if (isJsonObject(result)) list = result.json === undefined ? [{ json: result }] : [result];
  else if (Array.isArray(result)) {
    const withJson = result.filter((v) => isJsonObject(v) && 'json' in v).length;
    if (withJson > 0 && withJson < result.length) {
      throw outputError(
        'Inconsistent item format',
        'Return either items (`{ json }`) or plain objects, not both.',
      );
    }
    list = withJson > 0 ? result : result.map((json) => ({ json }));
  } else {
    throw outputError('Always an Array of items has to be returned!', 'Return the `items` array.');
  }
  return list.map((value, index) => {
    if (!isJsonObject(value) || value.json === undefined) {
      throw outputError(
        'All returned items have to contain a property named "json"!',
        'Return items like `{ json: { ... } }`.',
        index,
      );
    }
    if (!isJsonObject(value.json)) {
      throw outputError(
        'The json-property has to be an object!',
        'Return items like `{ json: { ... } }`.',
        index,
      );
    }
    checkItemShape(value, index);
    return toItem(value, true);
  });
}

function functionItemResult(value: unknown, binary: unknown, itemIndex: number): Item {
  if (!isJsonObject(value)) {
    throw outputError(
      'No data got returned. Always an object has to be returned!',
      'Return the `item` object.',
      itemIndex,
    );
  }
  const item: Item = { json: value, pairedItem: { item: itemIndex } };
  if (isJsonObject(binary)) item.binary = binary as unknown as Record<string, BinaryRef>;
  return item;
}
