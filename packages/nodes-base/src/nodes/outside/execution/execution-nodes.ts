import { z } from 'zod';
import { defineNode, type JsonObject } from '@budflow/node-sdk';
import { isUnsafeKey, str } from '../internal/params.js';

/** What the engine passes to an error workflow's Error Trigger (n8n's shape). */
export interface ErrorTriggerData {
  execution?: {
    id?: string;
    url?: string;
    retryOf?: string;
    error: {
      message: string;
      stack?: string;
      name?: string;
      description?: string;
      node?: JsonObject;
    };
    lastNodeExecuted?: string;
    mode: string;
  };
  /** Set instead of `execution` when the trigger itself failed. */
  trigger?: { error: { message: string; name?: string }; mode: string };
  workflow: { id?: string; name?: string };
}

/** Builds the Error Trigger's input item from a failed execution. */
export function errorTriggerItem(data: ErrorTriggerData): JsonObject {
  return structuredClone(data) as unknown as JsonObject;
}

const SAMPLE: ErrorTriggerData = {
  execution: {
    id: '231',
    url: 'https://budflow.example.com/execution/231',
    retryOf: '34',
    error: { message: 'Example Error Message', stack: 'Stacktrace' },
    lastNodeExecuted: 'Node With Error',
    mode: 'manual',
  },
  workflow: { id: '1', name: 'Example Workflow' },
};

/**
 * Error Trigger: starts an error workflow. The engine runs it with `errorTriggerItem(...)` as
 * input, which it passes through; a manual run emits n8n's example data.
 */
export const errorTriggerNode = defineNode({
  type: 'budflow.errorTrigger',
  version: 1,
  title: 'Error Trigger',
  description: 'Triggers the workflow when another workflow has an error',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.errorTrigger', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: z.looseObject({}),
  // No `trigger`: like n8n, a starting node by type whose `execute` runs in every mode.
  execute: (ctx) =>
    ctx.execution.mode === 'manual' && ctx.items.every((i) => Object.keys(i.json).length === 0)
      ? [[{ json: errorTriggerItem(SAMPLE) }]]
      : [ctx.items],
});

const executionDataParams = () =>
  z.object({
    dataToSave: z
      .object({ values: z.array(z.object({ key: str(), value: str() })).default([]) })
      .partial()
      .default({}),
  });
type ExecutionDataParams = z.output<ReturnType<typeof executionDataParams>>;

/** n8n's limits on custom execution data. */
export const CUSTOM_DATA_LIMITS = { keys: 10, keyLength: 50, valueLength: 512 } as const;

/**
 * Execution Data: saves key/value pairs on the execution (`$execution.customData`, filterable in
 * the execution list), per item, and passes its input through.
 */
export const executionDataNode = defineNode<ExecutionDataParams>({
  type: 'budflow.executionData',
  version: 1,
  title: 'Execution Data',
  description: 'Add execution data for search',
  category: 'core',
  compat: { n8n: { type: 'n8n-nodes-base.executionData', versions: [1, 1.1] } },
  params: executionDataParams,
  execute(ctx) {
    const custom = ctx.execution.customData;
    for (let i = 0; i < ctx.items.length; i++) {
      for (const { key, value } of ctx.params(i).dataToSave.values ?? []) {
        if (key === '' || isUnsafeKey(key)) continue;
        const k = key.slice(0, CUSTOM_DATA_LIMITS.keyLength);
        if (!Object.hasOwn(custom, k) && Object.keys(custom).length >= CUSTOM_DATA_LIMITS.keys) {
          ctx.logger.warn(
            `Execution Data: only ${CUSTOM_DATA_LIMITS.keys} keys can be saved; '${k}' was dropped`,
          );
          continue;
        }
        custom[k] = value.slice(0, CUSTOM_DATA_LIMITS.valueLength);
      }
    }
    return [ctx.items];
  },
});
