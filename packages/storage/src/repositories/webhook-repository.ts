import { BudflowError } from '@budflow/node-sdk';
import { STORAGE_ERROR_CODES, StorageConflictError, isUniqueViolation } from '../errors.js';
import { inTransaction, type RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import type { WebhookTable } from '../schema/database.js';

export interface Webhook {
  id: string;
  /** Upper case: GET, POST, ... */
  method: string;
  /** Without leading or trailing slash; `:name` segments are parameters. */
  path: string;
  isDynamic: boolean;
  workflowId: string;
  nodeName: string;
  webhookId: string | null;
  createdAt: number;
}

export interface RegisterWebhookInput {
  method: string;
  path: string;
  workflowId: string;
  nodeName: string;
  webhookId?: string | null;
}

export interface WebhookMatch {
  webhook: Webhook;
  /** Values of the `:param` segments. */
  params: Record<string, string>;
}

function normalisePath(path: string): string[] {
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      'a webhook path cannot be empty',
    );
  }
  return segments;
}

const isParam = (segment: string) => segment.startsWith(':') && segment.length > 1;

const toWebhook = (row: WebhookTable): Webhook => ({
  id: row.id,
  method: row.method,
  path: row.path,
  isDynamic: row.is_dynamic === 1,
  workflowId: row.workflow_id,
  nodeName: row.node_name,
  webhookId: row.webhook_id,
  createdAt: Number(row.created_at),
});

/** The registry of active webhooks: one owner per method and path (parameter names ignored). */
export class WebhookRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  private toRow(input: RegisterWebhookInput, now: number): WebhookTable {
    const segments = normalisePath(input.path);
    const dynamic = segments.some(isParam);
    return {
      id: newId(now),
      method: input.method.toUpperCase(),
      path: segments.join('/'),
      path_key: segments.map((s) => (isParam(s) ? ':' : s)).join('/'),
      is_dynamic: dynamic ? 1 : 0,
      segments: segments.length,
      workflow_id: input.workflowId,
      node_name: input.nodeName,
      webhook_id: input.webhookId ?? null,
      created_at: now,
    };
  }

  /** Registers all webhooks of one workflow atomically: all or none. */
  async register(
    inputs: RegisterWebhookInput | readonly RegisterWebhookInput[],
  ): Promise<Webhook[]> {
    const list = Array.isArray(inputs) ? inputs : [inputs as RegisterWebhookInput];
    const now = this.ctx.now();
    const rows = list.map((input) => this.toRow(input, now));
    try {
      await inTransaction(this.ctx.db, async (trx) => {
        for (const row of rows) await trx.insertInto('webhooks').values(row).execute();
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw await this.conflictFor(rows, error);
    }
    return rows.map(toWebhook);
  }

  private async conflictFor(rows: WebhookTable[], cause: unknown): Promise<StorageConflictError> {
    for (const row of rows) {
      const taken = await this.ctx.db
        .selectFrom('webhooks')
        .selectAll()
        .where('method', '=', row.method)
        .where('path_key', '=', row.path_key)
        .executeTakeFirst();
      if (taken) {
        return new StorageConflictError(
          'webhook',
          {
            method: row.method,
            path: row.path,
            workflowId: taken.workflow_id,
            nodeName: taken.node_name,
          },
          `webhook ${row.method} /${row.path} is already used by node '${taken.node_name}' of workflow '${taken.workflow_id}'; change the path or deactivate that workflow`,
          cause,
        );
      }
    }
    const row = rows[0]!;
    return new StorageConflictError(
      'webhook',
      { method: row.method, path: row.path },
      `webhook paths of workflow '${row.workflow_id}' collide with each other (${rows.map((r) => `${r.method} /${r.path}`).join(', ')})`,
      cause,
    );
  }

  async unregisterWorkflow(workflowId: string): Promise<number> {
    const result = await this.ctx.db
      .deleteFrom('webhooks')
      .where('workflow_id', '=', workflowId)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async list(query: { workflowId?: string } = {}): Promise<Webhook[]> {
    let q = this.ctx.db.selectFrom('webhooks').selectAll().orderBy('path').orderBy('method');
    if (query.workflowId !== undefined) q = q.where('workflow_id', '=', query.workflowId);
    return (await q.execute()).map(toWebhook);
  }

  /**
   * The webhook for a request: a static path wins over a dynamic one; among dynamic paths, the one
   * with the most static segments wins.
   */
  async find(method: string, path: string): Promise<WebhookMatch | undefined> {
    const segments = path.split('/').filter((s) => s !== '');
    if (segments.length === 0) return undefined;
    const m = method.toUpperCase();
    const exact = await this.ctx.db
      .selectFrom('webhooks')
      .selectAll()
      .where('method', '=', m)
      .where('is_dynamic', '=', 0)
      .where('path_key', '=', segments.join('/'))
      .executeTakeFirst();
    if (exact) return { webhook: toWebhook(exact), params: {} };

    const candidates = await this.ctx.db
      .selectFrom('webhooks')
      .selectAll()
      .where('method', '=', m)
      .where('is_dynamic', '=', 1)
      .where('segments', '=', segments.length)
      .execute();
    let best: { match: WebhookMatch; score: number } | undefined;
    for (const row of candidates) {
      const pattern = row.path.split('/');
      const params: Record<string, string> = {};
      let score = 0;
      let ok = true;
      for (let i = 0; i < pattern.length; i++) {
        const p = pattern[i]!;
        const s = segments[i]!;
        if (isParam(p)) {
          Object.defineProperty(params, p.slice(1), {
            value: safeDecode(s),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else if (p === s) {
          score++;
        } else {
          ok = false;
          break;
        }
      }
      if (ok && (!best || score > best.score)) {
        best = { match: { webhook: toWebhook(row), params }, score };
      }
    }
    return best?.match;
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
