import { timingSafeEqual } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type {
  BinaryHelpers,
  BinaryRef,
  Item,
  JsonObject,
  JsonValue,
  WebhookResponse,
} from '@budflow/node-sdk';
import { isUnsafeKey } from '../internal/params.js';
import type { WebhookParams } from './webhook-params.js';
import { loadOnce } from '../../../shared/index.js';

/** An HTTP request as the server hands it to a webhook node (headers lower-cased). */
export interface IncomingWebhookRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | string[]>;
  /** Path parameters (`/:id` segments). */
  params: Record<string, string>;
  /** The body as the server parsed it (JSON, form fields, text), or undefined. */
  body?: unknown;
  rawBody?: Uint8Array;
  /** Uploaded files of a multipart body. */
  files?: Array<{ fieldName: string; fileName?: string; mimeType: string; data: Uint8Array }>;
  ip?: string;
  /** The public URL of this webhook (for the output item). */
  webhookUrl?: string;
}

/** How the server must answer once the execution is started or finished. */
export interface WebhookResponsePlan {
  mode: WebhookParams['responseMode'];
  statusCode: number;
  headers: Record<string, string>;
  /** `onReceived`: the immediate body (undefined: no body). */
  body?: JsonValue | string;
  /** `lastNode`: what to take from the last node's output. */
  lastNode?: {
    data: WebhookParams['responseData'];
    binaryProperty: string;
    propertyName: string | undefined;
  };
}

export type WebhookDecision =
  | { kind: 'reject'; statusCode: number; headers: Record<string, string>; body: string }
  | { kind: 'accept'; items: Item[]; response: WebhookResponsePlan };

export interface HandleWebhookArgs {
  params: WebhookParams;
  typeVersion: number;
  request: IncomingWebhookRequest;
  /** Execution mode the run will have (`manual` for editor test webhooks). */
  mode?: string;
  getCredentials(type: string): Promise<Record<string, unknown>>;
  binary: BinaryHelpers;
}

const BOT =
  /bot|crawler|spider|crawling|facebookexternalhit|slurp|preview|curl\/|wget|python-requests|headless/i;

function header(request: IncomingWebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// jose (~9 MB of memory) is loaded when a webhook first checks or signs a JWT.
export const loadJose = loadOnce(() => import('jose'));

const reject = (statusCode: number, body: string, headers: Record<string, string> = {}) =>
  ({ kind: 'reject', statusCode, headers, body }) as const;

async function authenticate(
  args: HandleWebhookArgs,
): Promise<WebhookDecision | { jwtPayload?: JWTPayload } | undefined> {
  const { params, request } = args;
  if (params.authentication === 'basicAuth') {
    const data = await args.getCredentials('httpBasicAuth');
    const auth = header(request, 'authorization');
    if (!auth?.toLowerCase().startsWith('basic ')) {
      return reject(401, 'Authorization is required!', {
        'www-authenticate': 'Basic realm="Webhook"',
      });
    }
    const [user = '', ...rest] = Buffer.from(auth.slice(6).trim(), 'base64')
      .toString('utf8')
      .split(':');
    if (
      !safeEqual(user, String(data.user ?? '')) ||
      !safeEqual(rest.join(':'), String(data.password ?? ''))
    ) {
      return reject(403, 'Authorization data is wrong!');
    }
  } else if (params.authentication === 'headerAuth') {
    const data = await args.getCredentials('httpHeaderAuth');
    const value = header(request, String(data.name ?? '').toLowerCase());
    if (value === undefined || !safeEqual(value, String(data.value ?? ''))) {
      return reject(403, 'Authorization data is wrong!');
    }
  } else if (params.authentication === 'jwtAuth') {
    const data = await args.getCredentials('jwtAuth');
    const auth = header(request, 'authorization') ?? '';
    const token = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : '';
    if (!token) return reject(401, 'No token provided');
    const algorithm = String(data.algorithm ?? 'HS256');
    const { importSPKI, jwtVerify } = await loadJose();
    try {
      const key =
        data.keyType === 'pemKey'
          ? await importSPKI(String(data.publicKey ?? ''), algorithm)
          : new TextEncoder().encode(String(data.secret ?? ''));
      const { payload } = await jwtVerify(token, key, { algorithms: [algorithm] });
      return { jwtPayload: payload };
    } catch (error) {
      return reject(403, error instanceof Error ? error.message : 'invalid token');
    }
  }
  return undefined;
}

function responseCodeOf(params: WebhookParams): number {
  const option = params.options.responseCode;
  if (typeof option === 'number') return option;
  if (option && typeof option === 'object') {
    const values = option.values;
    if (values?.responseCode !== undefined) {
      return values.responseCode === -1 ? (values.customCode ?? 200) : values.responseCode;
    }
  }
  return params.responseCode;
}

function responseHeadersOf(params: WebhookParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of params.options.responseHeaders?.entries ?? []) {
    if (name && !isUnsafeKey(name)) out[name.toLowerCase()] = value;
  }
  if (params.options.responseContentType) out['content-type'] = params.options.responseContentType;
  return out;
}

