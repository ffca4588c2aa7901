import type { CredentialResolver } from '@budflow/core';
import type { WebhookResponse } from '@budflow/node-sdk';
import type { ServerServices } from '../api/api-env.js';
import type { WebhookRegistration } from '../triggers/webhook-registry.js';
import { httpError } from './http-error.js';
import {
  buildWebhookItem,
  handleWebhookCall,
  lastNodeResponse,
  webhookReply,
  type WebhookCallDeps,
} from './webhook-handler.js';
import { errorReply, tooLarge, type WebhookReply, type WebhookRequest } from './webhook-request.js';

/**
 * The webhook endpoints, independent of the HTTP layer: the node:http fast path and the Hono
 * routes both call these. They never throw: a refused call becomes its JSON error reply.
 */
export interface WebhookEndpoints {
  /** `/webhook/<path>` (production) or `/webhook-test/<path>` (`test`). */
  call(req: WebhookRequest, test: boolean): Promise<WebhookReply>;
  /** `/webhook-waiting/<executionId>[/...]`: resumes a waiting execution. */
  resume(req: WebhookRequest, executionId: string): Promise<WebhookReply>;
}

/** Fixed-window counter per webhook (requests per second). */
function webhookRateLimiter(limit: number) {
  const windows = new Map<string, { second: number; count: number }>();
  return (key: string): boolean => {
    if (limit <= 0) return true;
    const second = Math.floor(Date.now() / 1000);
    const w = windows.get(key);
    if (!w || w.second !== second) {
      if (windows.size > 10_000) windows.clear();
      windows.set(key, { second, count: 1 });
      return true;
    }
    return ++w.count <= limit;
  };
}

function webhookNotFound(method: string, path: string, test: boolean) {
  return httpError(
    'WEBHOOK_NOT_REGISTERED',
    test
      ? `the test webhook ${method} /webhook-test/${path} is not registered: call POST /api/v1/workflows/<id>/test-webhook first (it listens for one call, for 120 s)`
      : `the webhook ${method} /webhook/${path} is not registered: activate the workflow that has it (POST /api/v1/workflows/<id>/activate)`,
    { method, path },
  );
}

export function createWebhookEndpoints(s: ServerServices): WebhookEndpoints {
  const allowed = webhookRateLimiter(s.config.webhookRateLimit);
  const limit = s.config.payloadLimit;
  // Stateless: one for every call (made on first use, as the execution service does).
  let credentials: CredentialResolver | undefined;
  const deps: WebhookCallDeps = {
    helpers: s.helpers,
    payloadLimit: limit,
    logger: s.logger,
    async credential(registration, type) {
      const ref = registration.nodeCredentials[type];
      if (!ref) {
        throw httpError(
          'FORBIDDEN',
          `webhook node '${registration.nodeName}' needs a '${type}' credential for its authentication`,
        );
      }
      credentials ??= s.storage.credentials.resolver();
      return credentials.resolve({
        nodeName: registration.nodeName,
        credentialType: type,
        ref,
      });
    },
    start: (registration: WebhookRegistration, item, onResponse) =>
      s.executions.start({
        workflowId: registration.workflowId,
        workflowVersionId: registration.versionId,
        projectId: registration.projectId,
        document: registration.document,
        ...(registration.parsed ? { parsed: registration.parsed } : {}),
        mode: registration.test ? 'manual' : 'webhook',
        startNode: registration.nodeName,
        input: [item],
        onResponse,
      }),
  };

  const call = async (
    req: WebhookRequest,
    test: boolean,
    errorHeaders: Record<string, string>,
  ): Promise<WebhookReply> => {
    const path = req.path.slice((test ? '/webhook-test' : '/webhook').length + 1);
    const index = test ? s.activation.testWebhooks : s.activation.webhooks;
    if (req.method === 'OPTIONS') {
      const methods = index.methodsFor(path);
      if (methods.length === 0) throw webhookNotFound(req.method, path, test);
      return {
        status: 204,
        headers: {
          'access-control-allow-origin': req.header('origin') ?? '*',
          'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
          'access-control-allow-headers': req.header('access-control-request-headers') ?? '*',
        },
        body: null,
      };
    }
    // Refuse a declared oversize body before anything else; reading the body enforces the rest.
    if (Number(req.header('content-length')) > limit) throw tooLarge(limit);
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const found = index.find(method, path);
    if (!found) throw webhookNotFound(req.method, path, test);
    if (!allowed(`${found.registration.method} ${found.registration.path}`)) {
      throw httpError('RATE_LIMITED', 'too many requests to this webhook; slow down');
    }
    if (test) s.activation.consumeTestWebhook(found.registration);
    return handleWebhookCall(req, found.registration, found.params, deps, errorHeaders);
  };

  const resume = async (req: WebhookRequest, executionId: string): Promise<WebhookReply> => {
    const execution = await s.storage.executions.get(executionId);
    if (!execution || execution.status !== 'waiting' || execution.waitTill !== null) {
      throw httpError('NOT_FOUND', `execution '${executionId}' is not waiting for a webhook call`);
    }
    const item = await buildWebhookItem(req, {}, {}, s.helpers, false, limit);
    let respond: (r: WebhookResponse) => void = () => {};
    const responded = new Promise<WebhookResponse>((resolve) => (respond = resolve));
    const started = await s.executions.resume(executionId, {
      resumeItems: [item],
      onResponse: (r) => respond(r),
    });
    const outcome = await Promise.race([
      responded.then((response) => ({ response })),
      started.done.then((result) => ({ result })),
    ]);
    if ('response' in outcome) return webhookReply(outcome.response, s.helpers, {});
    if (outcome.result.status === 'error') {
      return webhookReply(
        { statusCode: 500, body: { message: 'Error in workflow' } },
        s.helpers,
        {},
      );
    }
    return webhookReply(lastNodeResponse({}, outcome.result), s.helpers, {});
  };

  return {
    async call(req, test) {
      // Headers the error reply needs (the auth check's challenge).
      const errorHeaders: Record<string, string> = {};
      try {
        return await call(req, test, errorHeaders);
      } catch (error) {
        return errorReply(error, req, errorHeaders);
      }
    },
    async resume(req, executionId) {
      try {
        return await resume(req, executionId);
      } catch (error) {
        return errorReply(error, req);
      }
    },
  };
}
