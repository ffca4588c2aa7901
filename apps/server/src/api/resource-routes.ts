import type { CredentialDefinition } from '@budflow/node-sdk';
import * as nodesBase from '@budflow/nodes-base';
import type { User } from '@budflow/storage';
import { createRoute, z } from '@hono/zod-openapi';
import { ProjectAccess, requireInstanceAdmin } from '../auth/access.js';
import { httpError } from '../http/http-error.js';
import { createRouter, responses, type ServerServices } from './api-env.js';

const IdParam = z.object({ id: z.string().min(1).max(100) });
const json = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
});

const CredentialBody = z
  .object({
    name: z.string().trim().min(1).max(128),
    type: z.string().min(1).max(128),
    data: z.record(z.string(), z.unknown()),
    projectId: z.string().min(1).nullable().optional(),
  })
  .openapi('Credential');

const CredentialPatch = z
  .object({
    name: z.string().trim().min(1).max(128).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('CredentialPatch');

const VariableBody = z
  .object({
    key: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
        message: 'must be letters, digits and _ (not starting with a digit)',
      })
      .max(50),
    value: z.string().max(1000),
    projectId: z.string().min(1).nullable().optional(),
  })
  .openapi('Variable');

const VariablePatch = VariableBody.pick({ key: true, value: true }).partial();

const NameBody = z.object({ name: z.string().trim().min(1).max(128) });

const MemberParam = z.object({ id: z.string().min(1), userId: z.string().min(1) });
const MemberBody = z.object({ role: z.enum(['owner', 'admin', 'member']) });

/** Credential types with a data schema, to validate what is saved (when nodes-base has them). */
function credentialTypes(): Map<string, CredentialDefinition<any>> {
  const list = (nodesBase as Record<string, unknown>).baseCredentials;
  const map = new Map<string, CredentialDefinition<any>>();
  if (Array.isArray(list)) for (const d of list as CredentialDefinition<any>[]) map.set(d.type, d);
  return map;
}

