import type { RepositoryContext } from '../internal/context.js';
import {
  decodeCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from '../internal/cursor.js';
import { newId } from '../internal/ids.js';
import { parseJsonText } from '../internal/json-codec.js';
import type { AuditLogTable } from '../schema/database.js';

export interface AuditEntry {
  id: string;
  at: number;
  actorId: string | null;
  /** e.g. `workflow.updated`, `credential.deleted`, `user.login`. */
  action: string;
  entityType: string;
  entityId: string | null;
  projectId: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery extends PageRequest {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  since?: number;
}

const toEntry = (row: AuditLogTable): AuditEntry => ({
  id: row.id,
  at: Number(row.at),
  actorId: row.actor_id,
  action: row.action,
  entityType: row.entity_type,
  entityId: row.entity_id,
  projectId: row.project_id,
  details: parseJsonText(row.details, {}),
});

/** Append-only audit log. Callers pass details without secrets. */
export class AuditLogRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async append(
    entry: Omit<AuditEntry, 'id' | 'at' | 'details' | 'actorId' | 'entityId' | 'projectId'> & {
      actorId?: string | null;
      entityId?: string | null;
      projectId?: string | null;
      details?: Record<string, unknown>;
      at?: number;
    },
  ): Promise<AuditEntry> {
    const at = entry.at ?? this.ctx.now();
    const row: AuditLogTable = {
      id: newId(at),
      at,
      actor_id: entry.actorId ?? null,
      action: entry.action,
      entity_type: entry.entityType,
      entity_id: entry.entityId ?? null,
      project_id: entry.projectId ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    };
    await this.ctx.db.insertInto('audit_log').values(row).execute();
    return toEntry(row);
  }

  /** Newest first. */
  async list(query: AuditQuery = {}): Promise<Page<AuditEntry>> {
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor);
    let q = this.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.entityType !== undefined) q = q.where('entity_type', '=', query.entityType);
    if (query.entityId !== undefined) q = q.where('entity_id', '=', query.entityId);
    if (query.actorId !== undefined) q = q.where('actor_id', '=', query.actorId);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (after) {
      q = q.where((eb) =>
        eb.or([eb('at', '<', after.k), eb.and([eb('at', '=', after.k), eb('id', '<', after.id)])]),
      );
    }
    return toPage(await q.execute(), limit, toEntry, (r) => ({ k: Number(r.at), id: r.id }));
  }
}
