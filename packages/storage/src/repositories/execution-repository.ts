import type { ExecutionStatus, JsonObject, RunData, SerializedError } from '@budflow/node-sdk';
import { sql, type QueryCreator } from 'kysely';
import { StorageConflictError, StorageNotFoundError, mapConflict } from '../errors.js';
import { inTransaction, type RepositoryContext } from '../internal/context.js';
import {
  decodeCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from '../internal/cursor.js';
import { newId } from '../internal/ids.js';
import { decodeJson, encodeJson, parseJsonText, toJsonText } from '../internal/json-codec.js';
import type { Database, ExecutionTable } from '../schema/database.js';

/** `new`: created, not started yet (queued). The rest are the engine's statuses. */
export type StoredExecutionStatus = ExecutionStatus | 'new';

/** The fields every engine event has; the rest of the event is stored as is. */
export interface ExecutionEventLike {
  type: string;
  executionId: string;
  seq: number;
  at: number;
}

export interface StoredExecution {
  id: string;
  workflowId: string | null;
  workflowVersionId: string | null;
  mode: string;
  status: StoredExecutionStatus;
  createdAt: number;
  startedAt: number | null;
  stoppedAt: number | null;
  waitTill: number | null;
  retryOf: string | null;
  retrySuccessId: string | null;
  parentExecutionId: string | null;
  customData: Record<string, string>;
  lastNodeExecuted: string | null;
  error: SerializedError | null;
  leaseOwner: string | null;
  leaseExpiresAt: number | null;
  /** Highest event `seq` appended (-1: none). */
  lastSeq: number;
}

export interface CreateExecutionInput {
  id?: string;
  workflowId?: string | null;
  workflowVersionId?: string | null;
  mode: string;
  status?: StoredExecutionStatus;
  startedAt?: number | null;
  retryOf?: string | null;
  parentExecutionId?: string | null;
  customData?: Record<string, string>;
  /** The workflow JSON as it will run (kept with the execution data, for recovery and retries). */
  workflow?: JsonObject;
  leaseOwner?: string | null;
  leaseExpiresAt?: number | null;
}

export interface UpdateExecutionInput {
  status?: StoredExecutionStatus;
  startedAt?: number | null;
  stoppedAt?: number | null;
  waitTill?: number | null;
  lastNodeExecuted?: string | null;
  error?: SerializedError | null;
  customData?: Record<string, string>;
  retrySuccessId?: string | null;
  workflowVersionId?: string | null;
  leaseOwner?: string | null;
  leaseExpiresAt?: number | null;
  /** Highest event `seq` stored (set with the events it covers). */
  lastSeq?: number;
}

export interface ExecutionQuery extends PageRequest {
  workflowId?: string;
  status?: StoredExecutionStatus | StoredExecutionStatus[];
  parentExecutionId?: string;
}

export interface ExecutionData {
  workflow: JsonObject | null;
  runData: RunData | null;
}

const toExecution = (row: ExecutionTable): StoredExecution => ({
  id: row.id,
  workflowId: row.workflow_id,
  workflowVersionId: row.workflow_version_id,
  mode: row.mode,
  status: row.status as StoredExecutionStatus,
  createdAt: Number(row.created_at),
  startedAt: row.started_at === null ? null : Number(row.started_at),
  stoppedAt: row.stopped_at === null ? null : Number(row.stopped_at),
  waitTill: row.wait_till === null ? null : Number(row.wait_till),
  retryOf: row.retry_of,
  retrySuccessId: row.retry_success_id,
  parentExecutionId: row.parent_execution_id,
  customData: parseJsonText(row.custom_data, {}),
  lastNodeExecuted: row.last_node_executed,
  error: parseJsonText<SerializedError | null>(row.error, null),
  leaseOwner: row.lease_owner,
  leaseExpiresAt: row.lease_expires_at === null ? null : Number(row.lease_expires_at),
  lastSeq: Number(row.last_seq),
});

const first = <T>(list: readonly T[]): T => list[0]!;

function patchColumns(patch: UpdateExecutionInput): Partial<ExecutionTable> {
  const set: Partial<ExecutionTable> = {};
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.stoppedAt !== undefined) set.stopped_at = patch.stoppedAt;
  if (patch.waitTill !== undefined) set.wait_till = patch.waitTill;
  if (patch.lastNodeExecuted !== undefined) set.last_node_executed = patch.lastNodeExecuted;
  if (patch.error !== undefined) set.error = patch.error === null ? null : toJsonText(patch.error);
  if (patch.customData !== undefined) set.custom_data = toJsonText(patch.customData);
  if (patch.retrySuccessId !== undefined) set.retry_success_id = patch.retrySuccessId;
  if (patch.workflowVersionId !== undefined) set.workflow_version_id = patch.workflowVersionId;
  if (patch.leaseOwner !== undefined) set.lease_owner = patch.leaseOwner;
  if (patch.leaseExpiresAt !== undefined) set.lease_expires_at = patch.leaseExpiresAt;
  if (patch.lastSeq !== undefined) set.last_seq = patch.lastSeq;
  return set;
}

