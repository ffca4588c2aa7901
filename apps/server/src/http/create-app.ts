import type { ExecutionEvent } from '@budflow/core';
import { isBudflowError } from '@budflow/node-sdk';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { UpgradeWebSocket } from 'hono/ws';
import type { AppEnv, ServerServices } from '../api/api-env.js';
import { createRouter } from '../api/api-env.js';
import { publicAuthRoutes, userRoutes } from '../api/auth-routes.js';
import { executionRoutes } from '../api/execution-routes.js';
import { resourceRoutes } from '../api/resource-routes.js';
import { workflowRoutes } from '../api/workflow-routes.js';
import { ProjectAccess } from '../auth/access.js';
import { API_KEY_HEADER, SESSION_COOKIE } from '../auth/auth-service.js';
import { errorBody, httpError, statusOf } from './http-error.js';
import { requestIdFrom } from './request-id.js';
import { createWebhookEndpoints, type WebhookEndpoints } from './webhook-endpoints.js';
import { honoWebhookRequest, replyToResponse } from './webhook-request.js';

const PUBLIC_API_PATHS = new Set([
  '/api/v1/owner',
  '/api/v1/owner/setup',
  '/api/v1/login',
  '/api/v1/logout',
  '/api/v1/openapi.json',
  '/api/v1/docs',
]);

