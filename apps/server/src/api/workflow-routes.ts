import { parseWorkflow } from '@budflow/core';
import type { JsonObject } from '@budflow/node-sdk';
import type { StoredWorkflow, User } from '@budflow/storage';
import { createRoute, z } from '@hono/zod-openapi';
import { ProjectAccess } from '../auth/access.js';
import { httpError } from '../http/http-error.js';
import { createRouter, responses, type ServerServices } from './api-env.js';

const Node = z
  .looseObject({
    name: z.string().min(1),
    type: z.string().min(1),
    typeVersion: z.number().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('WorkflowNode');

/** An n8n workflow document (what n8n exports), plus BudFlow's tags and project. */
const WorkflowBody = z
  .looseObject({
    name: z.string().min(1).max(128).optional(),
    nodes: z.array(Node),
    connections: z.record(z.string(), z.unknown()).default({}),
    settings: z.record(z.string(), z.unknown()).optional(),
    pinData: z.record(z.string(), z.array(z.unknown())).optional(),
    staticData: z.unknown().optional(),
    meta: z.unknown().optional(),
    tags: z
      .array(z.union([z.string().min(1), z.looseObject({ name: z.string().min(1) })]))
      .optional(),
    projectId: z.string().min(1).nullable().optional(),
  })
  .openapi('Workflow');

const UpdateBody = WorkflowBody.partial().extend({
  /** Optimistic concurrency: fail with 409 when the workflow changed since this version. */
  expectedVersionId: z.string().optional(),
});

const IdParam = z.object({ id: z.string().min(1).max(100) });

const ListQuery = z.object({
  name: z.string().optional(),
  tag: z.string().optional(),
  active: z.enum(['true', 'false']).optional(),
  projectId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().optional(),
});

const RunBody = z
  .object({
    startNode: z.string().min(1).optional(),
    destinationNode: z.string().min(1).optional(),
    input: z.array(z.record(z.string(), z.unknown())).optional(),
    pinData: z.record(z.string(), z.array(z.unknown())).optional(),
    runData: z.record(z.string(), z.array(z.unknown())).optional(),
    /** Wait for the result (default true); false answers at once with the execution id. */
    wait: z.boolean().default(true),
  })
  .openapi('RunWorkflow');

const DOCUMENT_KEYS = [
  'name',
  'nodes',
  'connections',
  'settings',
  'pinData',
  'staticData',
  'meta',
] as const;

function documentOf(body: Record<string, unknown>, fallbackName?: string): JsonObject {
  const document: JsonObject = {};
  for (const key of DOCUMENT_KEYS) {
    if (body[key] !== undefined) document[key] = body[key] as JsonObject[string];
  }
  if (document.name === undefined && fallbackName) document.name = fallbackName;
  return document;
}

const tagNames = (tags: Array<string | { name: string }> | undefined) =>
  tags?.map((t) => (typeof t === 'string' ? t : t.name));

export function workflowView(workflow: StoredWorkflow, activationError?: string) {
  const { document, ...summary } = workflow;
  return {
    ...summary,
    nodes: document.nodes ?? [],
    connections: document.connections ?? {},
    settings: document.settings ?? {},
    pinData: document.pinData ?? {},
    ...(document.staticData !== undefined ? { staticData: document.staticData } : {}),
    ...(document.meta !== undefined ? { meta: document.meta } : {}),
    ...(activationError ? { activationError } : {}),
  };
}

export function workflowRoutes(s: ServerServices) {
  const app = createRouter();
  const access = new ProjectAccess(s.storage);

  const load = async (user: User, id: string, level: 'read' | 'write') => {
    const workflow = await s.storage.workflows.get(id);
    if (!workflow) throw httpError('NOT_FOUND', `workflow '${id}' does not exist`);
    await access.require(user, workflow.projectId, level, `workflow '${id}'`);
    return workflow;
  };

  const validate = (document: JsonObject) => parseWorkflow(document, { registry: s.registry });

  const create = async (user: User, body: z.infer<typeof WorkflowBody>) => {
    const document = documentOf(body, 'My workflow');
    validate(document);
    const projectId = body.projectId ?? (await access.defaultProject(user));
    if (body.projectId)
      await access.require(user, body.projectId, 'write', `project '${body.projectId}'`);
    const tags = tagNames(body.tags);
    const workflow = await s.storage.workflows.create({
      document,
      projectId,
      authorId: user.id,
      ...(tags ? { tags } : {}),
    });
    await s.storage.auditLog.append({
      action: 'workflow.create',
      entityType: 'workflow',
      entityId: workflow.id,
      actorId: user.id,
      projectId,
    });
    return workflow;
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workflows',
      tags: ['workflows'],
      summary: 'List workflows',
      request: { query: ListQuery },
      responses: responses(),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const user = c.get('user');
      const visible = await access.visibleProjects(user);
      if (q.projectId && visible && !visible.has(q.projectId))
        return c.json({ data: [], nextCursor: null });
      const page = await s.storage.workflows.search({
        ...(q.name ? { name: q.name } : {}),
        ...(q.tag ? { tag: q.tag } : {}),
        ...(q.active ? { active: q.active === 'true' } : {}),
        ...(q.projectId ? { projectId: q.projectId } : {}),
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      const data = visible
        ? page.items.filter((w) => w.projectId !== null && visible.has(w.projectId))
        : page.items;
      return c.json({ data, nextCursor: page.nextCursor ?? null });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows',
      tags: ['workflows'],
      summary: 'Create a workflow (n8n JSON)',
      request: {
        body: { content: { 'application/json': { schema: WorkflowBody } }, required: true },
      },
      responses: responses(201),
    }),
    async (c) => c.json(workflowView(await create(c.get('user'), c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/import',
      tags: ['workflows'],
      summary: 'Import a workflow exported from n8n (its id and active flag are ignored)',
      request: {
        body: { content: { 'application/json': { schema: WorkflowBody } }, required: true },
      },
      responses: responses(201),
    }),
    async (c) => c.json(workflowView(await create(c.get('user'), c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workflows/{id}',
      tags: ['workflows'],
      summary: 'Get a workflow',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const workflow = await load(c.get('user'), c.req.valid('param').id, 'read');
      return c.json(workflowView(workflow, await s.activation.activationError(workflow.id)));
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workflows/{id}/export',
      tags: ['workflows'],
      summary: 'Export as n8n workflow JSON',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const w = await load(c.get('user'), c.req.valid('param').id, 'read');
      return c.json({
        id: w.id,
        name: w.name,
        active: w.active,
        ...w.document,
        tags: w.tags.map((name) => ({ name })),
        versionId: w.versionId,
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/workflows/{id}',
      tags: ['workflows'],
      summary: 'Update a workflow (a new version when nodes, connections or name change)',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: UpdateBody } }, required: true },
      },
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const current = await load(user, id, 'write');
      const hasDocument = DOCUMENT_KEYS.some((k) => body[k] !== undefined);
      const document = hasDocument ? { ...current.document, ...documentOf(body) } : undefined;
      if (document) validate(document);
      if (body.projectId !== undefined && body.projectId !== null) {
        await access.require(user, body.projectId, 'write', `project '${body.projectId}'`);
      }
      const tags = tagNames(body.tags);
      const updated = await s.storage.workflows.update(
        id,
        {
          ...(document ? { document } : {}),
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(tags ? { tags } : {}),
          ...(body.projectId !== undefined ? { projectId: body.projectId } : {}),
        },
        {
          authorId: user.id,
          ...(body.expectedVersionId ? { expectedVersionId: body.expectedVersionId } : {}),
        },
      );
      // An active workflow picks up its new triggers at once.
      if (updated.active) {
        await s.activation.activate(updated).catch(() => undefined);
      }
      return c.json(workflowView(updated, await s.activation.activationError(id)));
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/workflows/{id}',
      tags: ['workflows'],
      summary: 'Delete a workflow',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      const workflow = await load(user, id, 'write');
      await s.activation.deactivate(id);
      await s.storage.workflows.delete(id);
      await s.storage.auditLog.append({
        action: 'workflow.delete',
        entityType: 'workflow',
        entityId: id,
        actorId: user.id,
        projectId: workflow.projectId,
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workflows/{id}/versions',
      tags: ['workflows'],
      summary: 'Version history, newest first',
      request: {
        params: IdParam,
        query: z.object({
          limit: z.coerce.number().int().min(1).max(500).optional(),
          cursor: z.string().optional(),
        }),
      },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      await load(c.get('user'), id, 'read');
      const page = await s.storage.workflows.listVersions(id, {
        ...(q.limit ? { limit: q.limit } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
      });
      return c.json({
        data: page.items.map(({ document: _d, ...v }) => v),
        nextCursor: page.nextCursor ?? null,
      });
    },
  );

  const VersionParam = IdParam.extend({ version: z.string().min(1).max(100) });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/workflows/{id}/versions/{version}',
      tags: ['workflows'],
      summary: 'One version (by number or version id)',
      request: { params: VersionParam },
      responses: responses(),
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      await load(c.get('user'), id, 'read');
      const found = await s.storage.workflows.getVersion(
        id,
        /^\d+$/.test(version) ? Number(version) : version,
      );
      if (!found) throw httpError('NOT_FOUND', `workflow '${id}' has no version '${version}'`);
      return c.json(found);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/versions/{version}/restore',
      tags: ['workflows'],
      summary: 'Restore a version (as a new version)',
      request: { params: VersionParam },
      responses: responses(),
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      const user = c.get('user');
      await load(user, id, 'write');
      const restored = await s.storage.workflows.restoreVersion(
        id,
        /^\d+$/.test(version) ? Number(version) : version,
        { authorId: user.id },
      );
      if (restored.active) await s.activation.activate(restored).catch(() => undefined);
      return c.json(workflowView(restored));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/activate',
      tags: ['workflows'],
      summary: 'Activate: register its webhooks, schedules and polling triggers',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      const workflow = await load(user, id, 'write');
      try {
        await s.activation.activate(workflow);
      } catch (error) {
        throw httpError(
          'BAD_REQUEST',
          `workflow '${id}' could not be activated: ${(error as Error).message}`,
        );
      }
      const updated = workflow.active ? workflow : await s.storage.workflows.setActive(id, true);
      await s.storage.auditLog.append({
        action: 'workflow.activate',
        entityType: 'workflow',
        entityId: id,
        actorId: user.id,
        projectId: workflow.projectId,
      });
      return c.json(workflowView(updated));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/deactivate',
      tags: ['workflows'],
      summary: 'Deactivate: remove its triggers',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      const workflow = await load(user, id, 'write');
      await s.activation.deactivate(id);
      const updated = workflow.active ? await s.storage.workflows.setActive(id, false) : workflow;
      await s.storage.auditLog.append({
        action: 'workflow.deactivate',
        entityType: 'workflow',
        entityId: id,
        actorId: user.id,
        projectId: workflow.projectId,
      });
      return c.json(workflowView(updated));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/run',
      tags: ['workflows'],
      summary: 'Run manually (optionally with pinned data, a start or a destination node)',
      request: {
        params: IdParam,
        body: { content: { 'application/json': { schema: RunBody } }, required: false },
      },
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const { id } = c.req.valid('param');
      // The body is optional: without one, validation is skipped and defaults apply here.
      const body = RunBody.parse(c.req.valid('json') ?? {});
      const workflow = await load(user, id, 'write');
      const started = await s.executions.start({
        workflowId: workflow.id,
        workflowVersionId: workflow.versionId,
        projectId: workflow.projectId,
        document: workflow.document,
        mode: 'manual',
        ...(body.input ? { input: body.input.map((json) => ({ json: json as JsonObject })) } : {}),
        ...(body.startNode ? { startNode: body.startNode } : {}),
        ...(body.destinationNode ? { destinationNode: body.destinationNode } : {}),
        ...(body.pinData ? { pinData: body.pinData as Record<string, JsonObject[]> } : {}),
        ...(body.runData ? { runData: body.runData as never } : {}),
      });
      if (!body.wait) return c.json({ executionId: started.executionId, status: 'new' }, 202);
      const result = await started.done;
      return c.json({
        executionId: started.executionId,
        status: result.status,
        lastNodeExecuted: result.lastNodeExecuted ?? null,
        error: result.error ?? null,
        data: { resultData: { runData: result.runData } },
      });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/workflows/{id}/test-webhook',
      tags: ['workflows'],
      summary: 'Listen for one call on the test webhook URLs (for 120 s by default)',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const workflow = await load(c.get('user'), c.req.valid('param').id, 'write');
      let registrations;
      try {
        registrations = s.activation.registerTestWebhooks(workflow);
      } catch (error) {
        throw httpError('BAD_REQUEST', (error as Error).message);
      }
      return c.json({
        expiresAt: registrations[0]?.expiresAt ?? null,
        webhooks: registrations.map((r) => ({
          method: r.method,
          nodeName: r.nodeName,
          url: `${s.publicUrl}/webhook-test/${r.path}`,
        })),
      });
    },
  );
  return app;
}
