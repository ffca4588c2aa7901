import type { NodeRegistry } from '@budflow/core';
import type { BinaryHelpers } from '@budflow/node-sdk';
import type { Storage, User } from '@budflow/storage';
import { OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { AuthService } from '../auth/auth-service.js';
import type { ServerConfig } from '../config/server-config.js';
import type { EventBus } from '../events/event-bus.js';
import type { ExecutionQueue } from '../execution/execution-queue.js';
import type { ExecutionService } from '../execution/execution-service.js';
import { HTTP_ERROR_CODES } from '../http/http-error.js';
import type { ServerMetrics } from '../ops/metrics.js';
import type { ActivationManager } from '../triggers/activation-manager.js';

/** Everything route handlers use. */
export interface ServerServices {
  config: ServerConfig;
  storage: Storage;
  registry: NodeRegistry;
  queue: ExecutionQueue;
  bus: EventBus;
  metrics: ServerMetrics | undefined;
  logger: Logger;
  auth: AuthService;
  executions: ExecutionService;
  activation: ActivationManager;
  helpers: BinaryHelpers;
  publicUrl: string;
  /** False while starting and after shutdown began. */
  isReady(): boolean;
}

export interface AppEnv {
  Variables: {
    user: User;
    requestId: string;
    log: Logger;
  };
}

/** A router whose validation failures answer 400 with every problem listed. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const problems = result.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        }));
        return c.json(
          {
            error: {
              code: HTTP_ERROR_CODES.VALIDATION_FAILED,
              message: `invalid request (${result.target}): ${problems.map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`,
              details: { problems },
            },
          },
          400,
        );
      }
      return undefined;
    },
  });
}

/** Standard responses for the OpenAPI document (bodies are described per route where useful). */
export function responses(
  status: 200 | 201 | 204 = 200,
  description = 'OK',
): RouteConfig['responses'] {
  return {
    [status]: { description },
    400: { description: 'Invalid request: every problem listed' },
    401: { description: 'Not signed in' },
    403: { description: 'Not allowed' },
    404: { description: 'Not found' },
  };
}