const DOCS_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>BudFlow API</title>
<link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
<script>window.ui = SwaggerUIBundle({ url: './openapi.json', dom_id: '#ui' });</script>
</body></html>`;

export interface CreatedApp {
  app: Hono<AppEnv>;
}

/** Builds the HTTP application: REST API, webhooks, live events and operations endpoints. */
export function createApp(
  s: ServerServices,
  upgradeWebSocket?: UpgradeWebSocket,
  webhooks: WebhookEndpoints = createWebhookEndpoints(s),
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const access = new ProjectAccess(s.storage);

  // Correlation id, access log and latency metric for every request.
  app.use('*', async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    c.set('requestId', requestId);
    const log = s.logger.child({ reqId: requestId });
    c.set('log', log);
    const started = performance.now();
    const webhook = c.req.path.startsWith('/webhook');
    // Webhook handlers add it to their own responses, which stay on node-server's fast path.
    if (!webhook) c.header('x-request-id', requestId);
    await next();
    const ms = performance.now() - started;
    const path = c.req.path;
    const route = webhook ? path.split('/', 2).join('/') : c.req.routePath;
    s.metrics?.httpDuration.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      ms / 1000,
    );
    const line = { method: c.req.method, path, status: c.res.status, ms: Math.round(ms * 10) / 10 };
    if (route.startsWith('/webhook')) log.debug(line, 'request');
    else log.info(line, 'request');
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    if (requestId) c.header('x-request-id', requestId);
    // Hono's own errors (malformed JSON, ...) carry their status; below 500 they are the client's.
    if (error instanceof HTTPException && error.status < 500) {
      const code =
        error.status === 413
          ? 'PAYLOAD_TOO_LARGE'
          : error.status === 401
            ? 'UNAUTHENTICATED'
            : 'BAD_REQUEST';
      return c.json({ error: { code, message: error.message || 'bad request' } }, error.status);
    }
    const status = statusOf(error);
    if (status >= 500) {
      (c.get('log') ?? s.logger).error(
        {
          err: isBudflowError(error)
            ? error.toJSON()
            : { name: error.name, message: error.message, stack: error.stack },
        },
        'request failed',
      );
    }
    return c.json(errorBody(error), status);
  });

  app.notFound((c) =>
    c.json(
      { error: { code: 'NOT_FOUND', message: `no route for ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );

  const tooLarge = (limit: number) => (c: Context) =>
    c.json(
      {
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `the request body is larger than the limit of ${limit} bytes`,
        },
      },
      413,
    );

  // Operations.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (!s.isReady()) return c.json({ status: 'starting' }, 503);
    try {
      // Start-up applied (or verified) the migrations; here only the database must answer.
      await s.storage.settings.get('budflow.readyz');
      return c.json({ status: 'ready', database: 'ok', migrations: 'applied' });
    } catch (error) {
      s.logger.warn({ err: { message: (error as Error).message } }, 'readiness check failed');
      return c.json({ status: 'unavailable', database: 'unreachable' }, 503);
    }
  });
  if (s.metrics) {
    const registry = s.metrics.registry;
    app.get('/metrics', async (c) =>
      c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  }

  // Authentication for the API (session cookie or API key).
  const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
    const key = c.req.header(API_KEY_HEADER);
    const user = key
      ? await s.auth.verifyApiKey(key)
      : await (async () => {
          const token = getCookie(c, SESSION_COOKIE);
          return token ? s.auth.verifySession(token) : undefined;
        })();
    if (!user) {
      throw httpError(
        'UNAUTHENTICATED',
        key
          ? 'the API key is invalid or expired'
          : 'sign in (POST /api/v1/login) or send an X-BUDFLOW-API-KEY header',
      );
    }
    c.set('user', user);
    await next();
  };

  app.use(
    '/api/*',
    bodyLimit({ maxSize: s.config.apiPayloadLimit, onError: tooLarge(s.config.apiPayloadLimit) }),
  );
  app.use('/api/v1/*', async (c, next) => {
    if (PUBLIC_API_PATHS.has(c.req.path)) return next();
    return authenticate(c, next);
  });

  if (upgradeWebSocket) {
    // Live events of every execution the user may see (or of one: ?executionId=).
    app.get(
      '/api/v1/ws',
      upgradeWebSocket((c) => {
        const user = c.get('user');
        const only = c.req.query('executionId');
        let unsubscribe: (() => void) | undefined;
        return {
          onOpen: (_event, ws) => {
            void access.visibleProjects(user).then((visible) => {
              const listener = (live: { event: ExecutionEvent; projectId: string | null }) => {
                if (visible && (live.projectId === null || !visible.has(live.projectId))) return;
                ws.send(JSON.stringify(live.event));
              };
              unsubscribe = only
                ? s.bus.subscribeExecution(only, listener)
                : s.bus.subscribeAll(listener);
            });
          },
          onClose: () => unsubscribe?.(),
          onError: () => unsubscribe?.(),
        };
      }) as MiddlewareHandler<AppEnv>,
    );
  }

  const api = createRouter();
  api.route('/', publicAuthRoutes(s));
  api.route('/', userRoutes(s));
  api.route('/', workflowRoutes(s));
  api.route('/', executionRoutes(s));
  api.route('/', resourceRoutes(s));
  api.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-BUDFLOW-API-KEY',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
  });
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'BudFlow API',
      version: '1',
      description:
        'Workflows, executions, credentials, variables, tags, projects, users and API keys.',
    },
    servers: [{ url: `${s.publicUrl}/api/v1` }],
    security: [{ apiKey: [] }, { session: [] }],
  });
  api.get('/docs', (c) => c.html(DOCS_PAGE));
  app.route('/api/v1', api);

  // Webhooks (the server's node:http listener answers most of them before Hono; these routes
  // serve `app.request` and `/webhook-waiting/`).
  for (const [prefix, test] of [
    ['/webhook', false],
    ['/webhook-test', true],
  ] as const) {
    app.all(`${prefix}/*`, async (c) =>
      replyToResponse(await webhooks.call(honoWebhookRequest(c), test)),
    );
  }

  // Resume a waiting execution (Wait node "on webhook call", $execution.resumeUrl).
  const resumeWaiting = async (c: Context<AppEnv>) =>
    replyToResponse(await webhooks.resume(honoWebhookRequest(c), c.req.param('executionId') ?? ''));
  app.all('/webhook-waiting/:executionId{[^/]+}/*', (c) => resumeWaiting(c));
  app.all('/webhook-waiting/:executionId', (c) => resumeWaiting(c));

  return app;
}
