import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Queue } from 'bullmq';
import type { Context, Hono, MiddlewareHandler } from 'hono';

export interface QueueDashboardOptions {
  queues: Queue[];
  /** Default `/queues`. */
  basePath?: string;
  /** The signed-in user of a request (session cookie or API key), undefined when anonymous. */
  userOf(c: Context): Promise<{ role: string } | undefined>;
}

/**
 * Mounts bull-board (jobs, retries, dead letters of the BullMQ queues) at `/queues`, for the
 * instance owner and admins only: 401 without a session or API key, 403 for members.
 */
export function mountQueueDashboard(app: Hono<any>, options: QueueDashboardOptions): void {
  const basePath = options.basePath ?? '/queues';
  const guard: MiddlewareHandler = async (c, next) => {
    const user = await options.userOf(c);
    if (!user) {
      return c.json(
        { code: 'UNAUTHENTICATED', message: 'sign in (POST /api/v1/login) or send an API key' },
        401,
      );
    }
    if (user.role !== 'owner' && user.role !== 'admin') {
      return c.json(
        { code: 'FORBIDDEN', message: 'only the owner or an admin can see the queues' },
        403,
      );
    }
    await next();
  };
  app.use(basePath, guard);
  app.use(`${basePath}/*`, guard);
  const serverAdapter = new HonoAdapter(serveStatic);
  serverAdapter.setBasePath(basePath);
  createBullBoard({ queues: options.queues.map((q) => new BullMQAdapter(q)), serverAdapter });
  app.route(basePath, serverAdapter.registerPlugin());
}
