import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type * as Undici from 'undici';
import type { Dispatcher, FormData } from 'undici';
import { BudflowError } from '@budflow/node-sdk';
import {
  createSsrfGuard,
  SsrfBlockedError,
  type SsrfGuard,
  type SsrfOptions,
} from './ssrf-guard.js';
import { loadOnce } from '../../../shared/index.js';

export const HTTP_REQUEST_FAILED = 'HTTP_REQUEST_FAILED';
export const HTTP_TIMEOUT = 'HTTP_TIMEOUT';

export interface ResolvedAddress {
  address: string;
  family: number;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface HttpClientOptions {
  /** SSRF guard options; on by default. `false` (or `{ enabled: false }`) turns it off. */
  ssrf?: SsrfOptions | false;
  /** Host name resolution; defaults to the system resolver (`dns.lookup`). Tests inject one. */
  resolve?: Resolver;
  /** Refuse bodies larger than this (default 256 MiB). */
  maxResponseBytes?: number;
  /** Connect timeout in ms (default 10 s). */
  connectTimeoutMs?: number;
}

export type HttpBody = string | Uint8Array | FormData;

export interface HttpClientRequest {
  url: string;
  method?: string;
  headers?: Record<string, string | string[]>;
  body?: HttpBody;
  /** Whole-request timeout in ms (n8n's `timeout`). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Default true. */
  followRedirects?: boolean;
  /** Default 21 (n8n's default). */
  maxRedirects?: number;
  /**
   * When false (n8n v1/v2 `followRedirect` alone), redirects are only followed for GET/HEAD;
   * true follows them for every method. Default true.
   */
  followNonGetRedirects?: boolean;
  /** `http://user:pass@host:port`. The proxy host is checked by the SSRF guard too. */
  proxy?: string;
  /** Accept any TLS certificate. */
  ignoreSslIssues?: boolean;
}

export interface HttpClientResponse {
  status: number;
  statusMessage: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** Final URL after redirects. */
  url: string;
  redirects: number;
}

export interface HttpClient {
  readonly guard: SsrfGuard;
  request(request: HttpClientRequest): Promise<HttpClientResponse>;
  close(): Promise<void>;
}

const SECRET_QUERY =
  /^(?:api[-_]?key|key|token|access[-_]?token|secret|password|pass|sig|signature|auth|client[-_]?secret)$/i;

/** The URL with user-info and secret-looking query values replaced by `***`. */
export function redactUrl(url: string, secretParams: readonly string[] = []): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
  if (parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  const extra = new Set(secretParams.map((p) => p.toLowerCase()));
  for (const key of [...parsed.searchParams.keys()]) {
    if (SECRET_QUERY.test(key) || extra.has(key.toLowerCase())) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

/*
 * undici (~22 MB of memory) is loaded at the first request, not with the package: most workflows
 * make no HTTP request. The SSRF guard does not depend on it: it runs in every connection's
 * `lookup` and before every hop.
 */
const loadUndici = loadOnce(() => import('undici'));

/** A multipart body for `HttpClient.request` (undici's `FormData`, loaded on first use). */
export async function createFormData(): Promise<FormData> {
  const { FormData } = await loadUndici();
  return new FormData();
}

const lookupAll = promisify(dnsLookup);
const systemResolve: Resolver = async (hostname) => await lookupAll(hostname, { all: true });

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | ResolvedAddress[],
  family?: number,
) => void;

/**
 * An HTTP client on undici whose every connection goes through the SSRF guard: URL hosts that
 * are IP literals are checked before the request, host names at DNS resolution time (the address
 * that is checked is the one connected to, so DNS rebinding cannot slip through), and each
 * redirect hop again.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const guard = createSsrfGuard(options.ssrf === false ? { enabled: false } : options.ssrf);
  const resolve = options.resolve ?? systemResolve;
  const maxBytes = options.maxResponseBytes ?? 256 * 1024 * 1024;
  const dispatchers = new Map<string, Dispatcher>();

  const lookup = (
    hostname: string,
    lookupOptions: { all?: boolean },
    callback: LookupCallback,
  ): void => {
    resolve(hostname).then(
      (addresses) => {
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          error.code = 'ENOTFOUND';
          return callback(error, []);
        }
        if (guard.checkHostname(hostname) !== 'allowed') {
          for (const { address } of addresses) {
            const verdict = guard.checkAddress(address, hostname);
            if (verdict) {
              const blocked = new SsrfBlockedError(
                hostname,
                verdict,
              ) as Error as NodeJS.ErrnoException;
              return callback(blocked, []);
            }
          }
        }
        if (lookupOptions.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };

  const dispatcherFor = (
    { Agent, ProxyAgent }: typeof Undici,
    ignoreSsl: boolean,
    proxy: string | undefined,
  ): Dispatcher => {
    const key = `${ignoreSsl ? 1 : 0}|${proxy ?? ''}`;
    let dispatcher = dispatchers.get(key);
    if (!dispatcher) {
      const connect = {
        lookup,
        rejectUnauthorized: !ignoreSsl,
        timeout: options.connectTimeoutMs ?? 10_000,
      };
      dispatcher = proxy
        ? new ProxyAgent({ uri: proxy, proxyTls: connect, requestTls: connect })
        : new Agent({ connect });
      dispatchers.set(key, dispatcher);
    }
    return dispatcher;
  };

  const checkDestination = async (url: URL, viaProxy: boolean) => {
    const hostname = url.hostname;
    const byName = guard.checkHostname(hostname);
    if (byName === 'allowed') return;
    if (byName) throw new SsrfBlockedError(redactUrl(url.toString()), byName);
    const bare = hostname.replace(/^\[|\]$/g, '');
    if (isIP(bare)) {
      const verdict = guard.checkAddress(bare);
      if (verdict) throw new SsrfBlockedError(redactUrl(url.toString()), verdict);
      return;
    }
    // Through a proxy the proxy resolves the name: check what it resolves to here.
    if (viaProxy) {
      for (const { address } of await resolve(hostname)) {
        const verdict = guard.checkAddress(address, hostname);
        if (verdict) throw new SsrfBlockedError(redactUrl(url.toString()), verdict);
      }
    }
  };

  async function send(req: HttpClientRequest): Promise<HttpClientResponse> {
    const followRedirects = req.followRedirects ?? true;
    const maxRedirects = req.maxRedirects ?? 21;
    const signals = [req.signal, req.timeoutMs ? AbortSignal.timeout(req.timeoutMs) : undefined];
    const active = signals.filter((s): s is AbortSignal => s !== undefined);
    const signal = active.length > 1 ? AbortSignal.any(active) : active[0];
    let method = (req.method ?? 'GET').toUpperCase();
    let body = req.body;
    let headers = { ...(req.headers ?? {}) };
    let current = new URL(req.url);
    const undici = await loadUndici();
    const dispatcher = dispatcherFor(undici, req.ignoreSslIssues ?? false, req.proxy);
    if (req.proxy) await checkDestination(new URL(req.proxy), false);

    for (let redirects = 0; ; redirects++) {
      if (current.protocol !== 'http:' && current.protocol !== 'https:') {
        throw new BudflowError(
          HTTP_REQUEST_FAILED,
          `unsupported protocol '${current.protocol}' in ${redactUrl(current.toString())}`,
        );
      }
      await checkDestination(current, req.proxy !== undefined);
      const requestHeaders = withUserInfo(current, headers);
      const target = new URL(current);
      target.username = '';
      target.password = '';
      let response: Dispatcher.ResponseData;
      try {
        response = await undici.request(target, {
          method: method,
          headers: requestHeaders,
          body: body as never,
          dispatcher,
          signal,
        });
      } catch (error) {
        throw transportError(error, current, req.timeoutMs, req.signal);
      }
      const status = response.statusCode;
      const location = response.headers.location;
      const canFollow =
        followRedirects &&
        status >= 300 &&
        status < 400 &&
        status !== 304 &&
        typeof location === 'string' &&
        (req.followNonGetRedirects !== false || method === 'GET' || method === 'HEAD');
      if (!canFollow) {
        const raw = await readBody(response, maxBytes, current);
        return {
          status,
          statusMessage: statusText(status),
          headers: flattenHeaders(response.headers),
          body: decode(raw, response.headers['content-encoding']),
          url: current.toString(),
          redirects,
        };
      }
      await response.body.dump();
      if (redirects >= maxRedirects) {
        throw new BudflowError(
          HTTP_REQUEST_FAILED,
          `too many redirects (more than ${maxRedirects}) requesting ${redactUrl(req.url)}`,
          { details: { url: redactUrl(req.url) } },
        );
      }
      const next = new URL(location, current);
      if (next.origin !== current.origin) {
        // Credentials are meant for the origin they were given for.
        headers = Object.fromEntries(
          Object.entries(headers).filter(
            ([k]) => !['authorization', 'cookie', 'proxy-authorization'].includes(k.toLowerCase()),
          ),
        );
      }
      if (status === 303 || ((status === 301 || status === 302) && method !== 'HEAD')) {
        if (method !== 'GET' && method !== 'HEAD') {
          method = 'GET';
          body = undefined;
          headers = Object.fromEntries(
            Object.entries(headers).filter(
              ([k]) => !['content-type', 'content-length'].includes(k.toLowerCase()),
            ),
          );
        }
      }
      current = next;
    }
  }

  return {
    guard,
    request: send,
    async close() {
      await Promise.all([...dispatchers.values()].map((d) => d.close()));
      dispatchers.clear();
    },
  };
}

function withUserInfo(url: URL, headers: Record<string, string | string[]>) {
  if (!url.username && !url.password) return headers;
  if (Object.keys(headers).some((k) => k.toLowerCase() === 'authorization')) return headers;
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return {
    ...headers,
    authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
  };
}

async function readBody(response: Dispatcher.ResponseData, maxBytes: number, url: URL) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > maxBytes) {
      response.body.destroy();
      throw new BudflowError(
        HTTP_REQUEST_FAILED,
        `response from ${redactUrl(url.toString())} is larger than ${maxBytes} bytes`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function decode(body: Buffer, encoding: string | string[] | undefined): Buffer {
  const value = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? '')).trim();
  if (body.byteLength === 0 || value === '' || value === 'identity') return body;
  try {
    if (value === 'gzip' || value === 'x-gzip') return gunzipSync(body);
    if (value === 'deflate') return inflateSync(body);
    if (value === 'br') return brotliDecompressSync(body);
  } catch {
    return body;
  }
  return body;
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>) {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) out[key] = value;
  return out;
}

function transportError(
  error: unknown,
  url: URL,
  timeoutMs: number | undefined,
  outer: AbortSignal | undefined,
): Error {
  const shown = redactUrl(url.toString());
  const cause = unwrap(error);
  if (cause instanceof SsrfBlockedError) return new SsrfBlockedError(shown, cause.verdict);
  if (cause instanceof BudflowError) return cause;
  if (outer?.aborted) return outer.reason instanceof Error ? outer.reason : new Error('aborted');
  const name = (cause as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new BudflowError(
      HTTP_TIMEOUT,
      `timeout of ${timeoutMs ?? 0}ms exceeded requesting ${shown}`,
      {
        details: { url: shown },
        cause: error,
      },
    );
  }
  const code = (cause as { code?: string }).code;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new BudflowError(
    HTTP_REQUEST_FAILED,
    `request to ${shown} failed: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`,
    { details: { url: shown, ...(code ? { errorCode: code } : {}) }, cause: error },
  );
}

function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5 && current instanceof Error; i++) {
    if (current instanceof SsrfBlockedError || current instanceof BudflowError) return current;
    if (!(current.cause instanceof Error)) break;
    current = current.cause;
  }
  return current instanceof Error || error === undefined ? current : error;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}
