import type { ExecutionEvent } from '@budflow/core';
import type { StoredExecution, StoredExecutionStatus, User } from '@budflow/storage';
import { createRoute, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { ProjectAccess } from '../auth/access.js';
import type { LiveEvent } from '../events/event-bus.js';
import { httpError } from '../http/http-error.js';
import { createRouter, responses, type ServerServices } from './api-env.js';

const STATUSES = ['new', 'running', 'success', 'error', 'canceled', 'waiting', 'crashed'] as const;
const FINAL = new Set([
  'execution.finished',
  'execution.failed',
  'execution.canceled',
  'execution.waiting',
]);

const IdParam = z.object({ id: z.string().min(1).max(100) });

const ListQuery = z.object({
  workflowId: z.string().optional(),
  status: z
    .string()
    .optional()
    .refine(
      (v) =>
        v === undefined || v.split(',').every((s) => (STATUSES as readonly string[]).includes(s)),
      {
        message: `must be one or more of ${STATUSES.join(', ')} (comma-separated)`,
      },
    ),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
});

const RetryBody = z
  .object({ loadWorkflow: z.enum(['snapshot', 'current']).default('snapshot') })
  .openapi('RetryExecution');

/** Resolves (and caches per request) which project an execution belongs to. */
function projectResolver(s: ServerServices) {
  const cache = new Map<string, string | null>();
  return async (execution: StoredExecution): Promise<string | null> => {
    if (!execution.workflowId) return null;
    if (!cache.has(execution.workflowId)) {
      const wf = await s.storage.workflows.get(execution.workflowId);
      cache.set(execution.workflowId, wf?.projectId ?? null);
    }
    return cache.get(execution.workflowId)!;
  };
}

export function executionRoutes(s: ServerServices) {
  const app = createRouter();
  const access = new ProjectAccess(s.storage);

  const load = async (user: User, id: string, level: 'read' | 'write') => {
    const execution = await s.storage.executions.get(id);
    if (!execution) throw httpError('NOT_FOUND', `execution '${id}' does not exist`);
    const projectId = await projectResolver(s)(execution);
    await access.require(user, projectId, level, `execution '${id}'`);
    return execution;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/executions',
      tags: ['executions'],
      summary: 'List executions, newest first',
      request: { query: ListQuery },
      responses: responses(),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const user = c.get('user');
      const page = await s.storage.executions.list({
        ...(q.workflowId ? { workflowId: q.workflowId } : {}),
        ...(q.status ? { status: q.status.split(',') as StoredExecutionStatus[] } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      const visible = await access.visibleProjects(user);
      let data = page.items;
      if (visible) {
        const projectOf = projectResolver(s);
        const keep = await Promise.all(
          data.map(async (e) => {
            const p = await projectOf(e);
            return p !== null && visible.has(p);
          }),
        );
        data = data.filter((_, i) => keep[i]);
      }
      return c.json({ data, nextCursor: page.nextCursor ?? null });
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/executions/{id}',
      tags: ['executions'],
      summary: 'Get an execution, with its run data unless includeData=false',
      request: {
        params: IdParam,
        query: z.object({ includeData: z.enum(['true', 'false']).optional() }),
      },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const execution = await load(c.get('user'), id, 'read');
      if (c.req.valid('query').includeData === 'false') return c.json(execution);
      const data = await s.storage.executions.getData(id);
      return c.json({
        ...execution,
        data: { resultData: { runData: data?.runData ?? {} } },
        workflowData: (await s.executions.documentOf(execution)) ?? null,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/executions/{id}',
      tags: ['executions'],
      summary: 'Delete an execution (not while it runs)',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const execution = await load(c.get('user'), id, 'write');
      if (execution.status === 'running' || execution.status === 'new') {
        throw httpError('CONFLICT', `execution '${id}' is ${execution.status}; cancel it first`);
      }
      await s.storage.executions.delete([id]);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/executions/{id}/retry',
      tags: ['executions'],
      summary: 'Retry a failed execution from the node that failed',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: RetryBody } }, required: false },
      },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = RetryBody.parse(c.req.valid('json') ?? {});
      await load(c.get('user'), id, 'write');
      const started = await s.executions.retry(id, { loadWorkflow: body.loadWorkflow });
      const result = await started.done;
      return c.json({
        executionId: started.executionId,
        retryOf: id,
        status: result.status,
        error: result.error ?? null,
      });
    },
  );

  for (const [path, summary] of [
    ['/executions/{id}/cancel', 'Cancel a queued, running or waiting execution'],
    ['/executions/{id}/stop', 'Stop an execution (also stops waiting)'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path,
        tags: ['executions'],
        summary,
        request: { params: IdParam },
        responses: responses(),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        await load(c.get('user'), id, 'write');
        return c.json(await s.executions.cancel(id));
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/executions/{id}/events',
      tags: ['executions'],
      summary:
        'Execution events as Server-Sent Events: the stored ones, then live ones until it ends',
      request: {
        params: IdParam,
        query: z.object({ afterSeq: z.coerce.number().int().min(-1).optional() }),
      },
      responses: { 200: { description: 'text/event-stream of execution events' } },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const execution = await load(c.get('user'), id, 'read');
      const lastEventId = c.req.header('last-event-id');
      const after =
        c.req.valid('query').afterSeq ??
        (lastEventId && /^\d+$/.test(lastEventId) ? Number(lastEventId) : -1);
      return streamSSE(c, async (stream) => {
        const buffered: LiveEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = s.bus.subscribeExecution(id, (live) => {
          buffered.push(live);
          wake?.();
        });
        stream.onAbort(() => {
          unsubscribe();
          wake?.();
        });
        try {
          let lastSeq = after;
          let ended = false;
          const send = async (event: ExecutionEvent) => {
            if (event.seq <= lastSeq) return;
            lastSeq = event.seq;
            await stream.writeSSE({
              id: String(event.seq),
              event: event.type,
              data: JSON.stringify(event),
            });
            if (FINAL.has(event.type)) ended = true;
          };
          for (const event of await s.storage.executions.listEvents<ExecutionEvent>(id, {
            afterSeq: after,
          })) {
            await send(event);
          }
          const current = await s.storage.executions.get(id);
          const done = ['success', 'error', 'canceled', 'crashed', 'waiting'].includes(
            current?.status ?? execution.status,
          );
          if (done && buffered.length === 0) ended = true;
          while (!ended && !stream.aborted) {
            while (buffered.length > 0) await send(buffered.shift()!.event);
            if (ended || stream.aborted) break;
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          unsubscribe();
        }
      });
    },
  );
  return app;
}
