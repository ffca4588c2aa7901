import {
  defineNode,
  NodeError,
  type CredentialDefinition,
  type ExecuteContext,
  type Item,
  type JsonObject,
  type JsonValue,
  type NodeDefinition,
} from '@budflow/node-sdk';
import { baseCredentials } from '../../../credentials/index.js';
import type { OAuth2ApiData } from '../../../credentials/index.js';
import { digestAuthorization, parseDigestChallenge } from '../internal/digest-auth.js';
import {
  createFormData,
  createHttpClient,
  redactUrl,
  type HttpBody,
  type HttpClient,
  type HttpClientResponse,
} from '../internal/http-client.js';
import { evaluateWithKeys, rawParameter } from '../internal/node-context.js';
import { isUnsafeKey, setPath, sleep } from '../internal/params.js';
import {
  HTTP_REQUEST_VERSIONS,
  httpRequestParamsFor,
  type HttpRequestParams,
  type HttpRequestV1Params,
  type HttpRequestV3Params,
} from './http-request-params.js';

export interface HttpRequestNodeOptions {
  /** The guarded client; default: one shared client with the SSRF guard on and no allow-list. */
  http?: HttpClient;
  /** Credential types usable as `predefinedCredentialType` / `genericAuthType`. */
  credentialTypes?: readonly CredentialDefinition<any>[];
}

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; value: Record<string, unknown> }
  | { kind: 'text'; value: string; contentType?: string }
  | {
      kind: 'multipart';
      fields: Array<{ name: string; value?: unknown; binaryProperty?: string }>;
    }
  | { kind: 'binary'; property: string; contentType?: string };

type ResponseFormat = 'autodetect' | 'json' | 'text' | 'file';

/** One request, independent of the n8n version that described it. */
interface RequestPlan {
  method: string;
  url: string;
  query: Record<string, unknown>;
  headers: Record<string, string>;
  body: Body;
  credentialType: string | undefined;
  arrayFormat: 'repeat' | 'brackets' | 'indices';
  timeoutMs: number;
  proxy: string | undefined;
  ignoreSsl: boolean;
  followRedirects: boolean;
  followNonGetRedirects: boolean;
  maxRedirects: number;
  sendCredentialsCrossOrigin: boolean;
  fullResponse: boolean;
  neverError: boolean;
  format: ResponseFormat;
  outputProperty: string;
  /** v1/v2 without `splitIntoItems`: arrays still become one item per element (see docs). */
  uncompressed: boolean;
}

interface PageResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  body: unknown;
  format: 'json' | 'text' | 'file';
  raw: Buffer;
  url: string;
}

const V1_AUTH: Record<string, string> = {
  basicAuth: 'httpBasicAuth',
  digestAuth: 'httpDigestAuth',
  headerAuth: 'httpHeaderAuth',
  queryAuth: 'httpQueryAuth',
  oAuth2: 'oAuth2Api',
  oAuth1: 'oAuth1Api',
};

const BINARY_CONTENT_TYPES = [
  'image/',
  'audio/',
  'video/',
  'application/octet-stream',
  'application/gzip',
  'application/zip',
  'application/vnd.rar',
  'application/epub+zip',
  'application/x-bzip',
  'application/x-bzip2',
  'application/x-cdf',
  'application/vnd.amazon.ebook',
  'application/msword',
  'application/vnd.ms-fontobject',
  'application/vnd.oasis.opendocument.presentation',
  'application/pdf',
  'application/x-tar',
  'application/vnd.visio',
  'application/vnd.ms-excel',
  'application/x-7z-compressed',
];

let defaultClient: HttpClient | undefined;
const sharedClient = () => (defaultClient ??= createHttpClient());

/** Closes the default client's connection pools (those of `httpRequestNode`). */
export async function closeDefaultHttpClient(): Promise<void> {
  const client = defaultClient;
  defaultClient = undefined;
  await client?.close();
}

function fail(ctx: ExecuteContext<unknown>, message: string, itemIndex: number, extra = {}) {
  return new NodeError(message, { nodeName: ctx.node.name, itemIndex, ...extra });
}

function parseJsonParam(
  ctx: ExecuteContext<unknown>,
  value: unknown,
  itemIndex: number,
  what: string,
): unknown {
  if (typeof value !== 'string') return value;
  if (value.trim() === '') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    throw fail(ctx, `JSON parameter needs to be valid JSON (${what})`, itemIndex, {
      retryable: false,
    });
  }
}

