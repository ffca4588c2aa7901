import type { RunWorkflowResult } from '@budflow/core';
import type {
  BinaryHelpers,
  BinaryRef,
  Item,
  JsonObject,
  JsonValue,
  WebhookResponse,
} from '@budflow/node-sdk';
import { jwtVerify } from 'jose';
import type { Logger } from 'pino';
import { safeEqual } from '../auth/auth-service.js';
import type { StartedExecution } from '../execution/execution-service.js';
import type { WebhookRegistration } from '../triggers/webhook-registry.js';
import { httpError } from './http-error.js';
import type { WebhookReply, WebhookRequest } from './webhook-request.js';

export interface WebhookCallDeps {
  helpers: BinaryHelpers;
  /** Largest body accepted (413 beyond). */
  payloadLimit: number;
  logger: Logger;
  /** Decrypted credential of the webhook node (for its auth options). */
  credential(registration: WebhookRegistration, type: string): Promise<Record<string, unknown>>;
  start(
    registration: WebhookRegistration,
    item: Item,
    onResponse: (r: WebhookResponse) => void,
  ): Promise<StartedExecution>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function addTo(target: Record<string, JsonValue>, key: string, value: JsonValue) {
  const existing = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
  const next =
    existing === undefined
      ? value
      : Array.isArray(existing)
        ? [...existing, value]
        : [existing, value];
  Object.defineProperty(target, key, {
    value: next,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Query string to an object; repeated keys become lists (as in n8n). */
export function queryObject(url: URL): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of url.searchParams) addTo(out, k, v);
  return out;
}

interface ParsedBody {
  body: JsonValue;
  binary?: Record<string, BinaryRef>;
}

async function parseBody(
  req: WebhookRequest,
  parameters: JsonObject,
  helpers: BinaryHelpers,
  limit: number,
): Promise<ParsedBody> {
  const method = req.method;
  if (method === 'GET' || method === 'HEAD') return { body: {} };
  const options = (parameters.options ?? {}) as JsonObject;
  const contentType = req.header('content-type') ?? '';
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const binaryName = str(options.binaryPropertyName) ?? 'data';
  const bytes = await req.readBody(limit);
  const text = () => bytes.toString('utf8');
  if (options.rawBody === true && !type.startsWith('multipart/')) {
    const ref = await helpers.prepareBinaryData(
      bytes,
      undefined,
      type || 'application/octet-stream',
    );
    let body: JsonValue = {};
    if (type === 'application/json' || type.endsWith('+json')) {
      try {
        body = JSON.parse(text()) as JsonValue;
      } catch {
        body = {};
      }
    }
    return { body, binary: { [binaryName]: ref } };
  }
  if (type === 'application/json' || type.endsWith('+json') || type === '') {
    const body = text();
    if (body.trim() === '') return { body: {} };
    try {
      return { body: JSON.parse(body) as JsonValue };
    } catch {
      if (type === '') return { body };
      throw httpError('BAD_REQUEST', 'the request body is not valid JSON');
    }
  }
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of new URLSearchParams(text())) addTo(out, k, v);
    return { body: out };
  }
  if (type === 'multipart/form-data') {
    const form = await new Response(bytes, { headers: { 'content-type': contentType } }).formData();
    const body: Record<string, JsonValue> = {};
    const binary: Record<string, BinaryRef> = {};
    let fileIndex = 0;
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        addTo(body, key, value);
      } else {
        const data = new Uint8Array(await value.arrayBuffer());
        const ref = await helpers.prepareBinaryData(data, value.name, value.type || undefined);
        const name = Object.prototype.hasOwnProperty.call(binary, key) ? `${key}${fileIndex}` : key;
        Object.defineProperty(binary, name, {
          value: ref,
          enumerable: true,
          writable: true,
          configurable: true,
        });
        fileIndex++;
      }
    }
    return fileIndex > 0 ? { body, binary } : { body };
  }
  if (type.startsWith('text/') || type.endsWith('/xml') || type.endsWith('+xml')) {
    return { body: text() };
  }
  if (bytes.length === 0) return { body: {} };
  return {
    body: {},
    binary: { [binaryName]: await helpers.prepareBinaryData(bytes, undefined, type) },
  };
}

/**
 * Checks the Webhook node's `authentication` option; throws a 401/403 error (and adds the
 * challenge header to `errorHeaders`).
 */
