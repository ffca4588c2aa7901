import {
  NodeError,
  defineNode,
  defineTrigger,
  isJsonObject,
  type Item,
  type JsonValue,
  type NodeDefinition,
} from '@budflow/node-sdk';
import { z } from 'zod';

/*
 * Minimal definitions of the trigger and response nodes the server depends on (Webhook, Respond to
 * Webhook, Schedule Trigger, Error Trigger). `@budflow/nodes-base` owns the real ones; the server's
 * registry consults nodes-base first, so these only answer while a type is missing there.
 */

const loose = z.looseObject({});

export const fallbackWebhookNode = defineTrigger({
  type: 'budflow.server.webhook',
  version: 1,
  title: 'Webhook',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.webhook', versions: [1, 1.1, 2, 2.1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: loose,
  trigger: { kind: 'webhook', webhook: { methodsParam: 'httpMethod', pathParam: 'path' } },
});

export const fallbackScheduleTriggerNode = defineTrigger({
  type: 'budflow.server.scheduleTrigger',
  version: 1,
  title: 'Schedule Trigger',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.scheduleTrigger', versions: [1, 1.1, 1.2, 1.3] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: loose,
  trigger: {
    kind: 'schedule',
    manual: (ctx) => [[{ json: scheduleItem(new Date(), ctx.workflow.timezone) }]],
  },
});

export const fallbackErrorTriggerNode = defineTrigger({
  type: 'budflow.server.errorTrigger',
  version: 1,
  title: 'Error Trigger',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.errorTrigger', versions: [1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  params: loose,
  trigger: { kind: 'manual', manual: (ctx) => [ctx.items.length > 0 ? ctx.items : [{ json: {} }]] },
});

const respondParams = z.looseObject({
  respondWith: z
    .enum([
      'allIncomingItems',
      'binary',
      'firstIncomingItem',
      'json',
      'jwt',
      'noData',
      'redirect',
      'text',
    ])
    .default('firstIncomingItem'),
  responseBody: z.unknown().optional(),
  redirectURL: z.string().optional(),
  options: z
    .looseObject({
      responseCode: z.coerce.number().int().min(100).max(599).optional(),
      responseHeaders: z
        .looseObject({
          entries: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
        })
        .optional(),
      responseKey: z.string().optional(),
    })
    .default({}),
});

function parseBody(value: unknown, nodeName: string): JsonValue {
  if (typeof value !== 'string') return (value ?? {}) as JsonValue;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    throw new NodeError(`Response Body is not valid JSON`, {
      nodeName,
      retryable: false,
    });
  }
}

export const fallbackRespondToWebhookNode = defineNode({
  type: 'budflow.server.respondToWebhook',
  version: 1,
  title: 'Respond to Webhook',
  category: 'core',
  compat: {
    n8n: { type: 'n8n-nodes-base.respondToWebhook', versions: [1, 1.1, 1.2, 1.3, 1.4, 1.5] },
  },
  outputs: [{ type: 'main' }],
  params: respondParams,
  paramItems: 'first',
  execute: (ctx) => {
    const p = ctx.params(0);
    const headers: Record<string, string> = {};
    for (const h of p.options.responseHeaders?.entries ?? [])
      headers[h.name.toLowerCase()] = h.value;
    const first = ctx.items[0];
    let body: JsonValue | string | undefined;
    switch (p.respondWith) {
      case 'firstIncomingItem':
        body = first?.json ?? {};
        break;
      case 'allIncomingItems':
        body = ctx.items.map((i: Item) => i.json);
        break;
      case 'json':
        body = parseBody(p.responseBody, ctx.node.name);
        break;
      case 'text':
        body =
          typeof p.responseBody === 'string'
            ? p.responseBody
            : JSON.stringify(p.responseBody ?? '');
        headers['content-type'] ??= 'text/html; charset=utf-8';
        break;
      case 'noData':
        body = undefined;
        break;
      case 'redirect':
        ctx.sendResponse({
          statusCode: p.options.responseCode ?? 307,
          headers,
          redirectUrl: p.redirectURL ?? '/',
        });
        return [ctx.items];
      case 'binary': {
        const binary = first?.binary ? Object.values(first.binary)[0] : undefined;
        if (!binary) {
          throw new NodeError('no binary data to respond with in the first item', {
            nodeName: ctx.node.name,
            retryable: false,
          });
        }
        ctx.sendResponse({ statusCode: p.options.responseCode ?? 200, headers, binary });
        return [ctx.items];
      }
      case 'jwt':
        throw new NodeError('responding with a JWT needs the full Respond to Webhook node', {
          nodeName: ctx.node.name,
          retryable: false,
        });
    }
    if (p.options.responseKey && body !== undefined && typeof body !== 'string') {
      body = { [p.options.responseKey]: body };
    }
    ctx.sendResponse({
      statusCode: p.options.responseCode ?? 200,
      headers,
      ...(body === undefined
        ? {}
        : {
            body:
              isJsonObject(body) || Array.isArray(body) || typeof body === 'string' ? body : body,
          }),
    });
    return [ctx.items];
  },
});

/** The item n8n's Schedule Trigger emits. */
export function scheduleItem(date: Date, timezone: string): Record<string, string | number> {
  const part = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat('en-US', { timeZone: timezone, ...options }).format(date);
  return {
    timestamp: date.toISOString(),
    'Readable date': part({ dateStyle: 'long', timeStyle: 'medium' }),
    'Readable time': part({ timeStyle: 'medium' }),
    'Day of week': part({ weekday: 'long' }),
    Year: part({ year: 'numeric' }),
    Month: part({ month: 'long' }),
    'Day of month': part({ day: '2-digit' }),
    Hour: part({ hour: '2-digit', hour12: false }),
    Minute: part({ minute: '2-digit' }),
    Second: part({ second: '2-digit' }),
    Timezone: timezone,
  };
}

export const FALLBACK_NODES: readonly NodeDefinition[] = [
  fallbackWebhookNode,
  fallbackScheduleTriggerNode,
  fallbackErrorTriggerNode,
  fallbackRespondToWebhookNode,
];
