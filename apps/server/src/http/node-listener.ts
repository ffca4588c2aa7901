import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import type { Logger } from 'pino';
import type { AppEnv, ServerServices } from '../api/api-env.js';
import { requestIdFrom } from './request-id.js';
import type { WebhookEndpoints } from './webhook-endpoints.js';
import {
  errorReply,
  nodeWebhookRequest,
  writeReply,
  type WebhookReply,
  type WebhookRequest,
} from './webhook-request.js';

/**
 * The server's request listener. `/webhook/*` and `/webhook-test/*` are answered straight from
 * node:http: turning every call into a WHATWG `Request` and its answer into a `Response` (what
 * Hono on @hono/node-server does) cost about a third of a webhook's main-thread time. Everything
 * else, and any request target that is not a plain origin-form path, goes to the Hono app, which
 * answers it exactly as before. The fast path keeps the app middleware's duties: correlation id
 * (`x-request-id`), access log line, latency metric and JSON error bodies.
 */
export function createRequestListener(
  app: Hono<AppEnv>,
  webhooks: WebhookEndpoints,
  s: Pick<ServerServices, 'logger' | 'metrics'>,
  defaultHostname: string,
): RequestListener {
  const hono = getRequestListener(app.fetch, { hostname: defaultHostname });

  const answer = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
    test: boolean,
  ) => {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    // A child logger per request costs more than the rest of the access log: made on first use.
    let log: Logger | undefined;
    const logOf = () => (log ??= s.logger.child({ reqId: requestId }));
    const request = nodeWebhookRequest(req, url, path, requestId, logOf);
    const reply = await webhooks.call(request, test);
    send(res, reply, request);
    const ms = performance.now() - started;
    const method = request.method;
    s.metrics?.httpDuration.observe(
      { method, route: test ? '/webhook-test' : '/webhook', status: String(res.statusCode) },
      ms / 1000,
    );
    if (s.logger.isLevelEnabled('debug')) {
      logOf().debug(
        { method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 },
        'request',
      );
    }
  };

  return (req, res) => {
    const target = webhookTarget(req);
    if (!target) {
      void hono(req, res);
      return;
    }
    answer(req, res, target.url, target.path, target.test).catch((error: unknown) => {
      s.logger.error({ err: error }, 'webhook request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  };
}

/**
 * The URL and routed path of an origin-form `/webhook/` or `/webhook-test/` request; undefined
 * for anything else, including what Hono checks and answers itself (backslashes, absolute form,
 * a missing or odd Host).
 */
function webhookTarget(
  req: IncomingMessage,
): { url: URL; path: string; test: boolean } | undefined {
  const target = req.url ?? '';
  const host = req.headers.host;
  if (!target.startsWith('/webhook') || target.includes('\\') || !host) return undefined;
  let url: URL;
  try {
    const scheme = (req.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    url = new URL(`${scheme}://${host}${target}`);
  } catch {
    return undefined;
  }
  if (url.hostname.length !== host.length && url.hostname !== host.replace(/:\d+$/, '')) {
    return undefined;
  }
  // The URL parser resolves dot segments, so the prefix is checked on the routed path.
  const path = getPath({ url: url.href } as Request);
  const test = path.startsWith('/webhook-test/');
  if (!test && !path.startsWith('/webhook/')) return undefined;
  return { url, path, test };
}

/** Writes the reply; a header node code set that Node refuses becomes a 500 error reply. */
function send(res: ServerResponse, reply: WebhookReply, request: WebhookRequest) {
  try {
    writeReply(res, reply);
  } catch (error) {
    if (res.headersSent) throw error;
    writeReply(res, errorReply(error, request));
  }
}
