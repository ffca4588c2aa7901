import { z } from 'zod';
import {
  defineNode,
  defineTrigger,
  NodeError,
  type BinaryRef,
  type Item,
  type JsonValue,
  type WebhookResponse,
} from '@budflow/node-sdk';
import { bool, isUnsafeKey, num, str } from '../internal/params.js';
import { webhookParams, type WebhookParams } from './webhook-params.js';
import { loadJose } from './webhook-request.js';

/**
 * Webhook trigger. The server serves the path and calls `handleWebhookRequest` with these params;
 * the request item then enters the run as this node's input, which it passes through in every
 * mode (n8n's webhook-type semantics).
 */
export const webhookNode = defineTrigger<WebhookParams>({
  type: 'budflow.webhook',
  version: 1,
  title: 'Webhook',
  description: 'Starts the workflow when a webhook is called',
  category: 'trigger',
  compat: { n8n: { type: 'n8n-nodes-base.webhook', versions: [1, 1.1, 2, 2.1] } },
  inputs: [],
  outputs: [{ type: 'main' }],
  credentials: [{ name: 'httpBasicAuth' }, { name: 'httpHeaderAuth' }, { name: 'jwtAuth' }],
  params: webhookParams,
  paramItems: 'first',
  trigger: { kind: 'webhook', webhook: { methodsParam: 'httpMethod', pathParam: 'path' } },
});

const respondParams = () =>
  z.object({
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
    redirectURL: str(),
    responseBody: z.unknown().default('{\n  "myField": "value"\n}'),
    payload: z.unknown().default('{\n  "myField": "value"\n}'),
    responseDataSource: z.enum(['automatically', 'set']).default('automatically'),
    inputFieldName: str('data'),
    options: z
      .object({
        responseCode: num(200).optional(),
        responseHeaders: z
          .object({ entries: z.array(z.object({ name: str(), value: str() })).default([]) })
          .partial()
          .optional(),
        responseKey: str().optional(),
        enableStreaming: bool(false).optional(),
      })
      .default({}),
  });
type RespondParams = z.output<ReturnType<typeof respondParams>>;

/**
 * Respond to Webhook: sends the response of the webhook that started the run (response mode
 * `responseNode`) through `ctx.sendResponse`, then passes its input on.
 */
export const respondToWebhookNode = defineNode<RespondParams>({
  type: 'budflow.respondToWebhook',
  version: 1,
  title: 'Respond to Webhook',
  description: 'Returns data for Webhook',
  category: 'core',
  compat: {
    n8n: { type: 'n8n-nodes-base.respondToWebhook', versions: [1, 1.1, 1.2, 1.3, 1.4, 1.5] },
  },
  credentials: [{ name: 'jwtAuth', required: false }],
  params: respondParams,
  paramItems: 'first',
  async execute(ctx) {
    const p = ctx.params(0);
    const items = ctx.items;
    const first = items[0];
    const headers: Record<string, string> = {};
    for (const { name, value } of p.options.responseHeaders?.entries ?? []) {
      if (name) headers[name.toLowerCase()] = value;
    }
    const statusCode = p.options.responseCode ?? 200;
    const wrap = (value: JsonValue): JsonValue =>
      p.options.responseKey ? setKeyPath(p.options.responseKey, value) : value;
    let response: WebhookResponse;
    switch (p.respondWith) {
      case 'allIncomingItems':
        response = { statusCode, headers, body: wrap(items.map((i) => i.json)) };
        break;
      case 'firstIncomingItem':
        response = { statusCode, headers, body: wrap(first?.json ?? {}) };
        break;
      case 'json': {
        let body: JsonValue;
        if (typeof p.responseBody === 'string') {
          try {
            body = p.responseBody.trim() === '' ? {} : (JSON.parse(p.responseBody) as JsonValue);
          } catch {
            throw new NodeError("Invalid JSON in 'Response Body' field", {
              nodeName: ctx.node.name,
              itemIndex: 0,
              retryable: false,
            });
          }
        } else body = (p.responseBody ?? {}) as JsonValue;
        response = { statusCode, headers, body: wrap(body) };
        break;
      }
      case 'text':
        response = {
          statusCode,
          headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
          body:
            typeof p.responseBody === 'string' ? p.responseBody : JSON.stringify(p.responseBody),
        };
        break;
      case 'binary': {
        let ref: BinaryRef | undefined;
        if (p.responseDataSource === 'set') ref = first?.binary?.[p.inputFieldName];
        else {
          const refs = Object.values(first?.binary ?? {});
          if (refs.length > 1) {
            throw new NodeError(
              "The incoming item contains multiple binary files. Set 'Response Data Source' to 'Choose' and name the field",
              { nodeName: ctx.node.name, itemIndex: 0, retryable: false },
            );
          }
          ref = refs[0];
        }
        if (!ref) {
          throw new NodeError('No binary data exists on the first incoming item', {
            nodeName: ctx.node.name,
            itemIndex: 0,
            retryable: false,
          });
        }
        response = { statusCode, headers, binary: ref };
        break;
      }
      case 'redirect':
        response = {
          statusCode: p.options.responseCode ?? 307,
          headers: { ...headers, location: p.redirectURL },
          redirectUrl: p.redirectURL,
        };
        break;
      case 'jwt': {
        const credentials = await ctx.getCredentials('jwtAuth');
        const payload =
          typeof p.payload === 'string'
            ? (JSON.parse(p.payload || '{}') as Record<string, unknown>)
            : (p.payload as Record<string, unknown>);
        const algorithm = String(credentials.algorithm ?? 'HS256');
        const { SignJWT, importPKCS8 } = await loadJose();
        const key =
          credentials.keyType === 'pemKey'
            ? await importPKCS8(String(credentials.privateKey ?? ''), algorithm)
            : new TextEncoder().encode(String(credentials.secret ?? ''));
        const token = await new SignJWT(payload).setProtectedHeader({ alg: algorithm }).sign(key);
        response = { statusCode, headers, body: wrap({ token }) };
        break;
      }
      case 'noData':
        response = { statusCode, headers };
        break;
    }
    ctx.sendResponse(response);
    return [items.map((item: Item) => item)];
  },
});

function setKeyPath(path: string, value: JsonValue): JsonValue {
  const keys = path.split('.');
  if (keys.some(isUnsafeKey)) return value;
  const root: Record<string, JsonValue> = {};
  let current = root;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) current[key] = value;
    else {
      const next: Record<string, JsonValue> = {};
      current[key] = next;
      current = next;
    }
  });
  return root;
}