/** Name/value pairs into an object; a repeated name collects its values in an array. */
function pairsToObject(pairs: ReadonlyArray<{ name: string; value: unknown }>, lowerCase = false) {
  const out: Record<string, unknown> = {};
  for (const { name: rawName, value } of pairs) {
    const name = lowerCase ? rawName.toLowerCase() : rawName;
    if (name === '' || isUnsafeKey(name)) continue;
    if (Object.hasOwn(out, name)) out[name] = [out[name], value].flat();
    else out[name] = value;
  }
  return out;
}

const asString = (value: unknown) =>
  typeof value === 'string'
    ? value
    : value === undefined || value === null
      ? ''
      : JSON.stringify(value);

function headersFrom(value: unknown, lowerCase: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (isUnsafeKey(k) || v === undefined) continue;
      out[lowerCase ? k.toLowerCase() : k] = Array.isArray(v)
        ? v.map(asString).join(', ')
        : asString(v);
    }
  }
  return out;
}

function planV3(ctx: ExecuteContext<unknown>, p: HttpRequestV3Params, i: number): RequestPlan {
  const o = p.options;
  const lowerCase = o.lowercaseHeaders ?? true;
  let query: Record<string, unknown> = {};
  if (p.sendQuery) {
    query =
      p.specifyQuery === 'json'
        ? ((parseJsonParam(ctx, p.jsonQuery, i, 'Query Parameters') ?? {}) as Record<
            string,
            unknown
          >)
        : pairsToObject(p.queryParameters.parameters ?? []);
  }
  let headers: Record<string, string> = {};
  if (p.sendHeaders) {
    headers =
      p.specifyHeaders === 'json'
        ? headersFrom(parseJsonParam(ctx, p.jsonHeaders, i, 'Headers'), lowerCase)
        : headersFrom(pairsToObject(p.headerParameters.parameters ?? []), lowerCase);
  }
  let body: Body = { kind: 'none' };
  if (p.sendBody) {
    const fields = p.bodyParameters.parameters ?? [];
    switch (p.contentType) {
      case 'json':
        body =
          p.specifyBody === 'json'
            ? { kind: 'json', value: parseJsonParam(ctx, p.jsonBody, i, 'JSON Body') ?? {} }
            : { kind: 'json', value: pairsToObject(fields) };
        break;
      case 'form-urlencoded':
        body =
          p.specifyBody === 'string'
            ? {
                kind: 'text',
                value: asString(p.body),
                contentType: 'application/x-www-form-urlencoded',
              }
            : { kind: 'form', value: pairsToObject(fields) };
        break;
      case 'multipart-form-data':
        body = {
          kind: 'multipart',
          fields: fields.map((f) =>
            f.parameterType === 'formBinaryData'
              ? { name: f.name, binaryProperty: f.inputDataFieldName }
              : { name: f.name, value: f.value },
          ),
        };
        break;
      case 'binaryData':
        body = { kind: 'binary', property: p.inputDataFieldName };
        break;
      case 'raw':
        body = {
          kind: 'text',
          value: asString(p.body),
          contentType: p.rawContentType || undefined,
        };
        break;
    }
  }
  const credentialType =
    p.authentication === 'genericCredentialType'
      ? p.genericAuthType
      : p.authentication === 'predefinedCredentialType'
        ? p.nodeCredentialType
        : undefined;
  const redirect = o.redirect?.redirect;
  const response = o.response?.response;
  return {
    method: p.method,
    url: p.url,
    query,
    headers,
    body,
    credentialType: credentialType || undefined,
    arrayFormat: o.queryParameterArrays ?? 'brackets',
    timeoutMs: o.timeout ?? 300_000,
    proxy: o.proxy || undefined,
    ignoreSsl: o.allowUnauthorizedCerts ?? false,
    // n8n v3 follows redirects only when the option says so; v4+ follows them by default.
    followRedirects: redirect?.followRedirects ?? ctx.typeVersion >= 4,
    followNonGetRedirects: true,
    maxRedirects: redirect?.maxRedirects ?? 21,
    sendCredentialsCrossOrigin: o.sendCredentialsOnCrossOriginRedirect ?? false,
    fullResponse: response?.fullResponse ?? false,
    neverError: response?.neverError ?? false,
    format: response?.responseFormat ?? 'autodetect',
    outputProperty: response?.outputPropertyName ?? 'data',
    uncompressed: o.requestUncompressedResponse ?? false,
  };
}

