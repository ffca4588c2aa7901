import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBudflowError } from '@budflow/node-sdk';
import type { Context } from 'hono';
import type { Logger } from 'pino';
import { errorBody, httpError, statusOf } from './http-error.js';

/**
 * A webhook request as the webhook handlers see it, whichever HTTP layer received it: the
 * node:http fast path (`node-listener.ts`) or a Hono route (`app.request`, `/webhook-waiting/`).
 */
export interface WebhookRequest {
  readonly method: string;
  /** The routed path, percent-decoded the way Hono decodes `c.req.path`. */
  readonly path: string;
  /** The full request URL (query string included). */
  readonly url: URL;
  /** A header by lower-case name. */
  header(name: string): string | undefined;
  /** Every header by lower-case name, in arrival order (Node's `IncomingMessage.headers`). */
  headers(): Record<string, string>;
  /** The client's address (IPv4-mapped IPv6 addresses as plain IPv4). */
  remoteAddress(): string;
  /** The body, at most `limit` bytes (413 beyond). */
  readBody(limit: number): Promise<Buffer>;
  /** Correlation id of the request (sent back as `x-request-id`). */
  readonly requestId: string;
  /** The request's logger (a child with the correlation id), made on first use. */
  log(): Logger;
}

/** What a webhook answers: written directly by the fast path, or turned into a `Response`. */
export interface WebhookReply {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: string | Uint8Array | null;
}

export const tooLarge = (limit: number) =>
  httpError('PAYLOAD_TOO_LARGE', `the request body is larger than the limit of ${limit} bytes`);

/**
 * Reads Node's request stream with plain listeners (an async iterator or a web stream costs
 * several times more per request), failing with 413 past `limit` bytes.
 */
export function readIncoming(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        // The rest is read and dropped, so the connection stays usable for the 413.
        incoming.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      if (!incoming.complete) reject(httpError('BAD_REQUEST', 'the request body was cut off'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('close', onClose);
  });
}

/** Node's header object as plain strings (repeated `set-cookie` joined as Headers does). */
export function incomingHeaders(incoming: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const headers = incoming.headers;
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

const plainAddress = (address: string | undefined) => address?.replace(/^::ffff:/, '') ?? '';

/** The request of a Hono route (`app.request(...)` has no Node request behind it). */
export function honoWebhookRequest(c: Context): WebhookRequest {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  let url: URL | undefined;
  return {
    method: c.req.method,
    path: c.req.path,
    get url() {
      return (url ??= new URL(c.req.url));
    },
    header: (name) => c.req.header(name),
    headers: () => {
      if (incoming) return incomingHeaders(incoming);
      const out: Record<string, string> = {};
      c.req.raw.headers.forEach((value, key) => (out[key] = value));
      return out;
    },
    remoteAddress: () => plainAddress(incoming?.socket?.remoteAddress),
    async readBody(limit) {
      const declared = Number(c.req.header('content-length'));
      if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
      if (incoming && !incoming.readableDidRead) return readIncoming(incoming, limit);
      const bytes = Buffer.from(await c.req.arrayBuffer());
      if (bytes.length > limit) throw tooLarge(limit);
      return bytes;
    },
    requestId: (c.get('requestId') as string | undefined) ?? '',
    log: () => c.get('log') as Logger,
  };
}

/** The request of the node:http fast path. */
export function nodeWebhookRequest(
  incoming: IncomingMessage,
  url: URL,
  path: string,
  requestId: string,
  log: () => Logger,
): WebhookRequest {
  return {
    method: incoming.method ?? 'GET',
    path,
    url,
    header: (name) => {
      const value = incoming.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    headers: () => incomingHeaders(incoming),
    remoteAddress: () => plainAddress(incoming.socket?.remoteAddress),
    readBody(limit) {
      const declared = Number(incoming.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
      return readIncoming(incoming, limit);
    },
    requestId,
    log,
  };
}

/** The error answer the app's error handler gives, as a reply (logged when it is a 500). */
export function errorReply(
  error: unknown,
  request: Pick<WebhookRequest, 'requestId' | 'log'>,
  headers: Record<string, string> = {},
): WebhookReply {
  const status = statusOf(error);
  if (status >= 500) {
    const err =
      error instanceof Error
        ? isBudflowError(error)
          ? error.toJSON()
          : { name: error.name, message: error.message, stack: error.stack }
        : { message: String(error) };
    request.log().error({ err }, 'request failed');
  }
  return {
    status,
    headers: {
      ...headers,
      'content-type': 'application/json',
      ...(request.requestId ? { 'x-request-id': request.requestId } : {}),
    },
    body: JSON.stringify(errorBody(error)),
  };
}

/** A reply as a fetch `Response` (for the Hono routes). */
export function replyToResponse(reply: WebhookReply): Response {
  return new Response(reply.body, { status: reply.status, headers: reply.headers });
}

/**
 * Writes a reply to Node's response as @hono/node-server would (same default content type and
 * content length), in one `writeHead` and one `end`.
 */
export function writeReply(res: ServerResponse, reply: WebhookReply): void {
  const headers: Record<string, string | number> = reply.headers;
  headers['content-type'] ??= 'text/plain; charset=UTF-8';
  if (reply.body !== null && headers['content-length'] === undefined) {
    headers['content-length'] =
      typeof reply.body === 'string' ? Buffer.byteLength(reply.body) : reply.body.byteLength;
  }
  res.writeHead(reply.status, headers);
  if (reply.body === null) res.end();
  else res.end(reply.body);
}