async function authorise(
  req: WebhookRequest,
  registration: WebhookRegistration,
  deps: WebhookCallDeps,
  errorHeaders: Record<string, string>,
) {
  const mode = str(registration.parameters.authentication) ?? 'none';
  if (mode === 'none') return;
  const unauthorised = (message: string) => {
    const error = httpError('UNAUTHENTICATED', message);
    if (mode === 'basicAuth') errorHeaders['www-authenticate'] = 'Basic realm="Webhook"';
    return error;
  };
  if (mode === 'basicAuth') {
    const cred = await deps.credential(registration, 'httpBasicAuth');
    const header = req.header('authorization') ?? '';
    if (!header.toLowerCase().startsWith('basic ')) throw unauthorised('authorization is required');
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i === -1 ? decoded : decoded.slice(0, i);
    const password = i === -1 ? '' : decoded.slice(i + 1);
    const okUser = safeEqual(user, String(cred.user ?? ''));
    const okPassword = safeEqual(password, String(cred.password ?? ''));
    if (!(okUser && okPassword)) throw httpError('FORBIDDEN', 'authorization data is wrong');
    return;
  }
  if (mode === 'headerAuth') {
    const cred = await deps.credential(registration, 'httpHeaderAuth');
    const name = String(cred.name ?? '').toLowerCase();
    const given = req.header(name);
    if (given === undefined) throw unauthorised('authorization is required');
    if (!safeEqual(given, String(cred.value ?? '')))
      throw httpError('FORBIDDEN', 'authorization data is wrong');
    return;
  }
  if (mode === 'jwtAuth') {
    const cred = await deps.credential(registration, 'jwtAuth');
    const header = req.header('authorization') ?? '';
    if (!header.toLowerCase().startsWith('bearer '))
      throw unauthorised('authorization is required');
    const secret = String(cred.secret ?? '');
    try {
      await jwtVerify(header.slice(7).trim(), new TextEncoder().encode(secret), {
        algorithms: [str(cred.algorithm) ?? 'HS256'],
      });
    } catch {
      throw httpError('FORBIDDEN', 'authorization data is wrong');
    }
    return;
  }
  throw httpError('FORBIDDEN', `webhook authentication '${mode}' is not supported`);
}

function responseCodeOf(parameters: JsonObject): number {
  const options = (parameters.options ?? {}) as JsonObject;
  const nested = (
    (options.responseCode as JsonObject | undefined)?.values as JsonObject | undefined
  )?.responseCode;
  const code = Number(nested ?? parameters.responseCode ?? 200);
  return Number.isInteger(code) && code >= 100 && code <= 599 ? code : 200;
}

function staticHeaders(parameters: JsonObject): Record<string, string> {
  const options = (parameters.options ?? {}) as JsonObject;
  const headers: Record<string, string> = {};
  const entries = ((options.responseHeaders as JsonObject | undefined)?.entries ??
    []) as JsonObject[];
  for (const e of entries) {
    if (typeof e.name === 'string' && e.name !== '')
      headers[e.name.toLowerCase()] = String(e.value ?? '');
  }
  if (typeof options.responseContentType === 'string' && options.responseContentType !== '') {
    headers['content-type'] = options.responseContentType;
  }
  return headers;
}

/** A node's response (Respond to Webhook, or the Webhook node's own) as an HTTP reply. */
export async function webhookReply(
  response: WebhookResponse,
  helpers: BinaryHelpers,
  extraHeaders: Record<string, string>,
): Promise<WebhookReply> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (response.headers) {
    for (const [k, v] of Object.entries(response.headers)) headers[k.toLowerCase()] = v;
  }
  if (response.redirectUrl !== undefined) {
    headers.location = response.redirectUrl;
    return { status: response.statusCode ?? 307, headers, body: null };
  }
  const status = response.statusCode ?? 200;
  if (response.binary) {
    const buffer = await helpers.getBinaryBuffer(response.binary);
    headers['content-type'] ??= response.binary.mimeType;
    return { status, headers, body: new Uint8Array(buffer) };
  }
  if (response.body === undefined || response.body === null) {
    return { status, headers, body: null };
  }
  if (typeof response.body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return { status, headers, body: response.body };
  }
  headers['content-type'] ??= 'application/json; charset=utf-8';
  return { status, headers, body: JSON.stringify(response.body) };
}

export function lastNodeResponse(
  parameters: JsonObject,
  result: RunWorkflowResult,
): WebhookResponse {
  const options = (parameters.options ?? {}) as JsonObject;
  const responseData = str(parameters.responseData) ?? 'firstEntryJson';
  const items = result.output?.[0] ?? [];
  const code = responseCodeOf(parameters);
  if (responseData === 'noData' || options.noResponseBody === true) return { statusCode: code };
  if (responseData === 'allEntries') return { statusCode: code, body: items.map((i) => i.json) };
  if (responseData === 'firstEntryBinary') {
    const first = items[0];
    const key = str(options.responseBinaryPropertyName) ?? 'data';
    const binary =
      first?.binary?.[key] ?? (first?.binary ? Object.values(first.binary)[0] : undefined);
    if (!binary)
      return { statusCode: 500, body: { message: 'No binary data to return was found' } };
    return { statusCode: code, binary };
  }
  const first = items[0]?.json;
  if (first === undefined)
    return { statusCode: code, body: { message: 'No item to return was found' } };
  const property = str(options.responsePropertyName);
  if (property) {
    let value: JsonValue | undefined = first;
    for (const part of property.split('.')) {
      value = value && typeof value === 'object' && !Array.isArray(value) ? value[part] : undefined;
    }
    return { statusCode: code, body: value ?? null };
  }
  return { statusCode: code, body: first };
}