/** Executions, their data (run data, compressed when large) and their append-only event log. */
export class ExecutionRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  private newRow(input: CreateExecutionInput, now: number): ExecutionTable {
    return {
      id: input.id ?? newId(now),
      workflow_id: input.workflowId ?? null,
      workflow_version_id: input.workflowVersionId ?? null,
      mode: input.mode,
      status: input.status ?? 'new',
      created_at: now,
      started_at: input.startedAt ?? null,
      stopped_at: null,
      wait_till: null,
      retry_of: input.retryOf ?? null,
      retry_success_id: null,
      parent_execution_id: input.parentExecutionId ?? null,
      custom_data: input.customData ? toJsonText(input.customData) : null,
      last_node_executed: null,
      error: null,
      lease_owner: input.leaseOwner ?? null,
      lease_expires_at: input.leaseExpiresAt ?? null,
      last_seq: -1,
    };
  }

  async create(input: CreateExecutionInput): Promise<StoredExecution> {
    const now = this.ctx.now();
    const row = this.newRow(input, now);
    await inTransaction(this.ctx.db, async (trx) => {
      await mapConflict(
        () => trx.insertInto('executions').values(row).execute(),
        () =>
          new StorageConflictError(
            'execution',
            { id: row.id },
            `an execution with id '${row.id}' already exists`,
          ),
      );
      if (input.workflow !== undefined) {
        await trx
          .insertInto('execution_data')
          .values({
            execution_id: row.id,
            workflow: JSON.stringify(input.workflow),
            run_data: null,
            encoding: 'json',
            updated_at: now,
          })
          .execute();
      }
    });
    return toExecution(row);
  }

  async get(id: string): Promise<StoredExecution | undefined> {
    const row = await this.ctx.db
      .selectFrom('executions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toExecution(row);
  }

  async require(id: string): Promise<StoredExecution> {
    const execution = await this.get(id);
    if (!execution) throw new StorageNotFoundError('execution', id);
    return execution;
  }

  async update(id: string, patch: UpdateExecutionInput): Promise<boolean> {
    const set = patchColumns(patch);
    if (Object.keys(set).length === 0) return (await this.get(id)) !== undefined;
    const result = await this.ctx.db
      .updateTable('executions')
      .set(set)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Updates only when the status is one of `from` (compare-and-set): false when another process
   * got there first, e.g. two webhook calls resuming the same waiting execution.
   */
  async updateIfStatus(
    id: string,
    from: readonly StoredExecutionStatus[],
    patch: UpdateExecutionInput,
  ): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('executions')
      .set(patchColumns(patch))
      .where('id', '=', id)
      .where('status', 'in', [...from])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Newest first. */
  async list(query: ExecutionQuery = {}): Promise<Page<StoredExecution>> {
    const limit = pageLimit(query.limit);
    const after = decodeCursor(query.cursor);
    let q = this.ctx.db
      .selectFrom('executions')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (query.workflowId !== undefined) q = q.where('workflow_id', '=', query.workflowId);
    if (query.parentExecutionId !== undefined) {
      q = q.where('parent_execution_id', '=', query.parentExecutionId);
    }
    if (query.status !== undefined) {
      const statuses = Array.isArray(query.status) ? query.status : [query.status];
      q = q.where('status', 'in', statuses);
    }
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '<', after.k),
          eb.and([eb('created_at', '=', after.k), eb('id', '<', after.id)]),
        ]),
      );
    }
    const rows = await q.execute();
    return toPage(rows, limit, toExecution, (row) => ({ k: Number(row.created_at), id: row.id }));
  }

  /** Waiting executions due by `until` (for the wait tracker), soonest first. */
  async listDueWaiting(until: number, limit = 100): Promise<StoredExecution[]> {
    const rows = await this.ctx.db
      .selectFrom('executions')
      .selectAll()
      .where('status', '=', 'waiting')
      .where('wait_till', '<=', until)
      .orderBy('wait_till')
      .limit(limit)
      .execute();
    return rows.map(toExecution);
  }

  /** Stores run data (compressed when large) and, when given, the workflow snapshot. */
  async saveData(id: string, data: { runData?: RunData; workflow?: JsonObject }): Promise<void> {
    const now = this.ctx.now();
    const encoded =
      data.runData === undefined ? undefined : encodeJson(data.runData, this.ctx.compressThreshold);
    const workflow = data.workflow === undefined ? undefined : JSON.stringify(data.workflow);
    await this.ctx.db
      .insertInto('execution_data')
      .values({
        execution_id: id,
        workflow: workflow ?? null,
        run_data: encoded?.bytes ?? null,
        encoding: encoded?.encoding ?? 'json',
        updated_at: now,
      })
      .onConflict((oc) =>
        oc.column('execution_id').doUpdateSet({
          ...(workflow === undefined ? {} : { workflow }),
          ...(encoded === undefined ? {} : { run_data: encoded.bytes, encoding: encoded.encoding }),
          updated_at: now,
        }),
      )
      .execute();
  }

  async getData(id: string): Promise<ExecutionData | undefined> {
    const row = await this.ctx.db
      .selectFrom('execution_data')
      .selectAll()
      .where('execution_id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      workflow: parseJsonText<JsonObject | null>(row.workflow, null),
      runData:
        row.run_data === null
          ? null
          : decodeJson<RunData>(row.run_data, row.encoding, `run data of execution '${id}'`),
    };
  }

  /**
   * Appends events (one multi-row insert). The log is append-only: a `seq` already stored is a
   * conflict, never an overwrite.
   */
  async appendEvents(events: readonly ExecutionEventLike[]): Promise<void> {
    if (events.length === 0) return;
    const rows = this.eventRows(events);
    const writer = this.ctx.db.isTransaction ? undefined : this.ctx.sqliteWriter;
    await mapConflict(
      async () => {
        if (writer?.write({ rows, executionId: first(events).executionId, set: {} })) return;
        // SQLite caps bound parameters per statement; 6 columns x 500 rows stays far below.
        await inTransaction(this.ctx.db, async (trx) => {
          for (let i = 0; i < rows.length; i += 500) {
            await trx
              .insertInto('execution_events')
              .values(rows.slice(i, i + 500))
              .execute();
          }
        });
      },
      () => this.eventConflict(events),
    );
  }

  /** Appends events and applies `patch` to the execution row atomically. */
  async appendEventsAndUpdate(
    executionId: string,
    events: readonly ExecutionEventLike[],
    patch: UpdateExecutionInput,
    options: { durability?: 'strict' | 'relaxed' } = {},
  ): Promise<void> {
    await this.checkpoint({ executionId, events, patch, ...options });
  }

  /**
   * The recorder's checkpoint, atomically: append `events`, apply `patch` to the execution row
   * (creating it from `create` when missing), and store `runData`. On PostgreSQL it is a single
   * statement (data-modifying CTEs): one round trip, no explicit transaction; `relaxed` lets
   * the commit return before its WAL flush. On SQLite, plain checkpoints take a prepared-statement
   * fast path.
   */
  async checkpoint(input: {
    executionId: string;
    events: readonly ExecutionEventLike[];
    patch: UpdateExecutionInput;
    create?: CreateExecutionInput;
    runData?: RunData;
    durability?: 'strict' | 'relaxed';
  }): Promise<void> {
    const { executionId, events, patch, create, runData } = input;
    const last = events[events.length - 1];
    const set = patchColumns({ ...patch, ...(last ? { lastSeq: last.seq } : {}) });
    const writer = this.ctx.db.isTransaction ? undefined : this.ctx.sqliteWriter;
    if (writer) {
      const now = this.ctx.now();
      const rows = this.eventRows(events);
      const encoded =
        runData === undefined ? undefined : encodeJson(runData, this.ctx.compressThreshold);
      const done = await mapConflict(
        async () =>
          writer.write({
            rows,
            executionId,
            set,
            ...(create
              ? {
                  create: {
                    row: this.newRow({ ...create, id: executionId }, now),
                    workflow:
                      create.workflow === undefined ? undefined : JSON.stringify(create.workflow),
                  },
                }
              : {}),
            ...(encoded ? { runData: { ...encoded, now } } : {}),
          }),
        () => this.eventConflict(events),
      );
      if (done) return;
    }
    if (this.ctx.dialect !== 'postgres' || this.ctx.db.isTransaction || events.length === 0) {
      await inTransaction(this.ctx.db, async (trx) => {
        const repo = new ExecutionRepository({ ...this.ctx, db: trx });
        if (create) {
          const existing = await repo.get(executionId);
          if (!existing) await repo.create({ ...create, id: executionId });
          else if (existing.startedAt === null && create.startedAt != null) {
            await repo.update(executionId, { startedAt: create.startedAt });
          }
        }
        if (runData !== undefined) await repo.saveData(executionId, { runData });
        await repo.appendEvents(events);
        if (Object.keys(set).length > 0) {
          await trx.updateTable('executions').set(set).where('id', '=', executionId).execute();
        }
      });
      return;
    }

    const rows = this.eventRows(events);
    const now = this.ctx.now();
    const synchronous = input.durability === 'relaxed' ? 'off' : 'on';
    await mapConflict(
      async () => {
        // `cfg` sets synchronous_commit for this statement's transaction. A CTE that only
        // selects runs when referenced, so the executions row's values reference it below.
        // Typed as plain `QueryCreator<Database>`: the CTE names are only used in raw SQL below,
        // and conditional CTEs would otherwise give a union of builders.
        const widen = (q: unknown) => q as QueryCreator<Database>;
        const base = widen(
          this.ctx.db
            .with('cfg', (db) =>
              db.selectNoFrom(
                sql<string>`set_config('synchronous_commit', ${synchronous}, true)`.as('v'),
              ),
            )
            .with('ins', (db) => db.insertInto('execution_events').values(rows)),
        );
        const withData =
          runData === undefined
            ? base
            : widen(
                base.with('data', (db) => {
                  const encoded = encodeJson(runData, this.ctx.compressThreshold);
                  return db
                    .insertInto('execution_data')
                    .values({
                      execution_id: executionId,
                      workflow: null,
                      run_data: encoded.bytes,
                      encoding: encoded.encoding,
                      updated_at: now,
                    })
                    .onConflict((oc) =>
                      oc.column('execution_id').doUpdateSet({
                        run_data: encoded.bytes,
                        encoding: encoded.encoding,
                        updated_at: now,
                      }),
                    );
                }),
              );
        if (!create) {
          await withData
            .updateTable('executions')
            .set(Object.keys(set).length > 0 ? set : { last_seq: last!.seq })
            .where('id', '=', executionId)
            .where(sql<boolean>`(select v from cfg) is not null`)
            .execute();
          return;
        }
        const row = this.newRow({ ...create, id: executionId }, now);
        const withSnapshot =
          create.workflow === undefined
            ? withData
            : widen(
                withData.with('snap', (db) =>
                  db
                    .insertInto('execution_data')
                    .values({
                      execution_id: executionId,
                      workflow: JSON.stringify(create.workflow),
                      run_data: null,
                      encoding: 'json',
                      updated_at: now,
                    })
                    .onConflict((oc) => oc.column('execution_id').doNothing()),
                ),
              );
        await withSnapshot
          .insertInto('executions')
          .values({
            ...row,
            ...set,
            mode: sql<string>`(select ${row.mode}::text from cfg where v is not null)`,
          })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({
              ...set,
              started_at: sql<number | null>`coalesce(executions.started_at, excluded.started_at)`,
            }),
          )
          .execute();
      },
      () => this.eventConflict(events),
    );
  }

  private eventRows(events: readonly ExecutionEventLike[]) {
    const threshold = this.ctx.compressThreshold;
    return events.map((event) => {
      const encoded = encodeJson(event, threshold);
      return {
        execution_id: event.executionId,
        seq: event.seq,
        type: event.type,
        at: event.at,
        payload: encoded.bytes,
        encoding: encoded.encoding,
      };
    });
  }

  private eventConflict(events: readonly ExecutionEventLike[]): StorageConflictError {
    const first = events[0]!;
    return new StorageConflictError(
      'execution',
      { executionId: first.executionId, seq: events.map((e) => e.seq) },
      `execution '${first.executionId}' already has an event with one of the sequence numbers ${events.map((e) => e.seq).join(', ')}`,
    );
  }

  /** The event log in order, optionally after a sequence number. */
  async listEvents<E extends ExecutionEventLike = ExecutionEventLike>(
    executionId: string,
    options: { afterSeq?: number; limit?: number } = {},
  ): Promise<E[]> {
    let q = this.ctx.db
      .selectFrom('execution_events')
      .select(['seq', 'payload', 'encoding'])
      .where('execution_id', '=', executionId)
      .orderBy('seq');
    if (options.afterSeq !== undefined) q = q.where('seq', '>', options.afterSeq);
    if (options.limit !== undefined) q = q.limit(options.limit);
    const rows = await q.execute();
    return rows.map((row) =>
      decodeJson<E>(row.payload, row.encoding, `event ${row.seq} of execution '${executionId}'`),
    );
  }

  async countEvents(executionId: string): Promise<number> {
    const row = await this.ctx.db
      .selectFrom('execution_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('execution_id', '=', executionId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Extends the lease when `owner` holds it; false when another process took it over. */
  async renewLease(id: string, owner: string, expiresAt: number): Promise<boolean> {
    const result = await this.ctx.db
      .updateTable('executions')
      .set({ lease_expires_at: expiresAt })
      .where('id', '=', id)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Takes over running executions whose lease expired before `now` (their process died), and
   * running rows without a lease created more than `leaseMs` ago. Each row is claimed with a
   * compare-and-set, so two processes scanning together never claim the same one.
   */
  async claimStale(options: {
    now: number;
    owner: string;
    leaseMs: number;
    limit?: number;
  }): Promise<StoredExecution[]> {
    const candidates = await this.ctx.db
      .selectFrom('executions')
      .selectAll()
      .where('status', '=', 'running')
      .where((eb) =>
        eb.or([
          eb('lease_expires_at', '<', options.now),
          // No lease at all: stale only once it is older than a lease (it may be starting now).
          eb.and([
            eb('lease_expires_at', 'is', null),
            eb('created_at', '<', options.now - options.leaseMs),
          ]),
        ]),
      )
      .orderBy('created_at')
      .limit(options.limit ?? 100)
      .execute();
    const claimed: StoredExecution[] = [];
    for (const row of candidates) {
      let q = this.ctx.db
        .updateTable('executions')
        .set({ lease_owner: options.owner, lease_expires_at: options.now + options.leaseMs })
        .where('id', '=', row.id)
        .where('status', '=', 'running');
      q =
        row.lease_expires_at === null
          ? q.where('lease_expires_at', 'is', null)
          : q.where('lease_expires_at', '=', row.lease_expires_at);
      const result = await q.executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) {
        claimed.push(
          toExecution({
            ...row,
            lease_owner: options.owner,
            lease_expires_at: options.now + options.leaseMs,
          }),
        );
      }
    }
    return claimed;
  }

  /** Deletes executions with their data and events. */
  async delete(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return inTransaction(this.ctx.db, async (trx) => {
      await trx.deleteFrom('execution_events').where('execution_id', 'in', ids).execute();
      await trx.deleteFrom('execution_data').where('execution_id', 'in', ids).execute();
      const result = await trx.deleteFrom('executions').where('id', 'in', ids).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}
