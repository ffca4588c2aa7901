import { defineNode, defineTrigger, type Item } from '@budflow/node-sdk';
import { z } from 'zod';
import { nodeError, parseJsonLenient } from '../../shared/index.js';

const noParams = () => z.looseObject({});

/** Manual Trigger: a manual run starts here with one empty item. */
export const manualTriggerNode = defineTrigger({
  type: 'budflow.manualTrigger',
  version: 1,
  title: 'Manual Trigger',
  description: 'Runs the flow on clicking a button or from the API in a manual run',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.manualTrigger', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: noParams,
  trigger: { kind: 'manual', manual: () => [[{ json: {} }]] },
});

/** Start (legacy): a starting node that passes what it is given through. */
export const startNode = defineTrigger({
  type: 'budflow.start',
  version: 1,
  title: 'Start',
  description: 'Starts the workflow execution from this node (legacy)',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.start', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: noParams,
  trigger: { kind: 'manual', manual: (ctx) => [ctx.items.length > 0 ? ctx.items : [{ json: {} }]] },
});

/** No Operation: passes its input through unchanged. */
export const noOpNode = defineNode({
  type: 'budflow.noOp',
  version: 1,
  title: 'No Operation, do nothing',
  description: 'No operation',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.noOp', versions: [1] } },
  outputs: [{ type: 'main' }],
  params: noParams,
  execute: (ctx) => [ctx.items],
});

const stopAndErrorParams = () =>
  z.object({
    errorType: z.enum(['errorMessage', 'errorObject']).default('errorMessage'),
    errorMessage: z.string().default(''),
    errorObject: z.unknown().default('{\n  "code": "404",\n  "message": "error message"\n}'),
  });

/** Stop and Error: fails the execution with a message or an error object. */
export const stopAndErrorNode = defineNode({
  type: 'budflow.stopAndError',
  version: 1,
  title: 'Stop and Error',
  description: 'Throw an error in the workflow',
  category: 'flow',
  compat: { n8n: { type: 'n8n-nodes-base.stopAndError', versions: [1] } },
  outputs: [],
  params: stopAndErrorParams,
  paramItems: 'first',
  execute: (ctx): Item[][] => {
    const params = ctx.params(0);
    if (params.errorType === 'errorMessage') {
      throw nodeError(ctx, params.errorMessage);
    }
    let errorObject: unknown = params.errorObject;
    if (typeof errorObject === 'string') {
      try {
        errorObject = parseJsonLenient(errorObject);
      } catch (cause) {
        throw nodeError(ctx, "The parameter 'Error Object' is not valid JSON", { cause });
      }
    }
    const record = (
      typeof errorObject === 'object' && errorObject !== null ? errorObject : {}
    ) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : '');
    const message =
      text(record.message) ||
      text(record.description) ||
      text(record.error) ||
      `Error: ${JSON.stringify(errorObject)}`;
    throw nodeError(ctx, message, {
      description: text(record.description) || undefined,
      details: { errorObject: record },
    });
  },
});