export function resourceRoutes(s: ServerServices) {
  const app = createRouter();
  const access = new ProjectAccess(s.storage);
  const types = credentialTypes();

  const checkCredentialData = (type: string, data: Record<string, unknown>) => {
    const definition = types.get(type);
    if (!definition) return;
    const parsed = definition.data.safeParse(data);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => ({
        path: ['data', ...i.path.map(String)].join('.'),
        message: i.message,
      }));
      throw httpError('VALIDATION_FAILED', `credential data of type '${type}' is invalid`, {
        problems,
      });
    }
  };

  const projectFor = async (user: User, given: string | null | undefined) => {
    if (given) {
      await access.require(user, given, 'write', `project '${given}'`);
      return given;
    }
    if (given === null) {
      requireInstanceAdmin(user);
      return null;
    }
    return access.defaultProject(user);
  };

  // Credentials: values are write-only; responses carry the summary, never the data.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/credentials',
      tags: ['credentials'],
      summary: 'List credentials (without their values)',
      request: { query: z.object({ type: z.string().optional() }) },
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const { type } = c.req.valid('query');
      const all = await s.storage.credentials.list(type ? { type } : {});
      const visible = await access.visibleProjects(user);
      return c.json({
        data: visible ? all.filter((x) => x.projectId !== null && visible.has(x.projectId)) : all,
      });
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/credentials',
      tags: ['credentials'],
      summary: 'Create a credential (values are encrypted, never returned)',
      request: { body: json(CredentialBody) },
      responses: responses(201),
    }),
    async (c) => {
      const user = c.get('user');
      const body = c.req.valid('json');
      checkCredentialData(body.type, body.data);
      const projectId = await projectFor(user, body.projectId);
      const created = await s.storage.credentials.create({
        name: body.name,
        type: body.type,
        data: body.data,
        projectId,
      });
      await s.storage.auditLog.append({
        action: 'credential.create',
        entityType: 'credential',
        entityId: created.id,
        actorId: user.id,
        projectId,
      });
      return c.json(created, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/credentials/{id}',
      tags: ['credentials'],
      summary: 'Get a credential (without its values)',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await s.storage.credentials.get(id);
      if (!found) throw httpError('NOT_FOUND', `credential '${id}' does not exist`);
      await access.require(c.get('user'), found.projectId, 'read', `credential '${id}'`);
      return c.json(found);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/credentials/{id}',
      tags: ['credentials'],
      summary: 'Rename or replace the values of a credential',
      request: { params: IdParam, body: json(CredentialPatch) },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const user = c.get('user');
      const found = await s.storage.credentials.get(id);
      if (!found) throw httpError('NOT_FOUND', `credential '${id}' does not exist`);
      await access.require(user, found.projectId, 'write', `credential '${id}'`);
      if (body.data) checkCredentialData(found.type, body.data);
      const updated = await s.storage.credentials.update(id, {
        ...(body.name ? { name: body.name } : {}),
        ...(body.data ? { data: body.data } : {}),
      });
      await s.storage.auditLog.append({
        action: 'credential.update',
        entityType: 'credential',
        entityId: id,
        actorId: user.id,
        projectId: found.projectId,
      });
      return c.json(updated);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/credentials/{id}',
      tags: ['credentials'],
      summary: 'Delete a credential',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const user = c.get('user');
      const found = await s.storage.credentials.get(id);
      if (!found) throw httpError('NOT_FOUND', `credential '${id}' does not exist`);
      await access.require(user, found.projectId, 'write', `credential '${id}'`);
      await s.storage.credentials.delete(id);
      await s.storage.auditLog.append({
        action: 'credential.delete',
        entityType: 'credential',
        entityId: id,
        actorId: user.id,
        projectId: found.projectId,
      });
      return c.body(null, 204);
    },
  );

  // Variables ($vars).
  app.openapi(
    createRoute({
      method: 'get',
      path: '/variables',
      tags: ['variables'],
      summary: 'List variables',
      responses: responses(),
    }),
    async (c) => {
      const visible = await access.visibleProjects(c.get('user'));
      const all = await s.storage.variables.list();
      return c.json({
        data: visible ? all.filter((v) => v.projectId === null || visible.has(v.projectId)) : all,
      });
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/variables',
      tags: ['variables'],
      summary: 'Create a variable',
      request: { body: json(VariableBody) },
      responses: responses(201),
    }),
    async (c) => {
      const user = c.get('user');
      const body = c.req.valid('json');
      if (body.projectId)
        await access.require(user, body.projectId, 'write', `project '${body.projectId}'`);
      else requireInstanceAdmin(user);
      const created = await s.storage.variables.create({
        key: body.key,
        value: body.value,
        projectId: body.projectId ?? null,
      });
      s.executions.invalidateVariables();
      return c.json(created, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/variables/{id}',
      tags: ['variables'],
      summary: 'Change a variable',
      request: { params: IdParam, body: json(VariablePatch) },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const found = await s.storage.variables.get(id);
      if (!found) throw httpError('NOT_FOUND', `variable '${id}' does not exist`);
      if (found.projectId)
        await access.require(c.get('user'), found.projectId, 'write', `variable '${id}'`);
      else requireInstanceAdmin(c.get('user'));
      const updated = await s.storage.variables.update(id, {
        ...(body.key !== undefined ? { key: body.key } : {}),
        ...(body.value !== undefined ? { value: body.value } : {}),
      });
      s.executions.invalidateVariables();
      return c.json(updated);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/variables/{id}',
      tags: ['variables'],
      summary: 'Delete a variable',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const found = await s.storage.variables.get(id);
      if (!found) throw httpError('NOT_FOUND', `variable '${id}' does not exist`);
      if (found.projectId)
        await access.require(c.get('user'), found.projectId, 'write', `variable '${id}'`);
      else requireInstanceAdmin(c.get('user'));
      await s.storage.variables.delete(id);
      s.executions.invalidateVariables();
      return c.body(null, 204);
    },
  );

  // Tags.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/tags',
      tags: ['tags'],
      summary: 'List tags',
      responses: responses(),
    }),
    async (c) => c.json({ data: await s.storage.tags.list() }),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/tags',
      tags: ['tags'],
      summary: 'Create a tag',
      request: { body: json(NameBody) },
      responses: responses(201),
    }),
    async (c) => c.json(await s.storage.tags.create(c.req.valid('json').name), 201),
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/tags/{id}',
      tags: ['tags'],
      summary: 'Rename a tag',
      request: { params: IdParam, body: json(NameBody) },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const renamed = await s.storage.tags.rename(id, c.req.valid('json').name);
      if (!renamed) throw httpError('NOT_FOUND', `tag '${id}' does not exist`);
      return c.json(renamed);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/tags/{id}',
      tags: ['tags'],
      summary: 'Delete a tag',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      requireInstanceAdmin(c.get('user'));
      if (!(await s.storage.tags.delete(id)))
        throw httpError('NOT_FOUND', `tag '${id}' does not exist`);
      return c.body(null, 204);
    },
  );

  // Projects and their members.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects',
      tags: ['projects'],
      summary: 'Projects you can see',
      responses: responses(),
    }),
    async (c) => {
      const user = c.get('user');
      const visible = await access.visibleProjects(user);
      const all = await s.storage.projects.list();
      return c.json({ data: visible ? all.filter((p) => visible.has(p.id)) : all });
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/projects',
      tags: ['projects'],
      summary: 'Create a team project (owner or admin)',
      request: { body: json(NameBody) },
      responses: responses(201),
    }),
    async (c) => {
      const user = c.get('user');
      requireInstanceAdmin(user);
      const project = await s.storage.projects.create({
        name: c.req.valid('json').name,
        type: 'team',
      });
      await s.storage.projects.setMember(project.id, user.id, 'owner');
      return c.json(project, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/projects/{id}',
      tags: ['projects'],
      summary: 'Get a project',
      request: { params: IdParam },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await access.require(c.get('user'), id, 'read', `project '${id}'`);
      const project = await s.storage.projects.get(id);
      if (!project) throw httpError('NOT_FOUND', `project '${id}' does not exist`);
      return c.json({ ...project, members: await s.storage.projects.listMembers(id) });
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/projects/{id}',
      tags: ['projects'],
      summary: 'Rename a project',
      request: { params: IdParam, body: json(NameBody) },
      responses: responses(),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await access.require(c.get('user'), id, 'manage', `project '${id}'`);
      return c.json(await s.storage.projects.rename(id, c.req.valid('json').name));
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/projects/{id}',
      tags: ['projects'],
      summary: 'Delete a project',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await access.require(c.get('user'), id, 'manage', `project '${id}'`);
      if (!(await s.storage.projects.delete(id)))
        throw httpError('NOT_FOUND', `project '${id}' does not exist`);
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/projects/{id}/members/{userId}',
      tags: ['projects'],
      summary: 'Add a member or change their role',
      request: { params: MemberParam, body: json(MemberBody) },
      responses: responses(),
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await access.require(c.get('user'), id, 'manage', `project '${id}'`);
      if (!(await s.storage.users.get(userId)))
        throw httpError('NOT_FOUND', `user '${userId}' does not exist`);
      return c.json(await s.storage.projects.setMember(id, userId, c.req.valid('json').role));
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/projects/{id}/members/{userId}',
      tags: ['projects'],
      summary: 'Remove a member',
      request: { params: MemberParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id, userId } = c.req.valid('param');
      await access.require(c.get('user'), id, 'manage', `project '${id}'`);
      if (!(await s.storage.projects.removeMember(id, userId))) {
        throw httpError('NOT_FOUND', `user '${userId}' is not a member of project '${id}'`);
      }
      return c.body(null, 204);
    },
  );
  return app;
}