function isStructured(contentType: string): boolean {
  return (
    contentType === '' ||
    contentType.includes('json') ||
    contentType.includes('application/x-www-form-urlencoded') ||
    contentType.includes('multipart/form-data') ||
    contentType.startsWith('text/') ||
    contentType.includes('xml')
  );
}

/**
 * The Webhook node's request logic (n8n's `webhook()` method): checks IP allow-list, bots and
 * authentication, turns the request into the trigger item (with binaries), and says how to answer.
 * The HTTP server calls it; the engine then starts the run with `items` as the trigger's input.
 */
export async function handleWebhookRequest(args: HandleWebhookArgs): Promise<WebhookDecision> {
  const { params, request, typeVersion } = args;
  const options = params.options;
  if (options.ipWhitelist) {
    const allowed = options.ipWhitelist.split(/[\s,]+/).filter(Boolean);
    const ip = (request.ip ?? '').replace(/^::ffff:/, '');
    if (allowed.length > 0 && !allowed.includes(ip)) {
      return reject(403, 'IP is not whitelisted to access the webhook!');
    }
  }
  if (options.ignoreBots && BOT.test(header(request, 'user-agent') ?? '')) {
    return reject(403, 'Request from a bot was ignored');
  }
  const auth = await authenticate(args);
  if (auth && 'kind' in auth) return auth;

  const contentType = (header(request, 'content-type') ?? '').toLowerCase();
  const json: JsonObject = {
    headers: request.headers,
    params: request.params,
    query: request.query,
    body: (request.body ?? {}) as JsonValue,
  };
  if (typeVersion >= 2) {
    json.webhookUrl = request.webhookUrl ?? '';
    json.executionMode = args.mode === 'manual' ? 'test' : 'production';
  }
  if (auth?.jwtPayload) json.jwtPayload = auth.jwtPayload as JsonObject;

  const binary: Record<string, BinaryRef> = {};
  const prefix = options.binaryPropertyName;
  if (request.files && request.files.length > 0) {
    let index = 0;
    for (const file of request.files) {
      let key = prefix ? `${prefix}${index}` : file.fieldName;
      if (isUnsafeKey(key) || key === '') key = `data${index}`;
      if (binary[key]) key = `${key}${index}`;
      binary[key] = await args.binary.prepareBinaryData(file.data, file.fileName, file.mimeType);
      index++;
    }
  } else if (request.rawBody && request.rawBody.byteLength > 0) {
    const wholeBodyAsBinary =
      (typeVersion < 2 && options.binaryData === true) ||
      options.rawBody === true ||
      (typeVersion >= 2 && !isStructured(contentType));
    if (wholeBodyAsBinary) {
      binary[prefix ?? 'data'] = await args.binary.prepareBinaryData(
        request.rawBody,
        undefined,
        contentType.split(';')[0] || 'application/octet-stream',
      );
      if (!isStructured(contentType) || options.binaryData) json.body = {};
    }
  }
  const item: Item = { json };
  if (Object.keys(binary).length > 0) item.binary = binary;

  const response: WebhookResponsePlan = {
    mode: params.responseMode,
    statusCode: responseCodeOf(params),
    headers: responseHeadersOf(params),
  };
  if (params.responseMode === 'onReceived') {
    if (!options.noResponseBody) {
      response.body = options.responseData || { message: 'Workflow was started' };
    }
  } else if (params.responseMode === 'lastNode') {
    response.lastNode = {
      data: params.responseData,
      binaryProperty: params.responseBinaryPropertyName,
      propertyName: options.responsePropertyName,
    };
  }
  return { kind: 'accept', items: [item], response };
}

/** The `lastNode` answer: built from the last node's output once the run finished. */
export function webhookLastNodeResponse(
  plan: WebhookResponsePlan,
  lastItems: Item[],
): WebhookResponse {
  const spec = plan.lastNode ?? {
    data: 'firstEntryJson',
    binaryProperty: 'data',
    propertyName: undefined,
  };
  const base = { statusCode: plan.statusCode, headers: plan.headers };
  const first = lastItems[0];
  switch (spec.data) {
    case 'noData':
      return base;
    case 'allEntries':
      return { ...base, body: lastItems.map((i) => i.json) };
    case 'firstEntryBinary': {
      const ref = first?.binary?.[spec.binaryProperty];
      return ref
        ? { ...base, binary: ref }
        : { ...base, statusCode: 500, body: { message: 'No binary data found' } };
    }
    default: {
      if (!first) return { ...base, body: {} };
      const value = spec.propertyName ? first.json[spec.propertyName] : first.json;
      return { ...base, body: value ?? {} };
    }
  }
}