function planV1(ctx: ExecuteContext<unknown>, p: HttpRequestV1Params, i: number): RequestPlan {
  const o = p.options;
  let query: Record<string, unknown> = {};
  let headers: Record<string, string> = {};
  let body: Body = { kind: 'none' };
  const bodyType = o.bodyContentType ?? 'json';
  const hasBody = ['PATCH', 'POST', 'PUT', 'DELETE'].includes(p.requestMethod);
  let bodyValue: unknown;
  if (p.jsonParameters) {
    query = (parseJsonParam(ctx, p.queryParametersJson, i, 'Query Parameters') ?? {}) as Record<
      string,
      unknown
    >;
    headers = headersFrom(parseJsonParam(ctx, p.headerParametersJson, i, 'Headers'), false);
    if (p.sendBinaryData && ['PATCH', 'POST', 'PUT'].includes(p.requestMethod)) {
      if (bodyType === 'raw') body = { kind: 'binary', property: p.binaryPropertyName };
      else if (bodyType === 'multipart-form-data') {
        const names = p.binaryPropertyName.split(',').map((n) => n.trim());
        body = {
          kind: 'multipart',
          fields: names.map((entry) => {
            const [field, property] = entry.includes(':') ? entry.split(':') : ['file', entry];
            if (!entry.includes(':') && names.length > 1) {
              throw fail(
                ctx,
                'If more than one property should be send it is needed to define the in the format: "sendKey1:binaryProperty1,sendKey2:binaryProperty2"',
                i,
              );
            }
            return { name: field!.trim(), binaryProperty: property!.trim() };
          }),
        };
      } else {
        throw fail(
          ctx,
          'Sending binary data is only supported when option "Body Content Type" is set to "RAW/CUSTOM" or "FORM-DATA/MULTIPART"!',
          i,
        );
      }
    } else if (hasBody && p.bodyParametersJson !== '') {
      bodyValue =
        bodyType === 'raw'
          ? p.bodyParametersJson
          : typeof p.bodyParametersJson === 'string'
            ? (() => {
                try {
                  return JSON.parse(p.bodyParametersJson);
                } catch {
                  throw fail(
                    ctx,
                    'The data in "Body Parameters" is no valid JSON. Set Body Content Type to "RAW/Custom" for XML or other types of payloads',
                    i,
                  );
                }
              })()
            : p.bodyParametersJson;
    }
  } else {
    query = pairsToObject(p.queryParametersUi.parameter ?? []);
    headers = headersFrom(pairsToObject(p.headerParametersUi.parameter ?? [], true), true);
    if (hasBody && p.bodyParametersUi.parameter) {
      bodyValue = Object.fromEntries(
        p.bodyParametersUi.parameter
          .filter((x) => x.name !== '' && !isUnsafeKey(x.name))
          .map((x) => [x.name, x.value]),
      );
    }
  }
  if (bodyValue !== undefined && body.kind === 'none') {
    if (bodyType === 'form-urlencoded')
      body = { kind: 'form', value: bodyValue as Record<string, unknown> };
    else if (bodyType === 'multipart-form-data') {
      body = {
        kind: 'multipart',
        fields: Object.entries(bodyValue as Record<string, unknown>).map(([name, value]) => ({
          name,
          value,
        })),
      };
    } else if (bodyType === 'raw') body = { kind: 'text', value: asString(bodyValue) };
    else body = { kind: 'json', value: bodyValue };
  }
  if (o.bodyContentCustomMimeType) headers['content-type'] = o.bodyContentCustomMimeType;
  const auth = p.authentication;
  const credentialType =
    auth === 'genericCredentialType'
      ? p.genericAuthType
      : auth === 'predefinedCredentialType'
        ? p.nodeCredentialType
        : V1_AUTH[auth];
  return {
    method: p.requestMethod,
    url: p.url,
    query,
    headers,
    body,
    credentialType: credentialType || undefined,
    arrayFormat: o.useQueryString ? 'repeat' : 'indices',
    timeoutMs: o.timeout ?? 3_600_000,
    proxy: o.proxy || undefined,
    ignoreSsl: p.allowUnauthorizedCerts,
    followRedirects: o.followRedirect ?? true,
    followNonGetRedirects: o.followAllRedirects ?? false,
    maxRedirects: 21,
    sendCredentialsCrossOrigin: false,
    fullResponse: o.fullResponse ?? false,
    neverError: o.ignoreResponseCode ?? false,
    format: p.responseFormat === 'string' ? 'text' : p.responseFormat,
    outputProperty: p.dataPropertyName,
    uncompressed: false,
  };
}

