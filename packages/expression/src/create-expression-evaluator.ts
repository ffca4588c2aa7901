import { DateTime } from 'luxon';
import {
  ERROR_CODES,
  ExpressionError,
  isExpression,
  type ExpressionEvaluator,
  type ExpressionScope,
  type Item,
  type JsonValue,
  type ParameterPath,
  type ResolvedParameterValues,
} from '@budflow/node-sdk';
import {
  createSandbox,
  type ConsoleEntry,
  type Sandbox,
  type SandboxLimits,
} from '@budflow/sandbox';
import {
  compileScript,
  compileTemplate,
  type CompiledTemplate,
  type TemplateUsage,
} from './compile/compile-template.js';
import { expressionPrelude } from './runtime/expression-prelude.js';
import { currentSources, resolveLineage } from './scope/lineage.js';
import { compileFastPath, FAST_BAIL, type FastEvaluator } from './fast-path/fast-path.js';

/** How a script runs: once with all items, or once per item (n8n's Code node modes). */
export interface RunCodeOptions {
  mode?: 'runOnceForAllItems' | 'runOnceForEachItem';
  /** Items to run for in `runOnceForEachItem` mode (default: all input items). */
  itemIndices?: number[];
  timeoutMs?: number;
}

export interface RunCodeResult {
  /** What the script returned (JSON copy; one entry per item in `runOnceForEachItem` mode). */
  value: unknown;
  console: ConsoleEntry[];
}

/** The evaluator, plus a script runner over the same environment, for the Code node. */
export interface BudflowExpressionEvaluator extends ExpressionEvaluator {
  /**
   * Runs a script body (statements, `return`, `await`) with n8n's variables (`$input`, `$json`,
   * `$('Node')`, `items`, `item`, `$execution`, `DateTime`...) and extension methods. Script errors
   * reject with a `SandboxError` carrying the script's message and line.
   */
  runCode(code: string, scope: ExpressionScope, options?: RunCodeOptions): Promise<RunCodeResult>;
  resolveParameterValues(
    value: JsonValue,
    scope: ExpressionScope,
    itemIndices: readonly number[],
  ): Promise<ResolvedParameterValues>;
  close(): Promise<void>;
}

export interface ExpressionEvaluatorOptions {
  /** Use an existing sandbox (its prelude must be `expressionPrelude()`); it is not closed by `close()`. */
  sandbox?: Sandbox;
  /** Limits of the sandbox the evaluator creates. Default: 256 MiB, 10 s per batch. */
  limits?: Partial<SandboxLimits>;
  /** `worker` (default) or `inline` for the sandbox the evaluator creates. */
  isolation?: 'worker' | 'inline';
  /** Worker threads of the sandbox the evaluator creates (default 1). */
  poolSize?: number;
  /** Rebuild sandbox contexts after this many calls (default: never); see `@budflow/sandbox`. */
  recycleAfterCalls?: number;
  /** Evaluate the provably safe subset on the host (default true). */
  fastPath?: boolean;
  /** The clock behind `$now`/`$today` (default `Date.now`). */
  now?: () => number;
  /** Distinct templates kept compiled (default 5000). */
  cacheSize?: number;
  /** Most items sent to the sandbox in one call (default 20,000); larger lists go in several calls. */
  batchItems?: number;
}

interface Slot {
  /** Path of the string inside the parameter value, for error messages. */
  path: string;
  template: CompiledTemplate;
  fast: FastEvaluator | undefined;
}

interface Plan {
  paths: ParameterPath[];
  slots: Slot[];
  /** Rebuilds an object or array value around the results; undefined for a lone template. */
  build: Builder | undefined;
}

interface Task {
  slot: number;
  itemIndex: number;
  result?: unknown;
  error?: ExpressionError;
}

