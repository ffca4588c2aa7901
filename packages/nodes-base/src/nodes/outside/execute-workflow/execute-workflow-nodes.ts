import { z } from 'zod';
import {
  BudflowError,
  defineNode,
  isJsonObject,
  NodeError,
  type ExecuteContext,
  type ExecuteWorkflowRequest,
  type Item,
  type JsonObject,
  type JsonValue,
  type NodeDefinition,
} from '@budflow/node-sdk';
import { createHttpClient, type HttpClient } from '../internal/http-client.js';
import { bool, isUnsafeKey, str } from '../internal/params.js';
import { lazySchema } from '../../../shared/index.js';

const resourceLocator = lazySchema(() =>
  z.union([
    z.string(),
    z.number().transform(String),
    z.looseObject({ value: z.unknown().optional(), mode: z.string().optional() }),
  ]),
);

const executeWorkflowParams = () =>
  z.object({
    source: z.enum(['database', 'localFile', 'parameter', 'url']).default('database'),
    workflowId: resourceLocator().default(''),
    workflowPath: str(),
    workflowJson: z.unknown().default('\n\n\n'),
    workflowUrl: str(),
    mode: z.enum(['once', 'each']).default('once'),
    workflowInputs: z
      .looseObject({
        mappingMode: z.string().optional(),
        value: z.record(z.string(), z.unknown()).nullable().optional(),
      })
      .optional(),
    options: z.object({ waitForSubWorkflow: bool(true).optional() }).default({}),
  });
type ExecuteWorkflowParams = z.output<ReturnType<typeof executeWorkflowParams>>;

export interface ExecuteWorkflowNodeOptions {
  /** Client for the `url` source (SSRF-guarded); default: a guarded client. */
  http?: HttpClient;
}

function workflowIdOf(value: ExecuteWorkflowParams['workflowId']): string {
  if (typeof value === 'string') return value;
  const inner = value.value;
  if (typeof inner === 'string' || typeof inner === 'number') return String(inner);
  return '';
}

/** The items sent to the sub-workflow for one input item, with the input mapping applied. */
function mapInput(item: Item, params: ExecuteWorkflowParams): Item {
  const mapping = params.workflowInputs;
  if (!mapping || mapping.mappingMode !== 'defineBelow' || !mapping.value) {
    return { json: item.json, ...(item.binary ? { binary: item.binary } : {}) };
  }
  const json: JsonObject = {};
  for (const [key, value] of Object.entries(mapping.value)) {
    if (!isUnsafeKey(key)) json[key] = (value ?? null) as JsonValue;
  }
  return { json, ...(item.binary ? { binary: item.binary } : {}) };
}

/** Execute Workflow (Execute Sub-workflow): runs another workflow with this node's items. */
export function createExecuteWorkflowNode(
  options: ExecuteWorkflowNodeOptions = {},
): NodeDefinition {
  let client: HttpClient | undefined = options.http;

  async function sourceOf(
    ctx: ExecuteContext<ExecuteWorkflowParams>,
    p: ExecuteWorkflowParams,
    itemIndex: number,
  ): Promise<ExecuteWorkflowRequest['source']> {
    const fail = (message: string) =>
      new NodeError(message, { nodeName: ctx.node.name, itemIndex, retryable: false });
    switch (p.source) {
      case 'database': {
        const id = workflowIdOf(p.workflowId);
        if (!id) throw fail('No workflow to execute: set the workflow ID');
        return { type: 'id', id };
      }
      case 'localFile':
        if (!p.workflowPath) throw fail('No workflow to execute: set the workflow file path');
        return { type: 'file', path: p.workflowPath };
      case 'parameter': {
        let workflow: unknown = p.workflowJson;
        if (typeof workflow === 'string') {
          try {
            workflow = JSON.parse(workflow);
          } catch {
            throw fail("The 'Workflow JSON' parameter is not valid JSON");
          }
        }
        if (!isJsonObject(workflow))
          throw fail("The 'Workflow JSON' parameter must be a workflow object");
        return { type: 'json', workflow };
      }
      case 'url': {
        client ??= createHttpClient();
        const response = await client.request({
          url: p.workflowUrl,
          signal: ctx.signal,
          timeoutMs: 60_000,
        });
        if (response.status < 200 || response.status >= 300) {
          throw fail(
            `Could not load the workflow from ${p.workflowUrl}: status ${response.status}`,
          );
        }
        try {
          const workflow = JSON.parse(response.body.toString('utf8')) as unknown;
          if (!isJsonObject(workflow)) throw new Error('not an object');
          return { type: 'json', workflow };
        } catch {
          throw fail(`The workflow loaded from ${p.workflowUrl} is not valid JSON`);
        }
      }
    }
  }

  const childError = (
    ctx: ExecuteContext<ExecuteWorkflowParams>,
    error: unknown,
    itemIndex: number,
    source: ExecuteWorkflowRequest['source'],
  ) => {
    const details = error instanceof BudflowError ? error.details : {};
    const executionId = details.executionId ?? details.subExecutionId;
    const message = error instanceof Error ? error.message : String(error);
    return new NodeError(message, {
      nodeName: ctx.node.name,
      itemIndex,
      code: error instanceof BudflowError ? error.code : undefined,
      retryable: false,
      cause: error,
      details: {
        ...details,
        subExecution: {
          executionId: typeof executionId === 'string' ? executionId : null,
          workflowId: source.type === 'id' ? source.id : null,
        },
      },
    });
  };

  return defineNode<ExecuteWorkflowParams>({
    type: 'budflow.executeWorkflow',
    version: 1,
    title: 'Execute Workflow',
    description: 'Execute another workflow',
    category: 'flow',
    compat: { n8n: { type: 'n8n-nodes-base.executeWorkflow', versions: [1, 1.1, 1.2, 1.3] } },
    params: executeWorkflowParams,
    sideEffects: true,
    async execute(ctx) {
      const first = ctx.params(0);
      const wait = first.options.waitForSubWorkflow ?? true;
      if (first.mode === 'each') {
        const out: Item[] = [];
        for (let i = 0; i < ctx.items.length; i++) {
          const p = ctx.params(i);
          let source: ExecuteWorkflowRequest['source'] | undefined;
          try {
            source = await sourceOf(ctx, p, i);
            const result = await ctx.executeWorkflow({
              source,
              items: [mapInput(ctx.items[i]!, p)],
              wait,
            });
            if (!wait) out.push({ ...ctx.items[i]!, pairedItem: { item: i } });
            else
              for (const item of result.data?.[0] ?? [])
                out.push({ ...item, pairedItem: { item: i } });
          } catch (error) {
            const wrapped = source ? childError(ctx, error, i, source) : error;
            if (!ctx.continueOnFail) throw wrapped;
            out.push({
              json: { error: wrapped instanceof Error ? wrapped.message : String(wrapped) },
              pairedItem: { item: i },
            });
          }
        }
        return [out];
      }
      const source = await sourceOf(ctx, first, 0);
      const items = ctx.items.map((item, i) => mapInput(item, i === 0 ? first : ctx.params(i)));
      let result;
      try {
        result = await ctx.executeWorkflow({ source, items, wait });
      } catch (error) {
        const wrapped = childError(ctx, error, 0, source);
        if (!ctx.continueOnFail) throw wrapped;
        return [[{ json: { error: wrapped.message }, pairedItem: { item: 0 } }]];
      }
      if (!wait) return [ctx.items];
      const output = result.data?.[0] ?? [];
      const allInputs = ctx.items.map((_, i) => ({ item: i }));
      return [
        output.map((item, i) => ({
          ...item,
          pairedItem: output.length === ctx.items.length ? { item: i } : allInputs,
        })),
      ];
    },
  });
}