/** Serialises a query object as qs does (RFC 3986 escaping) for the chosen array format. */
export function encodeQuery(
  query: Record<string, unknown>,
  arrayFormat: RequestPlan['arrayFormat'],
): string {
  const pairs: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((v, index) =>
        add(
          arrayFormat === 'repeat'
            ? key
            : arrayFormat === 'brackets'
              ? `${key}[]`
              : `${key}[${index}]`,
          v,
        ),
      );
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    } else {
      pairs.push(
        `${encodeURIComponent(key)}=${encodeURIComponent(value === null ? '' : String(value))}`,
      );
    }
  };
  for (const [key, value] of Object.entries(query)) add(key, value);
  return pairs.join('&');
}

function appendQuery(
  url: URL,
  query: Record<string, unknown>,
  arrayFormat: RequestPlan['arrayFormat'],
) {
  const extra = encodeQuery(query, arrayFormat);
  if (extra === '') return;
  url.search = url.search.length > 1 ? `${url.search}&${extra}` : `?${extra}`;
}

function formEncode(value: Record<string, unknown>): string {
  return encodeQuery(value, 'indices');
}

function charsetOf(contentType: string): string {
  const match = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return match?.[1]?.toLowerCase() ?? 'utf-8';
}

function decodeText(raw: Buffer, contentType: string): string {
  try {
    return new TextDecoder(charsetOf(contentType)).decode(raw);
  } catch {
    return raw.toString('utf8');
  }
}

function headerValue(headers: Record<string, string | string[]>, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

function fileNameOf(response: HttpClientResponse): string | undefined {
  const disposition = headerValue(response.headers, 'content-disposition');
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1]) return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  if (plain?.[1]) return plain[1].trim();
  const last = new URL(response.url).pathname.split('/').pop();
  return last ? decodeURIComponent(last) : undefined;
}

/** The node's error for a non-2xx status: URL (redacted), status and the start of the body. */
function statusError(
  ctx: ExecuteContext<unknown>,
  plan: RequestPlan,
  response: HttpClientResponse,
  itemIndex: number,
  secretParams: string[],
) {
  const text = decodeText(response.body, headerValue(response.headers, 'content-type'));
  const start = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  const url = redactUrl(response.url, secretParams);
  const status = `${response.status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`;
  const hint =
    response.status === 429
      ? " (try spacing your requests out using the batching settings under 'Options')"
      : '';
  return new NodeError(
    `${plan.method} ${url} failed with status ${status}${hint}${start ? `: ${start}` : ''}`,
    {
      code: 'HTTP_STATUS',
      nodeName: ctx.node.name,
      itemIndex,
      retryable: response.status >= 500 || response.status === 429,
      description: start,
      details: { url, httpCode: String(response.status) },
    },
  );
}

interface OAuthToken {
  token: string;
  expiresAt: number;
}

