import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { setCookie, deleteCookie } from 'hono/cookie';
import { requireInstanceAdmin } from '../auth/access.js';
import { SESSION_COOKIE, publicUser } from '../auth/auth-service.js';
import { httpError } from '../http/http-error.js';
import { createRouter, responses, type AppEnv, type ServerServices } from './api-env.js';
import type { User } from '@budflow/storage';

const Email = z.email({ message: 'must be an email address' }).max(254);
const Password = z
  .string()
  .min(8, { message: 'must be at least 8 characters' })
  .max(512, { message: 'must be at most 512 characters' });

const OwnerSetup = z
  .object({
    email: Email,
    password: Password,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
  })
  .openapi('OwnerSetup');

const Login = z
  .object({ email: z.string().min(1).max(254), password: z.string().min(1).max(512) })
  .openapi('Login');

const CreateUser = z
  .object({
    email: Email,
    password: Password,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    role: z.enum(['admin', 'member']).default('member'),
  })
  .openapi('CreateUser');

const CreateApiKey = z
  .object({
    label: z.string().min(1).max(100),
    expiresAt: z.number().int().positive().nullable().optional(),
  })
  .openapi('CreateApiKey');

const IdParam = z.object({ id: z.string().min(1).max(100) });

export function clientKey(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

/** Owner setup and login are public; the rest needs a signed-in user. */
export function publicAuthRoutes(s: ServerServices) {
  const app = createRouter();

  const startSession = async (c: Context<AppEnv>, user: User) => {
    setCookie(c, SESSION_COOKIE, await s.auth.issueSession(user), {
      httpOnly: true,
      sameSite: 'Lax',
      secure: s.config.secureCookie,
      path: '/',
      maxAge: s.config.sessionTtlSeconds,
    });
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/owner',
      tags: ['auth'],
      summary: 'Whether the owner account exists',
      responses: responses(),
    }),
    async (c) => c.json({ setUp: await s.auth.hasOwner() }),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/owner/setup',
      tags: ['auth'],
      summary: 'Create the owner account (first start only)',
      request: {
        body: { content: { 'application/json': { schema: OwnerSetup } }, required: true },
      },
      responses: responses(201, 'The owner, signed in'),
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (await s.auth.hasOwner()) {
        throw httpError('SETUP_DONE', 'the owner account already exists; sign in instead');
      }
      const user = await s.auth.createUser({ ...body, role: 'owner' });
      await s.storage.auditLog.append({
        action: 'owner.setup',
        entityType: 'user',
        entityId: user.id,
        actorId: user.id,
      });
      await startSession(c, user);
      return c.json(publicUser(user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/login',
      tags: ['auth'],
      summary: 'Sign in; sets the session cookie',
      request: { body: { content: { 'application/json': { schema: Login } }, required: true } },
      responses: responses(),
    }),
    async (c) => {
      const { email, password } = c.req.valid('json');
      const user = await s.auth.login(email, password, clientKey(c));
      await startSession(c, user);
      return c.json(publicUser(user));
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/logout',
      tags: ['auth'],
      summary: 'Sign out',
      responses: responses(204),
    }),
    (c) => {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  );
  return app;
}

export function userRoutes(s: ServerServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['users'],
      summary: 'The signed-in user',
      responses: responses(),
    }),
    (c) => c.json(publicUser(c.get('user'))),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/users',
      tags: ['users'],
      summary: 'List users',
      responses: responses(),
    }),
    async (c) => {
      requireInstanceAdmin(c.get('user'));
      const page = await s.storage.users.list({ limit: 500 });
      return c.json({ data: page.items.map(publicUser), nextCursor: page.nextCursor ?? null });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/users',
      tags: ['users'],
      summary: 'Create a user (owner or admin)',
      request: {
        body: { content: { 'application/json': { schema: CreateUser } }, required: true },
      },
      responses: responses(201),
    }),
    async (c) => {
      const actor = c.get('user');
      requireInstanceAdmin(actor);
      const body = c.req.valid('json');
      const user = await s.auth.createUser(body);
      await s.storage.auditLog.append({
        action: 'user.create',
        entityType: 'user',
        entityId: user.id,
        actorId: actor.id,
      });
      return c.json(publicUser(user), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/users/{id}',
      tags: ['users'],
      summary: 'Delete a user (owner only)',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const actor = c.get('user');
      if (actor.role !== 'owner') throw httpError('FORBIDDEN', 'only the owner can delete users');
      const { id } = c.req.valid('param');
      if (id === actor.id)
        throw httpError('BAD_REQUEST', 'the owner cannot delete their own account');
      if (!(await s.storage.users.delete(id)))
        throw httpError('NOT_FOUND', `user '${id}' does not exist`);
      await s.storage.auditLog.append({
        action: 'user.delete',
        entityType: 'user',
        entityId: id,
        actorId: actor.id,
      });
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api-keys',
      tags: ['api keys'],
      summary: 'Your API keys',
      responses: responses(),
    }),
    async (c) => c.json({ data: await s.storage.apiKeys.list(c.get('user').id) }),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api-keys',
      tags: ['api keys'],
      summary: 'Create an API key; the key is shown once',
      request: {
        body: { content: { 'application/json': { schema: CreateApiKey } }, required: true },
      },
      responses: responses(201),
    }),
    async (c) => {
      const body = c.req.valid('json');
      const user = c.get('user');
      const created = await s.storage.apiKeys.create({
        userId: user.id,
        label: body.label,
        ...(body.expiresAt !== undefined ? { expiresAt: body.expiresAt } : {}),
      });
      await s.storage.auditLog.append({
        action: 'apiKey.create',
        entityType: 'apiKey',
        entityId: created.apiKey.id,
        actorId: user.id,
      });
      return c.json({ ...created.apiKey, key: created.key }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api-keys/{id}',
      tags: ['api keys'],
      summary: 'Revoke an API key',
      request: { params: IdParam },
      responses: responses(204),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const user = c.get('user');
      const mine = await s.storage.apiKeys.list(user.id);
      if (!mine.some((k) => k.id === id))
        throw httpError('NOT_FOUND', `API key '${id}' does not exist`);
      await s.storage.apiKeys.delete(id);
      return c.body(null, 204);
    },
  );
  return app;
}