const TAG = '\u0000';

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === ''
    ? key
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${parent}.${key}`
      : `${parent}[${JSON.stringify(key)}]`;
}

interface Found {
  /** Where the template sits, as written in error messages (`assignments.assignments[0].value`). */
  path: string;
  /** The same place as keys and indices. */
  keys: ParameterPath;
  template: string;
}

function collect(value: unknown, path: string, keys: Array<string | number>, out: Found[]): void {
  if (isExpression(value)) out.push({ path, keys: [...keys], template: value.slice(1) });
  else if (Array.isArray(value))
    value.forEach((v, i) => {
      keys.push(i);
      collect(v, pathOf(path, i), keys, out);
      keys.pop();
    });
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      keys.push(k);
      collect(v, pathOf(path, k), keys, out);
      keys.pop();
    }
}

type Builder = (results: unknown[], base: number) => unknown;

/**
 * Compiles the shape of a parameter value into a function that rebuilds it (fresh objects) with the
 * i-th expression string replaced by `results[base + i]`, in collection order.
 */
function makeBuilder(value: unknown): Builder {
  let counter = 0;
  const comp = (v: unknown): Builder => {
    if (isExpression(v)) {
      const idx = counter++;
      return (r, b) => toParameterValue(r[b + idx]);
    }
    if (Array.isArray(v)) {
      const fns = v.map(comp);
      return (r, b) => fns.map((f) => f(r, b));
    }
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v);
      const fns = keys.map((k) => comp((v as Record<string, unknown>)[k]));
      const unsafe = keys.includes('__proto__');
      return (r, b) => {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < keys.length; i++) {
          if (unsafe && keys[i] === '__proto__')
            Object.defineProperty(o, '__proto__', {
              value: fns[i]!(r, b),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else o[keys[i]!] = fns[i]!(r, b);
        }
        return o;
      };
    }
    return () => v;
  };
  return comp(value);
}

function isDateLike(value: unknown): value is DateTime | Date {
  return value instanceof Date || DateTime.isDateTime(value);
}

function containsDates(value: unknown, depth = 0): boolean {
  if (isDateLike(value)) return true;
  if (value === null || typeof value !== 'object' || depth > 100) return false;
  for (const v of Array.isArray(value) ? value : Object.values(value))
    if (v !== null && typeof v === 'object' && containsDates(v, depth + 1)) return true;
  return false;
}

function datesToIso(value: unknown): unknown {
  if (DateTime.isDateTime(value)) return value.isValid ? value.toISO() : null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.map(datesToIso);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: datesToIso(v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[k] = datesToIso(v);
    }
    return out;
  }
  return value;
}

/** Values handed to nodes are JSON-like: DateTime and Date (also nested) become ISO strings. */
function toParameterValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  return containsDates(value) ? datesToIso(value) : value;
}

function decodeTag(tagged: Record<string, unknown>): unknown {
  const data = tagged.d as Record<string, unknown>;
  switch (tagged[TAG]) {
    case 'undefined':
      return undefined;
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case 'Date':
      return new Date(tagged.d as number);
    case 'bigint':
      return BigInt(tagged.d as string);
    case 'object':
      return tagged.d;
    case 'DateTime':
      if (data.invalid) return DateTime.invalid(String(data.reason ?? 'invalid'));
      return DateTime.fromISO(String(data.iso), { setZone: true }).setZone(String(data.zone), {
        keepLocalTime: false,
      });
    default:
      return tagged;
  }
}

function decodeBatch(text: string): {
  results?: unknown[];
  columns?: unknown[][];
  missing?: string[];
  items?: Record<string, unknown>;
  customData?: Record<string, string>;
} {
  if (!text.includes('\\u0000')) return JSON.parse(text);
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && TAG in v
      ? (v as Record<string, unknown>)[TAG] === 'error' ||
        (v as Record<string, unknown>)[TAG] === 'retry'
        ? v
        : decodeTag(v)
      : v,
  );
}

function project(json: Item['json'], keys: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.prototype.hasOwnProperty.call(json, k)) out[k] = json[k];
  return out;
}

/**
 * Creates the n8n-compatible expression evaluator: templates compile once (cache), a node's items are
 * evaluated in one sandbox call, and a provably safe subset runs on the host.
 */
export function createExpressionEvaluator(
  options: ExpressionEvaluatorOptions = {},
): BudflowExpressionEvaluator {
  const cache = new Map<string, { compiled: CompiledTemplate; fast: FastEvaluator | undefined }>();
  const cacheSize = options.cacheSize ?? 5000;
  const useFast = options.fastPath !== false;
  const batchItems = Math.max(1, options.batchItems ?? 20_000);
  const now = options.now ?? Date.now;
  let ownSandbox: Sandbox | undefined;
  const sandbox = (): Sandbox =>
    options.sandbox ??
    (ownSandbox ??= createSandbox({
      prelude: expressionPrelude(),
      isolation: options.isolation,
      poolSize: options.poolSize,
      recycleAfterCalls: options.recycleAfterCalls,
      limits: { memoryBytes: 256 * 1024 * 1024, timeoutMs: 10_000, ...options.limits },
    }));

  function compiled(template: string): {
    compiled: CompiledTemplate;
    fast: FastEvaluator | undefined;
  } {
    let entry = cache.get(template);
    if (!entry) {
      const c = compileTemplate(template);
      entry = { compiled: c, fast: useFast && !c.error ? compileFastPath(c) : undefined };
      if (cache.size >= cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(template, entry);
    }
    return entry;
  }

  function contextError(
    error: { message: string; description?: string; name?: string },
    scope: ExpressionScope,
    path: string,
    itemIndex: number,
    template: string,
    code: string = ERROR_CODES.EXPRESSION_ERROR,
    position?: { start: number; end: number },
  ): ExpressionError {
    const where = `node '${scope.nodeName}'${path ? `, parameter '${path}'` : ''}, item ${itemIndex}`;
    return new ExpressionError(`${error.message} [${where}]`, {
      code,
      position,
      details: {
        n8nMessage: error.message,
        ...(error.description === undefined ? {} : { description: error.description }),
        ...(error.name === undefined ? {} : { errorName: error.name }),
        nodeName: scope.nodeName,
        parameter: path,
        itemIndex,
        expression: `=${template}`,
      },
    });
  }

  /** The data a sandbox call needs from the scope, given what the code reads. */
  function scopePayload(
    usages: TemplateUsage[],
    scope: ExpressionScope,
    itemSet: Set<number>,
  ): Record<string, unknown> {
    let jsonKeys: Set<string> | 'all' = new Set();
    let needsInputs = false;
    let dynamicNodes = false;
    const nodes = new Set<string>();
    const lineageNodes = new Set<string>();
    const fullNodes = new Set<string>();
    const pairedKeys = new Map<string, Set<string> | 'all'>();
    for (const u of usages) {
      for (const n of u.fullNodes) fullNodes.add(n);
      for (const [n, keys] of u.pairedKeys) {
        const known = pairedKeys.get(n);
        if (keys === 'all' || known === 'all') pairedKeys.set(n, 'all');
        else pairedKeys.set(n, new Set([...(known ?? []), ...keys]));
      }
      if (u.jsonKeys === 'all' || jsonKeys === 'all') jsonKeys = 'all';
      else for (const k of u.jsonKeys) jsonKeys.add(k);
      needsInputs ||= u.needsInputs;
      dynamicNodes ||= u.dynamicNodes;
      for (const n of u.nodes) nodes.add(n);
      for (const n of u.lineageNodes) lineageNodes.add(n);
    }
    const allItems = needsInputs || dynamicNodes;
    // Only $json keys are read: ship the projected json objects alone (fewer objects to parse).
    const jsonOnly = jsonKeys !== 'all' && !needsInputs && !dynamicNodes;
    const items: Array<Record<string, unknown> | null> = [];
    for (let i = 0; i < scope.items.length; i++) {
      const item = scope.items[i]!;
      if (!allItems && !itemSet.has(i)) {
        items.push(null);
        continue;
      }
      if (jsonOnly) {
        items.push(project(item.json, jsonKeys as Set<string>));
        continue;
      }
      if (jsonKeys !== 'all') {
        items.push({ json: project(item.json, jsonKeys) });
        continue;
      }
      const entry: Record<string, unknown> = { json: item.json };
      if (item.binary) entry.binary = item.binary;
      if (item.pairedItem !== undefined) entry.pairedItem = item.pairedItem;
      items.push(entry);
    }
    const nodeNames = dynamicNodes ? Object.keys(scope.runData) : [...nodes];
    const sources = currentSources(scope);
    const nodesPayload: Record<string, unknown> = {};
    const lineageIndices = allItems ? scope.items.map((_, i) => i) : [...itemSet];
    for (const name of nodeNames) {
      const runs = scope.runData[name];
      if (!runs && !scope.workflow.hasNode(name)) continue;
      const defaultOutput = scope.previousNode?.name === name ? scope.previousNode.outputIndex : 0;
      const full = dynamicNodes || fullNodes.has(name);
      const copy = (it: Item) => ({ json: it.json, ...(it.binary ? { binary: it.binary } : {}) });
      const entry: Record<string, unknown> = {
        executed: (runs?.length ?? 0) > 0,
        params: scope.workflow.nodeParameters(name) ?? {},
        defaultOutput,
      };
      // n8n's `$node["Name"].context`: the node's per-execution context (Loop Over Items state).
      const nodeContext = scope.nodeContext?.(name);
      if (nodeContext && Object.keys(nodeContext).length > 0) entry.context = nodeContext;
      // Only paired items are read: ship those items, not the node's whole output.
      if (full)
        entry.runs = (runs ?? []).map((task) =>
          (task.data?.main ?? []).map((out) => (out ?? []).map(copy)),
        );
      if (dynamicNodes || lineageNodes.has(name)) {
        const lineage: unknown[] = new Array<unknown>(scope.items.length).fill(null);
        for (const i of lineageIndices) {
          const target = resolveLineage(scope, name, i, sources);
          if (full || !Array.isArray(target)) lineage[i] = target;
          else {
            const it = runs?.[target[0]]?.data?.main?.[target[1]]?.[target[2]];
            const keys = pairedKeys.get(name) ?? 'all';
            lineage[i] = !it
              ? null
              : keys === 'all'
                ? { i: copy(it) }
                : { i: { json: project(it.json, keys) } };
          }
        }
        entry.lineage = lineage;
      }
      nodesPayload[name] = entry;
    }
    const payload: Record<string, unknown> = {
      ...(jsonOnly ? { jsons: items } : { items }),
      nodes: nodesPayload,
      templates: {},
      ctx: {
        runIndex: scope.runIndex,
        nodeVersion: scope.nodeTypeVersion,
        timezone: scope.workflow.timezone || 'UTC',
        nowMs: now(),
        execution: scope.execution,
        workflow: {
          id: scope.workflow.id,
          name: scope.workflow.name,
          active: scope.workflow.active,
        },
        vars: scope.vars,
        secrets: scope.secrets ?? {},
        env: scope.env ?? null,
        parameter: scope.nodeParameters,
        prevNode: scope.previousNode
          ? {
              name: scope.previousNode.name,
              outputIndex: scope.previousNode.outputIndex,
              runIndex: scope.previousNode.runIndex,
            }
          : undefined,
        additional: scope.additionalKeys ?? {},
      },
    };
    if (needsInputs && scope.inputs.length > 1)
      payload.inputs = scope.inputs.map((input) =>
        input.map((it) => ({ json: it.json, ...(it.binary ? { binary: it.binary } : {}) })),
      );
    return payload;
  }

  async function runBatch(slots: Slot[], tasks: Task[], scope: ExpressionScope): Promise<void> {
    const usedSlots = [...new Set(tasks.map((t) => t.slot))];
    const usages = usedSlots.map((s) => slots[s]!.template.usage);
    const itemSet = new Set(tasks.map((t) => t.itemIndex));
    const payload = scopePayload(usages, scope, itemSet);
    payload.exprs = slots.map((s) => ({
      body: s.template.body,
      valueExpr: s.template.valueExpr,
      params: s.template.params,
    }));
    const mutating = usages.some((u) => u.mutates);
    if (mutating) payload.mutating = [...itemSet];

    let pending = tasks;
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      // Without mutation, order between expressions does not matter: one loop per expression.
      let columnOf: Array<[number, number]> = [];
      if (mutating) {
        delete payload.columns;
        payload.tasks = pending.flatMap((t) => [t.slot, t.itemIndex]);
      } else {
        const bySlot = new Map<number, number[]>();
        columnOf = pending.map((t) => {
          let idx = bySlot.get(t.slot);
          if (!idx) bySlot.set(t.slot, (idx = []));
          idx.push(t.itemIndex);
          return [t.slot, idx.length - 1];
        });
        const slotsInOrder = [...bySlot.keys()];
        const colIndex = new Map(slotsInOrder.map((s, c) => [s, c]));
        columnOf = columnOf.map(([s, k]) => [colIndex.get(s)!, k]);
        payload.columns = slotsInOrder.map((s) => ({ e: s, idx: bySlot.get(s)! }));
      }
      let text: string;
      try {
        text = (await sandbox().call<string>('n8n.evaluate', payload, { raw: true })).value;
      } catch (error) {
        const e = error as { code?: string; message?: string };
        for (const t of pending)
          t.error = contextError(
            { message: e.message ?? String(error) },
            scope,
            slots[t.slot]!.path,
            t.itemIndex,
            slots[t.slot]!.template.template,
            e.code ?? ERROR_CODES.EXPRESSION_ERROR,
          );
        return;
      }
      const res = decodeBatch(text);
      const retry: Task[] = [];
      pending.forEach((t, i) => {
        const r = res.columns ? res.columns[columnOf[i]![0]]![columnOf[i]![1]] : res.results![i];
        if (r !== null && typeof r === 'object' && !Array.isArray(r) && TAG in r) {
          const tag = (r as Record<string, unknown>)[TAG];
          if (tag === 'retry') {
            retry.push(t);
            return;
          }
          if (tag === 'error') {
            const d = (
              r as unknown as { d: { message: string; description?: string; name?: string } }
            ).d;
            t.error = contextError(
              d,
              scope,
              slots[t.slot]!.path,
              t.itemIndex,
              slots[t.slot]!.template.template,
            );
            return;
          }
        }
        t.result = r;
      });
      if (res.customData) Object.assign(scope.execution.customData, res.customData);
      if (res.items) {
        // n8n lets expressions mutate the item they read ($json.x = 1, sort()); keep that visible.
        for (const [idx, json] of Object.entries(res.items)) {
          const target = scope.items[Number(idx)]?.json;
          if (!target || json === null || typeof json !== 'object') continue;
          for (const k of Object.keys(target)) delete target[k];
          Object.assign(target, json);
        }
      }
      const templates = payload.templates as Record<string, unknown>;
      for (const t of res.missing ?? []) {
        const c = compiled(t.startsWith('=') ? t.slice(1) : t).compiled;
        templates[t] = c.error ? { error: c.error.message } : { body: c.body, params: c.params };
      }
      pending = retry;
    }
    for (const t of pending)
      t.error = contextError(
        { message: '$evaluateExpression nested too deeply' },
        scope,
        slots[t.slot]!.path,
        t.itemIndex,
        slots[t.slot]!.template.template,
      );
  }

  async function evaluateSlots(
    slots: Slot[],
    scope: ExpressionScope,
    itemIndices: readonly number[],
  ): Promise<{ results: unknown[]; errors: Array<ExpressionError | undefined> }> {
    const width = slots.length;
    const results = new Array<unknown>(itemIndices.length * width);
    const errors = new Array<ExpressionError | undefined>(itemIndices.length * width);
    const mutating = slots.some((s) => s.template.usage.mutates);
    const sandboxTasks: Task[] = [];
    const sandboxPositions: number[] = [];
    for (let n = 0; n < itemIndices.length; n++) {
      const itemIndex = itemIndices[n]!;
      for (let s = 0; s < width; s++) {
        const slot = slots[s]!;
        const at = n * width + s;
        if (slot.template.error) {
          const e = slot.template.error;
          errors[at] = contextError(
            e,
            scope,
            slot.path,
            itemIndex,
            slot.template.template,
            e.code,
            e.position,
          );
          continue;
        }
        if (slot.fast && !mutating) {
          const v = slot.fast(scope, itemIndex);
          if (v !== FAST_BAIL) {
            results[at] = v;
            continue;
          }
        }
        sandboxTasks.push({ slot: s, itemIndex });
        sandboxPositions.push(at);
      }
    }
    if (sandboxTasks.length > 0) {
      // Bounded batches keep the sandbox's memory bounded for very large item lists.
      let chunk: Task[] = [];
      let items = new Set<number>();
      for (const task of sandboxTasks) {
        if (!items.has(task.itemIndex) && items.size >= batchItems) {
          await runBatch(slots, chunk, scope);
          chunk = [];
          items = new Set();
        }
        items.add(task.itemIndex);
        chunk.push(task);
      }
      if (chunk.length > 0) await runBatch(slots, chunk, scope);
      for (let k = 0; k < sandboxTasks.length; k++) {
        const task = sandboxTasks[k]!;
        const at = sandboxPositions[k]!;
        if (task.error) errors[at] = task.error;
        else results[at] = task.result;
      }
    }
    return { results, errors };
  }

  // Where the templates of a parameter value sit, and how to rebuild it: once per parameter
  // object (node parameters are not mutated while a workflow is loaded).
  const plans = new WeakMap<object, Plan>();
  function planOf(value: JsonValue): Plan {
    const cached = value !== null && typeof value === 'object' ? plans.get(value) : undefined;
    if (cached) return cached;
    const found: Found[] = [];
    collect(value, '', [], found);
    const plan: Plan = {
      paths: found.map((f) => f.keys),
      slots: found.map((f) => {
        const entry = compiled(f.template);
        return { path: f.path, template: entry.compiled, fast: entry.fast };
      }),
      build: found.length > 0 && typeof value === 'object' ? makeBuilder(value) : undefined,
    };
    if (value !== null && typeof value === 'object') plans.set(value, plan);
    return plan;
  }

  return {
    async resolveParameters(
      value: JsonValue,
      scope: ExpressionScope,
      itemIndices: readonly number[],
    ) {
      const { slots, build } = planOf(value);
      if (slots.length === 0)
        return itemIndices.map(() =>
          value !== null && typeof value === 'object' ? structuredClone(value) : value,
        );
      const { results, errors } = await evaluateSlots(slots, scope, itemIndices);
      const width = slots.length;
      return itemIndices.map((_, n) => {
        const base = n * width;
        for (let s = 0; s < width; s++) if (errors[base + s]) return errors[base + s]!;
        if (!build) return toParameterValue(results[base]) as JsonValue;
        return build(results, base) as JsonValue;
      });
    },

    async resolveParameterValues(
      value: JsonValue,
      scope: ExpressionScope,
      itemIndices: readonly number[],
    ): Promise<ResolvedParameterValues> {
      const { slots, paths } = planOf(value);
      if (slots.length === 0) return { paths, values: itemIndices.map(() => []) };
      const { results, errors } = await evaluateSlots(slots, scope, itemIndices);
      const width = slots.length;
      const values = new Array<JsonValue[] | Error>(itemIndices.length);
      for (let n = 0; n < itemIndices.length; n++) {
        const base = n * width;
        let failed: Error | undefined;
        for (let s = 0; s < width && !failed; s++) failed = errors[base + s];
        if (failed) {
          values[n] = failed;
          continue;
        }
        const row = new Array<JsonValue>(width);
        for (let s = 0; s < width; s++) row[s] = toParameterValue(results[base + s]) as JsonValue;
        values[n] = row;
      }
      return { paths, values };
    },

    async evaluate(template: string, scope: ExpressionScope, itemIndex: number) {
      if (!isExpression(template)) return template;
      const entry = compiled(template.slice(1));
      const { results, errors } = await evaluateSlots(
        [{ path: '', template: entry.compiled, fast: entry.fast }],
        scope,
        [itemIndex],
      );
      if (errors[0]) throw errors[0];
      return results[0];
    },

    async runCode(
      code: string,
      scope: ExpressionScope,
      runOptions: RunCodeOptions = {},
    ): Promise<RunCodeResult> {
      const script = compileScript(code);
      const mode = runOptions.mode ?? 'runOnceForAllItems';
      const indices =
        mode === 'runOnceForEachItem'
          ? (runOptions.itemIndices ?? scope.items.map((_, i) => i))
          : [0];
      const payload = scopePayload([script.usage], scope, new Set(indices));
      Object.assign(payload, {
        code: script.body,
        params: script.params,
        async: script.async,
        mode,
        indices,
      });
      const result = await sandbox().call('n8n.runCode', payload, {
        timeoutMs: runOptions.timeoutMs,
      });
      return { value: result.value, console: result.console };
    },

    async close() {
      cache.clear();
      if (ownSandbox) await ownSandbox.close();
      ownSandbox = undefined;
    },
  };
}