/** Creates the HTTP Request node around a client (see the package README for the choice). */
export function createHttpRequestNode(options: HttpRequestNodeOptions = {}): NodeDefinition {
  const client = () => options.http ?? sharedClient();
  const credentialTypes = new Map(
    (options.credentialTypes ?? baseCredentials).map((c) => [c.type, c] as const),
  );
  const tokens = new Map<string, OAuthToken>();

  async function clientCredentialsToken(data: OAuth2ApiData, signal: AbortSignal, force = false) {
    const key = `${data.accessTokenUrl}|${data.clientId}|${data.scope}`;
    const cached = tokens.get(key);
    if (!force && cached && cached.expiresAt > Date.now() + 5_000) return cached.token;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (data.scope) form.set('scope', data.scope.replace(/,/g, ' '));
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    };
    if (data.authentication === 'body') {
      form.set('client_id', data.clientId);
      form.set('client_secret', data.clientSecret);
    } else {
      headers.authorization = `Basic ${Buffer.from(
        `${encodeURIComponent(data.clientId)}:${encodeURIComponent(data.clientSecret)}`,
      ).toString('base64')}`;
    }
    const response = await client().request({
      url: data.accessTokenUrl,
      method: 'POST',
      headers,
      body: form.toString(),
      signal,
      timeoutMs: 60_000,
    });
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(response.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      parsed = Object.fromEntries(new URLSearchParams(response.body.toString('utf8')));
    }
    if (response.status >= 300 || typeof parsed.access_token !== 'string') {
      throw new NodeError(
        `OAuth2 client-credentials token request to ${redactUrl(data.accessTokenUrl)} failed with status ${response.status}`,
        { code: 'HTTP_OAUTH2_TOKEN', details: { error: parsed.error ?? null } },
      );
    }
    const expiresIn = Number(parsed.expires_in ?? 3600);
    tokens.set(key, { token: parsed.access_token, expiresAt: Date.now() + expiresIn * 1000 });
    return parsed.access_token;
  }

  async function sendOnce(
    ctx: ExecuteContext<unknown>,
    plan: RequestPlan,
    item: Item,
    itemIndex: number,
  ): Promise<{ response: HttpClientResponse; secretParams: string[] }> {
    const url = new URL(plan.url.trim());
    appendQuery(url, plan.query, plan.arrayFormat);
    let headers: Record<string, string> = { ...plan.headers };
    const hasHeader = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
    if (plan.format === 'autodetect' && !hasHeader('accept')) {
      headers.accept =
        'application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, image/*;q=0.8, */*;q=0.7';
    }
    if (!hasHeader('accept-encoding')) {
      headers['accept-encoding'] = plan.uncompressed ? 'identity' : 'gzip, deflate, br';
    }
    let body: HttpBody | undefined;
    switch (plan.body.kind) {
      case 'json':
        body = JSON.stringify(plan.body.value);
        if (!hasHeader('content-type')) headers['content-type'] = 'application/json';
        break;
      case 'form':
        body = formEncode(plan.body.value);
        if (!hasHeader('content-type'))
          headers['content-type'] = 'application/x-www-form-urlencoded';
        break;
      case 'text':
        body = plan.body.value;
        if (plan.body.contentType && !hasHeader('content-type'))
          headers['content-type'] = plan.body.contentType;
        break;
      case 'binary': {
        const ref = item.binary?.[plan.body.property];
        if (!ref) {
          throw fail(
            ctx,
            `This operation expects the node's input data to contain a binary file '${plan.body.property}', but none was found [item ${itemIndex}]`,
            itemIndex,
            { retryable: false },
          );
        }
        body = new Uint8Array(await ctx.helpers.getBinaryBuffer(ref));
        if (!hasHeader('content-type')) headers['content-type'] = ref.mimeType;
        break;
      }
      case 'multipart': {
        const form = await createFormData();
        for (const field of plan.body.fields) {
          if (field.binaryProperty !== undefined) {
            const ref = item.binary?.[field.binaryProperty];
            if (!ref) {
              throw fail(
                ctx,
                `This operation expects the node's input data to contain a binary file '${field.binaryProperty}', but none was found [item ${itemIndex}]`,
                itemIndex,
                { retryable: false },
              );
            }
            const bytes = await ctx.helpers.getBinaryBuffer(ref);
            form.append(
              field.name,
              new Blob([new Uint8Array(bytes)], { type: ref.mimeType }),
              ref.fileName ?? field.name,
            );
          } else form.append(field.name, asString(field.value));
        }
        body = form;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'content-type'),
        );
        break;
      }
      case 'none':
        break;
    }

    // Authentication
    const secretParams: string[] = [];
    let digest: { user: string; password: string } | undefined;
    let oauth: OAuth2ApiData | undefined;
    if (plan.credentialType) {
      const type = plan.credentialType;
      const data = await ctx.getCredentials(type);
      if (type === 'httpDigestAuth') {
        digest = { user: String(data.user ?? ''), password: String(data.password ?? '') };
      } else if (type === 'oAuth2Api' && data.grantType === 'clientCredentials') {
        oauth = credentialTypes.get('oAuth2Api')!.data.parse(data) as OAuth2ApiData;
        headers.authorization = `Bearer ${await clientCredentialsToken(oauth, ctx.signal)}`;
      } else if (type === 'oAuth1Api') {
        throw fail(ctx, 'OAuth1 authentication is not supported yet', itemIndex, {
          retryable: false,
        });
      } else {
        const definition = credentialTypes.get(type);
        if (!definition?.authenticate) {
          throw fail(
            ctx,
            `credential type '${type}' cannot authenticate an HTTP request`,
            itemIndex,
            {
              retryable: false,
            },
          );
        }
        const parsed = definition.data.parse(data);
        if (type === 'httpQueryAuth') secretParams.push(String((parsed as { name: string }).name));
        const authed = await definition.authenticate(parsed, { url: url.toString(), headers });
        url.href = authed.url;
        headers = { ...(authed.headers ?? {}) };
      }
    }

    const send = (extra: Record<string, string> = {}) =>
      client().request({
        url: url.toString(),
        method: plan.method,
        headers: { ...headers, ...extra },
        body,
        timeoutMs: plan.timeoutMs,
        signal: ctx.signal,
        followRedirects: plan.followRedirects,
        followNonGetRedirects: plan.followNonGetRedirects,
        maxRedirects: plan.maxRedirects,
        proxy: plan.proxy,
        ignoreSslIssues: plan.ignoreSsl,
      });
    let response = await send();
    if (response.status === 401 && digest) {
      const challenge = parseDigestChallenge(response.headers['www-authenticate']);
      if (challenge) {
        response = await send({
          authorization: digestAuthorization({
            challenge,
            method: plan.method,
            url: url.toString(),
            ...digest,
          }),
        });
      }
    } else if (response.status === 401 && oauth) {
      headers.authorization = `Bearer ${await clientCredentialsToken(oauth, ctx.signal, true)}`;
      response = await send();
    }
    return { response, secretParams };
  }

  function parseResponse(
    ctx: ExecuteContext<unknown>,
    plan: RequestPlan,
    response: HttpClientResponse,
    itemIndex: number,
  ): PageResponse {
    const contentType = headerValue(response.headers, 'content-type');
    let format: PageResponse['format'];
    let body: unknown;
    const text = () => decodeText(response.body, contentType);
    if (plan.format === 'autodetect') {
      if (contentType.includes('application/json') || /\+json\b/.test(contentType)) {
        format = 'json';
        const data = text();
        try {
          body = data.trim() === '' ? {} : JSON.parse(data);
        } catch {
          if (!plan.neverError) throw fail(ctx, 'Invalid JSON in response body', itemIndex);
          body = {};
        }
      } else if (BINARY_CONTENT_TYPES.some((t) => contentType.includes(t))) {
        format = 'file';
      } else {
        format = 'text';
        const data = text();
        body = data === '' ? undefined : data;
      }
    } else if (plan.format === 'json') {
      format = 'json';
      const data = text();
      try {
        body = data.trim() === '' ? {} : JSON.parse(data);
      } catch {
        if (ctx.typeVersion < 3) body = data;
        else
          throw fail(
            ctx,
            'Response body is not valid JSON. Change "Response Format" to "Text"',
            itemIndex,
          );
      }
    } else if (plan.format === 'text') {
      format = 'text';
      body = text();
    } else format = 'file';
    return {
      statusCode: response.status,
      statusMessage: response.statusMessage,
      headers: response.headers,
      body,
      format,
      raw: response.body,
      url: response.url,
    };
  }

  async function toItems(
    ctx: ExecuteContext<unknown>,
    plan: RequestPlan,
    page: PageResponse,
    input: Item,
    itemIndex: number,
  ): Promise<Item[]> {
    const paired = { item: itemIndex };
    const meta = {
      headers: page.headers as JsonObject,
      statusCode: page.statusCode,
      statusMessage: page.statusMessage,
    };
    if (page.format === 'file') {
      const mimeType = headerValue(page.headers, 'content-type').split(';')[0]?.trim() || undefined;
      const ref = await ctx.helpers.prepareBinaryData(
        page.raw,
        fileNameOf({ url: page.url, headers: page.headers } as HttpClientResponse),
        mimeType,
      );
      return [
        {
          json: plan.fullResponse ? meta : input.json,
          binary: { ...(input.binary ?? {}), [plan.outputProperty]: ref },
          pairedItem: paired,
        },
      ];
    }
    if (page.format === 'text') {
      const json: JsonObject = plan.fullResponse
        ? { [plan.outputProperty]: page.body as JsonValue, ...meta }
        : { [plan.outputProperty]: page.body as JsonValue };
      return [{ json, pairedItem: paired }];
    }
    if (plan.fullResponse) {
      return [{ json: { body: page.body as JsonValue, ...meta }, pairedItem: paired }];
    }
    const wrap = (value: unknown): JsonObject =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as JsonObject)
        : { data: value as JsonValue };
    if (Array.isArray(page.body)) {
      return page.body.map((value) => ({ json: wrap(value), pairedItem: paired }));
    }
    return [{ json: wrap(page.body), pairedItem: paired }];
  }

  async function runItem(
    ctx: ExecuteContext<unknown>,
    params: HttpRequestParams,
    itemIndex: number,
  ): Promise<Item[]> {
    const plan =
      params.version === 'v1' ? planV1(ctx, params, itemIndex) : planV3(ctx, params, itemIndex);
    if (!plan.url) throw fail(ctx, "parameter 'url' is required", itemIndex, { retryable: false });
    const item = ctx.items[itemIndex]!;
    const pagination = params.version === 'v3' ? params.options.pagination?.pagination : undefined;
    if (!pagination || pagination.paginationMode === 'off') {
      const { response, secretParams } = await sendOnce(ctx, plan, item, itemIndex);
      if (!plan.neverError && (response.status < 200 || response.status >= 300)) {
        throw statusError(ctx, plan, response, itemIndex, secretParams);
      }
      const page = parseResponse(ctx, plan, response, itemIndex);
      if (params.version === 'v1' && page.format === 'json' && Array.isArray(page.body)) {
        if (!params.options.splitIntoItems && !plan.fullResponse) {
          // n8n v1/v2 keep an unsplit array as one item's json; BudFlow items hold objects,
          // so the array is kept under `data`.
          return [{ json: { data: page.body as JsonValue[] }, pairedItem: { item: itemIndex } }];
        }
      }
      return toItems(ctx, plan, page, item, itemIndex);
    }
    return paginate(ctx, plan, pagination, item, itemIndex);
  }

  async function paginate(
    ctx: ExecuteContext<unknown>,
    basePlan: RequestPlan,
    pagination: NonNullable<
      NonNullable<HttpRequestV3Params['options']['pagination']>['pagination']
    >,
    item: Item,
    itemIndex: number,
  ): Promise<Item[]> {
    const evaluate = evaluateWithKeys(ctx);
    const raw = (path: string) => rawParameter(ctx, `options.pagination.pagination.${path}`);
    const resolve = async (template: unknown, keys: Record<string, JsonValue>) =>
      typeof template === 'string' && template.startsWith('=')
        ? evaluate(template, itemIndex, keys)
        : template;
    const completeCodes = (pagination.statusCodesWhenComplete ?? '')
      .split(',')
      .map((c) => Number(c.trim()))
      .filter((c) => Number.isFinite(c) && c > 0);
    const completeWhen = pagination.paginationCompleteWhen ?? 'responseIsEmpty';
    const maxPages = pagination.limitPagesFetched ? (pagination.maxRequests ?? 100) : Infinity;
    const out: Item[] = [];
    let plan = basePlan;
    let pageCount = 0;
    let previousBody: string | undefined;
    let sameCount = 0;
    for (;;) {
      const { response, secretParams } = await sendOnce(ctx, plan, item, itemIndex);
      pageCount++;
      const completesByStatus =
        completeWhen === 'receiveSpecificStatusCodes' && completeCodes.includes(response.status);
      if (
        !completesByStatus &&
        !plan.neverError &&
        (response.status < 200 || response.status >= 300)
      ) {
        throw statusError(ctx, plan, response, itemIndex, secretParams);
      }
      if (completesByStatus) break;
      const page = parseResponse(ctx, plan, response, itemIndex);
      const $response: JsonObject = {
        body: (page.format === 'file' ? {} : (page.body ?? '')) as JsonValue,
        headers: page.headers,
        statusCode: page.statusCode,
        statusMessage: page.statusMessage,
      };
      const $request: JsonObject = {
        url: plan.url,
        method: plan.method,
        qs: plan.query as JsonObject,
        headers: plan.headers,
      };
      const keys = { $response, $pageCount: pageCount, $request };
      let complete = false;
      if (completeWhen === 'responseIsEmpty') {
        const b = page.body;
        complete =
          page.format !== 'file' &&
          (b === undefined ||
            b === null ||
            b === '' ||
            (Array.isArray(b) && b.length === 0) ||
            (typeof b === 'object' && !Array.isArray(b) && Object.keys(b).length === 0));
      }
      if (!complete || completeWhen !== 'responseIsEmpty') {
        out.push(...(await toItems(ctx, plan, page, item, itemIndex)));
      }
      if (completeWhen === 'other') {
        complete = Boolean(
          await resolve(raw('completeExpression') ?? pagination.completeExpression, keys),
        );
      }
      if (complete || pageCount >= maxPages) break;
      // Guard against a misconfigured pagination that requests the same page forever.
      const fingerprint = page.raw.toString('base64');
      sameCount = fingerprint === previousBody ? sameCount + 1 : 0;
      previousBody = fingerprint;
      if (sameCount >= 4) {
        throw fail(
          ctx,
          'The returned response was identical 5x, so requests got stopped. Check if "Pagination Completed When" has been configured correctly.',
          itemIndex,
          { retryable: false },
        );
      }
      const next: RequestPlan = {
        ...plan,
        query: { ...plan.query },
        headers: { ...plan.headers },
      };
      if (pagination.paginationMode === 'responseContainsNextURL') {
        const nextUrl = await resolve(raw('nextURL') ?? pagination.nextURL, keys);
        if (typeof nextUrl !== 'string' || nextUrl === '') break;
        next.url = new URL(nextUrl, response.url).toString();
        next.query = {};
      } else {
        const rawList = raw('parameters.parameters');
        const list = pagination.parameters?.parameters ?? [];
        for (let p = 0; p < list.length; p++) {
          const entry = list[p]!;
          const template = Array.isArray(rawList)
            ? (rawList[p] as { value?: unknown } | undefined)?.value
            : entry.value;
          const value = await resolve(template ?? entry.value, keys);
          if (entry.name === '') continue;
          if (entry.type === 'qs') setPath(next.query, entry.name, value);
          else if (entry.type === 'headers')
            next.headers[entry.name.toLowerCase()] = asString(value);
          else if (next.body.kind === 'json' || next.body.kind === 'form') {
            const copy = structuredClone(next.body.value ?? {}) as Record<string, unknown>;
            setPath(copy, entry.name, value);
            next.body = { ...next.body, value: copy };
          } else if (next.body.kind === 'none') {
            const value2: Record<string, unknown> = {};
            setPath(value2, entry.name, value);
            next.body = { kind: 'json', value: value2 };
          }
        }
      }
      plan = next;
      if ((pagination.requestInterval ?? 0) > 0)
        await sleep(pagination.requestInterval!, ctx.signal);
    }
    return out;
  }

  return defineNode<HttpRequestParams>({
    type: 'budflow.http.request',
    version: 1,
    title: 'HTTP Request',
    description: 'Makes an HTTP request and returns the response data',
    category: 'core',
    compat: { n8n: { type: 'n8n-nodes-base.httpRequest', versions: HTTP_REQUEST_VERSIONS } },
    credentials: [
      { name: 'httpBasicAuth' },
      { name: 'httpDigestAuth' },
      { name: 'httpHeaderAuth' },
      { name: 'httpQueryAuth' },
      { name: 'httpBearerAuth' },
      { name: 'httpCustomAuth' },
      { name: 'oAuth2Api' },
    ],
    params: (typeVersion) => httpRequestParamsFor(typeVersion),
    sideEffects: true,
    async execute(ctx) {
      const first = ctx.items.length > 0 ? ctx.params(0) : undefined;
      let batchSize = -1;
      let batchInterval = 0;
      if (first?.version === 'v3') {
        batchSize = first.options.batching?.batch?.batchSize ?? -1;
        batchInterval = first.options.batching?.batch?.batchInterval ?? 0;
      } else if (first?.version === 'v1') {
        batchSize = first.options.batchSize ?? -1;
        batchInterval = first.options.batchInterval ?? 0;
      }
      const size = batchSize > 0 ? batchSize : batchSize === 0 ? 1 : Infinity;
      const results: Array<Item[]> = new Array(ctx.items.length);
      const runOne = async (index: number) => {
        try {
          results[index] = await runItem(ctx, ctx.params(index), index);
        } catch (error) {
          if (!ctx.continueOnFail) throw error;
          const message = error instanceof Error ? error.message : String(error);
          const details = error instanceof NodeError ? error.details : {};
          results[index] = [
            {
              json: {
                error: {
                  message,
                  name: error instanceof Error ? error.name : 'Error',
                  ...(typeof details.httpCode === 'string' ? { httpCode: details.httpCode } : {}),
                },
              },
              pairedItem: { item: index },
            },
          ];
        }
      };
      const concurrency = 16;
      for (let start = 0; start < ctx.items.length;) {
        const end = Math.min(
          ctx.items.length,
          start + (Number.isFinite(size) ? size : concurrency),
        );
        if (start > 0 && Number.isFinite(size) && batchInterval > 0) {
          await sleep(batchInterval, ctx.signal);
        }
        await Promise.all(Array.from({ length: end - start }, (_, k) => runOne(start + k)));
        start = end;
      }
      return results.flat();
    },
  });
}

/** The HTTP Request node on the default client (SSRF guard on, no allow-list). */
export const httpRequestNode = createHttpRequestNode();