/** The trigger item of a request: `{ headers, params, query, body }` plus uploaded files as binary. */
export async function buildWebhookItem(
  req: WebhookRequest,
  parameters: JsonObject,
  params: Record<string, string>,
  helpers: BinaryHelpers,
  test: boolean,
  limit: number,
): Promise<Item> {
  const url = req.url;
  const parsed = await parseBody(req, parameters, helpers, limit);
  return {
    json: {
      headers: req.headers(),
      params: { ...params },
      query: url.search === '' ? {} : queryObject(url),
      body: parsed.body,
      webhookUrl: url.href,
      executionMode: test ? 'test' : 'production',
    },
    ...(parsed.binary ? { binary: parsed.binary } : {}),
  };
}

const FAILED: WebhookResponse = { statusCode: 500, body: { message: 'Error in workflow' } };

/**
 * Answers one webhook call: checks auth and client IP, turns the request into the trigger item,
 * starts the execution and replies by the node's response mode. Throws for a refused call; the
 * headers its error reply needs (an auth challenge) are added to `errorHeaders`.
 */
export async function handleWebhookCall(
  req: WebhookRequest,
  registration: WebhookRegistration,
  params: Record<string, string>,
  deps: WebhookCallDeps,
  errorHeaders: Record<string, string> = {},
): Promise<WebhookReply> {
  const parameters = registration.parameters;
  const options = (parameters.options ?? {}) as JsonObject;
  const cors: Record<string, string> = {};
  const origin = req.header('origin');
  if (origin) {
    const allowed = (str(options.allowedOrigins) ?? '*').split(',').map((s) => s.trim());
    if (allowed.includes('*')) cors['access-control-allow-origin'] = '*';
    else if (allowed.includes(origin)) cors['access-control-allow-origin'] = origin;
  }
  const whitelist = str(options.ipWhitelist)?.trim();
  if (whitelist) {
    const ip = req.remoteAddress();
    if (
      !whitelist
        .split(',')
        .map((s) => s.trim())
        .includes(ip)
    ) {
      throw httpError('FORBIDDEN', 'this IP address is not allowed to call the webhook');
    }
  }
  await authorise(req, registration, deps, errorHeaders);
  const item = await buildWebhookItem(
    req,
    parameters,
    params,
    deps.helpers,
    registration.test,
    deps.payloadLimit,
  );
  const extraHeaders = {
    ...cors,
    ...staticHeaders(parameters),
    ...(req.requestId ? { 'x-request-id': req.requestId } : {}),
  };
  const mode = str(parameters.responseMode) ?? 'onReceived';

  let respond: (response: WebhookResponse) => void = () => {};
  const responded = new Promise<WebhookResponse>((resolve) => (respond = resolve));
  const started = await deps.start(registration, item, (r) => respond(r));

  if (mode === 'onReceived') {
    // The run goes on in the background; its failure never becomes this request's error.
    started.done.catch((error: unknown) =>
      deps.logger.error(
        { err: error, executionId: started.executionId },
        'webhook execution failed',
      ),
    );
    const code = responseCodeOf(parameters);
    if (options.noResponseBody === true || parameters.responseData === 'noData') {
      return webhookReply({ statusCode: code }, deps.helpers, extraHeaders);
    }
    const custom = str(options.responseData);
    return webhookReply(
      { statusCode: code, body: custom ?? { message: 'Workflow was started' } },
      deps.helpers,
      extraHeaders,
    );
  }

  if (mode === 'responseNode') {
    const outcome = await Promise.race([
      responded.then((response) => ({ response })),
      started.done.then((result) => ({ result })),
    ]);
    if ('response' in outcome) return webhookReply(outcome.response, deps.helpers, extraHeaders);
    const result = outcome.result;
    if (result.status === 'error') return webhookReply(FAILED, deps.helpers, extraHeaders);
    // A Respond to Webhook node that ran last may have responded in the same tick.
    const late = await Promise.race([responded, Promise.resolve(undefined)]);
    if (late) return webhookReply(late, deps.helpers, extraHeaders);
    return webhookReply(
      { statusCode: 200, body: { message: 'Workflow executed successfully' } },
      deps.helpers,
      extraHeaders,
    );
  }

  const result = await started.done;
  if (result.status === 'error') return webhookReply(FAILED, deps.helpers, extraHeaders);
  if (result.status === 'waiting') {
    return webhookReply(
      {
        statusCode: 200,
        body: { message: 'Workflow is waiting', executionId: started.executionId },
      },
      deps.helpers,
      extraHeaders,
    );
  }
  return webhookReply(lastNodeResponse(parameters, result), deps.helpers, extraHeaders);
}