export const executeWorkflowNode = createExecuteWorkflowNode();

// v1.1 defaults to declared inputs (exports omit defaults, so the default matters); v1 passes through.
const triggerParams = (typeVersion: number) =>
  z.object({
    inputSource: z
      .enum(['workflowInputs', 'jsonExample', 'passthrough'])
      .default(typeVersion >= 1.1 ? 'workflowInputs' : 'passthrough'),
    workflowInputs: z
      .object({
        values: z
          .array(
            z.object({
              name: str(),
              type: z
                .enum(['any', 'string', 'number', 'boolean', 'array', 'object'])
                .default('any'),
            }),
          )
          .default([]),
      })
      .partial()
      .default({}),
    jsonExample: z.unknown().default(''),
  });
type TriggerParams = z.output<ReturnType<typeof triggerParams>>;

function convert(value: JsonValue | undefined, type: string, name: string): JsonValue {
  if (value === undefined || value === null) return null;
  const bad = () =>
    new NodeError(`Input '${name}' must be of type ${type}, got ${JSON.stringify(value)}`, {
      retryable: false,
    });
  switch (type) {
    case 'string':
      return typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    case 'number': {
      const n = typeof value === 'number' ? value : Number(value);
      if (typeof value === 'boolean' || !Number.isFinite(n)) throw bad();
      return n;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad();
    case 'array':
      if (Array.isArray(value)) return value;
      throw bad();
    case 'object':
      if (isJsonObject(value)) return value;
      throw bad();
    default:
      return value;
  }
}

/**
 * Execute Workflow Trigger: the start of a sub-workflow. It receives the parent's items and, when
 * inputs are declared (v1.1), keeps only those fields, converted to their types.
 */
export const executeWorkflowTriggerNode = defineNode<TriggerParams>({
  type: 'budflow.executeWorkflowTrigger',
  version: 1,
  title: 'Execute Workflow Trigger',
  description: 'Helpers for calling other workflows',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.executeWorkflowTrigger', versions: [1, 1.1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: (typeVersion) => triggerParams(typeVersion),
  paramItems: 'first',
  // No `trigger`: like n8n, it is a starting node by type and runs `execute` in every mode.
  execute(ctx) {
    const p = ctx.params(0);
    let fields: Array<{ name: string; type: string }> | undefined;
    if (ctx.typeVersion >= 1.1 && p.inputSource === 'workflowInputs') {
      fields = (p.workflowInputs.values ?? []).filter((f) => f.name !== '' && !isUnsafeKey(f.name));
    } else if (ctx.typeVersion >= 1.1 && p.inputSource === 'jsonExample') {
      const example: unknown =
        typeof p.jsonExample === 'string' && p.jsonExample.trim() !== ''
          ? JSON.parse(p.jsonExample)
          : p.jsonExample;
      fields = isJsonObject(example)
        ? Object.keys(example)
            .filter((k) => !isUnsafeKey(k))
            .map((name) => ({ name, type: 'any' }))
        : [];
    }
    if (!fields) return [ctx.items];
    const list = fields;
    return [
      ctx.items.map((item, i) => {
        const json: JsonObject = {};
        for (const { name, type } of list) {
          try {
            json[name] = convert(item.json[name], type, name);
          } catch (error) {
            if (error instanceof NodeError) {
              error.nodeName = ctx.node.name;
              error.itemIndex = i;
            }
            throw error;
          }
        }
        return { json, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: i } };
      }),
    ];
  },
});
