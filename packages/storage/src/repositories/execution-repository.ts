import { runDataFromEvents, type ExecutionEvent } from '@budflow/core';
import type { ExecutionStatus, JsonObject, RunData, SerializedError } from '@budflow/node-sdk';
import { sql, type Kysely, type QueryCreator, type RawBuilder } from 'kysely';
import { StorageConflictError, StorageNotFoundError, mapConflict } from '../errors.js';
import { inTransaction, type RepositoryContext } from '../internal/context.js';
import {
  decodeCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from '../internal/cursor.js';
import { chunks } from '../internal/chunks.js';
import { newId } from '../internal/ids.js';
import type { EventRow, SqliteCheckpoint } from '../internal/sqlite-event-writer.js';
import {
  decodeJson,
  encodeJson,
  encodeJsonText,
  parseJsonText,
  toJsonText,
} from '../internal/json-codec.js';
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

/**
 * Writes of many executions at once (a worker's group commit): rows to create when missing,
 * events to append, row patches and run data. `writeBatch` applies all of it atomically.
 */
export interface ExecutionBatch {
  /** Rows created unless they exist (sub-workflow runs, whose first event creates them). */
  creates?: readonly CreateExecutionInput[];
  events?: readonly ExecutionEventLike[];
  /** Events the caller serialized already (appended after `events`). */
  serializedEvents?: readonly SerializedExecutionEvent[];
  /** One patch per execution (merge patches of the same execution before). */
  updates?: ReadonlyMap<string, UpdateExecutionInput>;
  /** Run data per execution (replaces what is stored). */
  runData?: ReadonlyMap<string, RunData>;
}

/**
 * An event serialized by its producer (a worker that also publishes it live serializes it once):
 * `json` is `JSON.stringify(event)` and is stored as it is; the other fields repeat the event's.
 */
export interface SerializedExecutionEvent {
  executionId: string;
  seq: number;
  type: string;
  at: number;
  json: string;
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

/** The log row of one event; `json` is its `JSON.stringify`. */
const eventRow = (event: ExecutionEventLike, json: string, threshold: number): EventRow => {
  const encoded = encodeJsonText(json, threshold);
  return {
    execution_id: event.executionId,
    seq: event.seq,
    type: event.type,
    at: event.at,
    payload: encoded.bytes,
    encoding: encoded.encoding,
  };
};

/**
 * PostgreSQL: the `seq` to insert for an event row of execution `id` holding the events `seq`
 * (through `last`, for a range row). It is `seq` unless a stored row holds one of those events:
 * one that starts inside the range, or a stored range that reaches into it; then it is that
 * row's `seq`, so the insert fails on the primary key like any other duplicate (the log stays
 * append-only across both row shapes). One builder for every insert into the log.
 */
const guardedSeq = (
  id: RawBuilder<unknown>,
  seq: RawBuilder<unknown>,
  last?: RawBuilder<unknown>,
) =>
  sql<number>`coalesce(${
    last === undefined
      ? sql``
      : sql`(select e.seq from execution_events e where e.execution_id = ${id}
          and e.seq between ${seq} and ${last} limit 1),`
  }
    (select p.seq from (select e.seq, e.last_seq from execution_events e
      where e.execution_id = ${id} and e.seq < ${seq} order by e.seq desc limit 1) p
      where p.last_seq >= ${seq}),
    ${seq})`;

/**
 * PostgreSQL: one statement inserting one-event rows, passed as arrays and unnested server-side,
 * each row's `seq` guarded (`guardedSeq`): a VALUES list with a subquery per row made PostgreSQL
 * plan every subquery (100-event transactions: ~9,800 events/s, ~62,000 over unnest; e5c36f5).
 */
const insertEventsSql = (rows: readonly EventRow[]) =>
  sql`insert into execution_events (execution_id, seq, type, at, payload, encoding)
    select x.id, ${guardedSeq(sql.raw('x.id'), sql.raw('x.seq'))}, x.type, x.at, x.payload, x.encoding
    from unnest(${rows.map((r) => r.execution_id)}::text[], ${rows.map((r) => r.seq)}::integer[],
      ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.at)}::bigint[],
      ${rows.map((r) => r.payload)}::bytea[], ${rows.map((r) => r.encoding)}::text[])
      as x(id, seq, type, at, payload, encoding)`;

/**
 * Event rows in statements of 500 (6 columns each: far below SQLite's bound-parameter limit); on
 * PostgreSQL, `insertEventsSql` per 5,000.
 */
async function insertEventRows(
  db: Kysely<Database>,
  rows: readonly EventRow[],
  dialect: string,
): Promise<void> {
  if (dialect !== 'postgres') {
    for (const part of chunks(rows, 500))
      await db.insertInto('execution_events').values(part).execute();
    return;
  }
  for (const part of chunks(rows, 5000)) await insertEventsSql(part).execute(db);
}

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

/**
 * Row columns a batch patch may set, with their PostgreSQL type: `writeBatch` sets each column of
 * each row from a JSON object of the columns given (absent key: column unchanged; null: NULL).
 */
const PATCH_COLUMNS: ReadonlyArray<readonly [keyof ExecutionTable, 'text' | 'bigint' | 'integer']> =
  [
    ['status', 'text'],
    ['started_at', 'bigint'],
    ['stopped_at', 'bigint'],
    ['wait_till', 'bigint'],
    ['last_node_executed', 'text'],
    ['error', 'text'],
    ['custom_data', 'text'],
    ['retry_success_id', 'text'],
    ['workflow_version_id', 'text'],
    ['lease_owner', 'text'],
    ['lease_expires_at', 'bigint'],
    ['last_seq', 'integer'],
  ];

/** `UPDATE … SET` list of the batch patch: `col = CASE WHEN u.p ? 'col' THEN … ELSE col END`. */
const PATCH_SET_SQL = PATCH_COLUMNS.map(
  ([column, type]) =>
    `${column} = case when u.p ? '${column}' then (u.p->>'${column}')::${type} else e.${column} end`,
).join(', ');

/** Separates JSON texts joined into one parameter (never raw inside `JSON.stringify` output). */
const RECORD_SEPARATOR = '\x1e';

/** True when `text` takes more than `limit` bytes in UTF-8 (at most 3 bytes per UTF-16 unit). */
const exceeds = (text: string, limit: number): boolean =>
  text.length * 3 > limit && Buffer.byteLength(text) > limit;

/**
 * True when the JSON array of `texts` is longer than `limit` UTF-16 units (without building it).
 * Counted in characters, not UTF-8 bytes: a range of non-ASCII text may go uncompressed up to
 * three times the limit in bytes (PostgreSQL's TOAST compresses it then), but the texts are not
 * walked a second time (`Buffer.byteLength` over the texts cost ~5 % of a worker's CPU: a text
 * with one non-Latin-1 character is a two-byte string, slow to measure in UTF-8).
 */
function rangeExceeds(texts: readonly string[], limit: number): boolean {
  let length = texts.length + 1;
  for (const text of texts) length += text.length;
  return length > limit;
}

/**
 * The UTF-8 bytes of `pieces` joined, written piece by piece into one buffer sized for the worst
 * case (3 bytes per UTF-16 unit; the unused end is not sent). Passed as a query parameter instead
 * of the joined string: node-postgres sends a buffer as it is, where a string is joined (a copy,
 * two bytes per character once one piece has a non-Latin-1 character), then measured with
 * `Buffer.byteLength` and encoded by the driver; measuring the pieces first costs as much.
 */
function utf8Join(pieces: readonly string[]): Buffer {
  let units = 0;
  for (const piece of pieces) units += piece.length;
  const bytes = Buffer.allocUnsafe(units * 3);
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at, 'utf8');
  return bytes.subarray(0, at);
}

interface RangeRows {
  ids: string[];
  seqs: number[];
  lasts: number[];
  types: string[];
  ats: number[];
}

/** Contiguous events of one execution, stored as one row. */
interface EventRange {
  executionId: string;
  seq: number;
  last: number;
  /** The last event's type and time. */
  type: string;
  at: number;
  texts: string[];
}

/** True when the sequence numbers of `list` strictly increase. */
function ascending(list: readonly SerializedExecutionEvent[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i]!.seq <= list[i - 1]!.seq) return false;
  return true;
}

/**
 * The events of a batch as ranges: per execution, runs of consecutive sequence numbers (a gap
 * starts a new range). Two events of one execution with the same number are a conflict.
 */
function eventRanges(
  events: readonly SerializedExecutionEvent[],
  conflict: (events: SerializedExecutionEvent[]) => Error,
): EventRange[] {
  const byExecution = new Map<string, SerializedExecutionEvent[]>();
  for (const event of events) {
    const list = byExecution.get(event.executionId);
    if (list) list.push(event);
    else byExecution.set(event.executionId, [event]);
  }
  const ranges: EventRange[] = [];
  for (const [executionId, list] of byExecution) {
    // Recorders give an execution's events in order: sorted only when they are not.
    if (!ascending(list)) list.sort((a, b) => a.seq - b.seq);
    let range: EventRange | undefined;
    for (const event of list) {
      if (range && event.seq === range.last) throw conflict([event]);
      if (range && event.seq === range.last + 1) {
        range.last = event.seq;
        range.type = event.type;
        range.at = event.at;
        range.texts.push(event.json);
        continue;
      }
      range = {
        executionId,
        seq: event.seq,
        last: event.seq,
        type: event.type,
        at: event.at,
        texts: [event.json],
      };
      ranges.push(range);
    }
  }
  return ranges;
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

  /**
   * Creates many rows in one statement (a main creating the rows of a burst of webhook calls
   * before enqueueing them). All or none: an id that exists already is a conflict.
   */
  async createMany(inputs: readonly CreateExecutionInput[]): Promise<StoredExecution[]> {
    if (inputs.length === 0) return [];
    const now = this.ctx.now();
    const rows = inputs.map((input) => this.newRow(input, now));
    const snapshots = inputs.flatMap((input, i) =>
      input.workflow === undefined
        ? []
        : [
            {
              execution_id: rows[i]!.id,
              workflow: JSON.stringify(input.workflow),
              run_data: null,
              encoding: 'json',
              updated_at: now,
            },
          ],
    );
    await inTransaction(this.ctx.db, async (trx) => {
      await mapConflict(
        async () => {
          // 18 columns x 50 rows stays below SQLite's bound-parameter limit.
          for (const part of chunks(rows, 50)) {
            await trx.insertInto('executions').values(part).execute();
          }
        },
        () =>
          new StorageConflictError(
            'execution',
            { id: rows.map((r) => r.id) },
            `an execution with one of the ids ${rows.map((r) => `'${r.id}'`).join(', ')} already exists`,
          ),
      );
      for (const part of chunks(snapshots, 100)) {
        await trx.insertInto('execution_data').values(part).execute();
      }
    });
    return rows.map(toExecution);
  }

  /** The rows of these ids that exist, in no particular order (one query). */
  async getMany(ids: readonly string[]): Promise<StoredExecution[]> {
    if (ids.length === 0) return [];
    const rows: ExecutionTable[] = [];
    for (const part of chunks(ids, 500)) {
      rows.push(
        ...(await this.ctx.db
          .selectFrom('executions')
          .selectAll()
          .where('id', 'in', part)
          .execute()),
      );
    }
    return rows.map(toExecution);
  }

  /**
   * Applies a group commit of many executions atomically: creates missing rows, appends events
   * (append-only: a `seq` already stored is a conflict), patches rows and stores run data. On
   * PostgreSQL, without rows to create, it is one statement (arrays unnested server-side, one
   * round trip and one commit whatever the batch size); `relaxed` lets that commit return before
   * its WAL flush. On SQLite it is one transaction of prepared statements (no kysely query built
   * per row); elsewhere, or with rows to create, one transaction of plain statements.
   */
  async writeBatch(
    batch: ExecutionBatch,
    options: { durability?: 'strict' | 'relaxed' } = {},
  ): Promise<void> {
    const events: SerializedExecutionEvent[] = (batch.events ?? []).map((event) => ({
      executionId: event.executionId,
      seq: event.seq,
      type: event.type,
      at: event.at,
      json: JSON.stringify(event),
    }));
    if (batch.serializedEvents) events.push(...batch.serializedEvents);
    const updates = batch.updates ?? new Map<string, UpdateExecutionInput>();
    const runData = batch.runData ?? new Map<string, RunData>();
    const creates = batch.creates ?? [];
    if (events.length + updates.size + runData.size + creates.length === 0) return;
    if (this.ctx.dialect === 'postgres' && creates.length === 0) {
      await mapConflict(
        () => this.writeBatchPostgres(events, updates, runData, options.durability ?? 'strict'),
        () => this.eventConflict(events),
      );
      return;
    }
    const writer = this.ctx.db.isTransaction ? undefined : this.ctx.sqliteWriter;
    if (writer) {
      const checkpoints = this.sqliteCheckpoints(creates, events, updates, runData);
      const done = await mapConflict(
        async () => writer.writeAll(checkpoints),
        () => this.eventConflict(events),
      );
      if (done) return;
    }
    const write = async (trx: Kysely<Database>) => {
      const repo = new ExecutionRepository({ ...this.ctx, db: trx });
      for (const input of creates) {
        if (input.id === undefined || !(await repo.get(input.id))) await repo.create(input);
      }
      if (events.length > 0) {
        const threshold = this.ctx.compressThreshold;
        const rows = events.map((event) => eventRow(event, event.json, threshold));
        await mapConflict(
          () => insertEventRows(trx, rows, this.ctx.dialect),
          () => this.eventConflict(events),
        );
      }
      for (const [id, patch] of updates) await repo.update(id, patch);
      for (const [id, data] of runData) await repo.saveData(id, { runData: data });
    };
    if (this.ctx.db.isTransaction) return write(this.ctx.db);
    await this.ctx.db.transaction().execute(async (trx) => {
      if (options.durability === 'relaxed' && this.ctx.dialect === 'postgres') {
        await sql`set local synchronous_commit to off`.execute(trx);
      }
      await write(trx);
    });
  }

  /**
   * A batch as the SQLite writer's prepared statements take it: one checkpoint per execution
   * (row to create when missing, events, row patch, run data), all applied in one transaction.
   */
  private sqliteCheckpoints(
    creates: readonly CreateExecutionInput[],
    events: readonly SerializedExecutionEvent[],
    updates: ReadonlyMap<string, UpdateExecutionInput>,
    runData: ReadonlyMap<string, RunData>,
  ): SqliteCheckpoint[] {
    const now = this.ctx.now();
    const byId = new Map<string, SqliteCheckpoint & { rows: EventRow[] }>();
    const of = (executionId: string) => {
      let checkpoint = byId.get(executionId);
      if (!checkpoint) byId.set(executionId, (checkpoint = { rows: [], executionId, set: {} }));
      return checkpoint;
    };
    for (const input of creates) {
      const row = this.newRow(input, now);
      of(row.id).create = {
        row,
        workflow: input.workflow === undefined ? undefined : JSON.stringify(input.workflow),
      };
    }
    const threshold = this.ctx.compressThreshold;
    for (const event of events) {
      of(event.executionId).rows.push(eventRow(event, event.json, threshold));
    }
    for (const [id, patch] of updates) of(id).set = patchColumns(patch);
    for (const [id, data] of runData) {
      of(id).runData = { ...encodeJson(data, this.ctx.compressThreshold), now };
    }
    return [...byId.values()];
  }

  private async writeBatchPostgres(
    events: readonly SerializedExecutionEvent[],
    updates: ReadonlyMap<string, UpdateExecutionInput>,
    runData: ReadonlyMap<string, RunData>,
    durability: 'strict' | 'relaxed',
  ): Promise<void> {
    const parts: RawBuilder<unknown>[] = [
      // Transaction-local: the statement is its own transaction. A select-only CTE runs only
      // when referenced, so the final select reads it.
      sql`cfg as (select set_config('synchronous_commit', ${durability === 'relaxed' ? 'off' : 'on'}, true) as v)`,
    ];
    if (events.length > 0) {
      const rows = (): RangeRows => ({ ids: [], seqs: [], lasts: [], types: [], ats: [] });
      // `texts`: the rows' JSON arrays as pieces of one text, separated by `RECORD_SEPARATOR`.
      const plain = { ...rows(), texts: [] as string[] };
      const packed = { ...rows(), bytes: [] as Buffer[] };
      const limit = this.ctx.compressThreshold;
      for (const range of eventRanges(events, (e) => this.eventConflict(e))) {
        const large = rangeExceeds(range.texts, limit);
        const into = large ? packed : plain;
        into.ids.push(range.executionId);
        into.seqs.push(range.seq);
        into.lasts.push(range.last);
        into.types.push(range.type);
        into.ats.push(range.at);
        if (large) packed.bytes.push(encodeJsonText(`[${range.texts.join(',')}]`, limit).bytes);
        else {
          // Pieces of the one parameter below: each range's JSON array, joined once (the
          // texts are copied once, not per range and again for the parameter).
          if (plain.texts.length > 0) plain.texts.push(RECORD_SEPARATOR);
          plain.texts.push('[');
          for (let i = 0; i < range.texts.length; i++) {
            if (i > 0) plain.texts.push(',');
            plain.texts.push(range.texts[i]!);
          }
          plain.texts.push(']');
        }
      }
      // One row per execution and contiguous range of events. Its `seq` is refused (primary
      // key) when a stored row starts inside the range or a stored range reaches into it: the
      // `seq` inserted is then that row's, a duplicate (see `guardedSeq`).
      const guarded = guardedSeq(sql.raw('x.id'), sql.raw('x.seq'), sql.raw('x.last'));
      if (plain.ids.length > 0) {
        // The JSON texts travel as one parameter split server-side: no array escaping in
        // JavaScript, no hex doubling of bytea arrays. A buffer parameter goes in binary format
        // (the text's UTF-8 bytes, checked by the server). JSON.stringify never emits a raw
        // control character, so the record separator cannot occur inside a text.
        parts.push(sql`ev as (insert into execution_events (execution_id, seq, last_seq, type, at, payload, encoding)
          select x.id, ${guarded}, x.last, x.type, x.at, convert_to(x.payload, 'UTF8'), 'json'
          from unnest(${plain.ids}::text[], ${plain.seqs}::integer[], ${plain.lasts}::integer[],
            ${plain.types}::text[], ${plain.ats}::bigint[],
            string_to_array(${utf8Join(plain.texts)}::text, chr(30)))
            as x(id, seq, last, type, at, payload))`);
      }
      if (packed.ids.length > 0) {
        parts.push(sql`evz as (insert into execution_events (execution_id, seq, last_seq, type, at, payload, encoding)
          select x.id, ${guarded}, x.last, x.type, x.at, x.payload, 'gzip'
          from unnest(${packed.ids}::text[], ${packed.seqs}::integer[], ${packed.lasts}::integer[],
            ${packed.types}::text[], ${packed.ats}::bigint[], ${packed.bytes}::bytea[])
            as x(id, seq, last, type, at, payload))`);
      }
    }
    if (updates.size > 0) {
      const ids = [...updates.keys()];
      const patches = [...updates].map(([id, patch]) => ({ ...patchColumns(patch), id }));
      // `e.id = any(ids)` makes the planner look the rows up in the primary key; joined on the
      // JSON alone it would scan the whole table (it cannot estimate a JSON array's rows).
      parts.push(sql`up as (update executions as e set ${sql.raw(PATCH_SET_SQL)}
        from jsonb_array_elements(${JSON.stringify(patches)}::jsonb) as u(p)
        where e.id = any(${ids}::text[]) and e.id = u.p->>'id')`);
    }
    if (runData.size > 0) {
      const now = this.ctx.now();
      const plainIds: string[] = [];
      const texts: string[] = [];
      const packedIds: string[] = [];
      const packedBytes: Buffer[] = [];
      for (const [id, data] of runData) {
        const text = JSON.stringify(data) ?? 'null';
        if (!exceeds(text, this.ctx.compressThreshold)) {
          plainIds.push(id);
          texts.push(text);
        } else {
          packedIds.push(id);
          packedBytes.push(encodeJsonText(text, this.ctx.compressThreshold).bytes);
        }
      }
      const upsert = sql`on conflict (execution_id) do update set run_data = excluded.run_data,
          encoding = excluded.encoding, updated_at = excluded.updated_at`;
      if (plainIds.length > 0) {
        parts.push(sql`dat as (insert into execution_data (execution_id, workflow, run_data, encoding, updated_at)
          select d.id, null, convert_to(d.text, 'UTF8'), 'json', ${now}::bigint
          from unnest(${plainIds}::text[], string_to_array(${texts.join(RECORD_SEPARATOR)}::text, chr(30))) as d(id, text)
          ${upsert})`);
      }
      if (packedIds.length > 0) {
        parts.push(sql`datz as (insert into execution_data (execution_id, workflow, run_data, encoding, updated_at)
          select d.id, null, d.bytes, 'gzip', ${now}::bigint
          from unnest(${packedIds}::text[], ${packedBytes}::bytea[]) as d(id, bytes)
          ${upsert})`);
      }
    }
    await sql`with ${sql.join(parts)} select v from cfg`.execute(this.ctx.db);
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

  /**
   * The workflow snapshot and run data. Run data not stored (a worker stores none for the runs
   * it starts: the log holds it) is rebuilt from the event log (the `task` of each
   * `node.finished`), also while the execution runs; `{ runData: false }` reads the snapshot only.
   */
  async getData(
    id: string,
    options: { runData?: boolean } = {},
  ): Promise<ExecutionData | undefined> {
    const query = this.ctx.db.selectFrom('execution_data').where('execution_id', '=', id);
    const snapshot = (text: string | null | undefined) =>
      parseJsonText<JsonObject | null>(text ?? null, null);
    if (options.runData === false) {
      const row = await query.select('workflow').executeTakeFirst();
      return row && { workflow: snapshot(row.workflow), runData: null };
    }
    const row = await query.select(['workflow', 'run_data', 'encoding']).executeTakeFirst();
    const workflow = snapshot(row?.workflow);
    if (row?.run_data != null) {
      return {
        workflow,
        runData: decodeJson<RunData>(row.run_data, row.encoding, `run data of execution '${id}'`),
      };
    }
    const events = await this.listEvents<ExecutionEvent>(id);
    if (events.length === 0) return row && { workflow, runData: null };
    return { workflow, runData: runDataFromEvents(events) };
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
        await inTransaction(this.ctx.db, (trx) => insertEventRows(trx, rows, this.ctx.dialect));
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
            // A VALUES row per event, each `seq` guarded: a checkpoint has a few events, for
            // which this is faster than `insertEventsSql` (its unnest pays off for many rows).
            .with('ins', (db) =>
              db.insertInto('execution_events').values(
                rows.map((row) => ({
                  ...row,
                  seq: guardedSeq(sql`${row.execution_id}`, sql`${row.seq}::integer`),
                })),
              ),
            ),
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

  private eventRows(events: readonly ExecutionEventLike[]): EventRow[] {
    const threshold = this.ctx.compressThreshold;
    return events.map((event) => eventRow(event, JSON.stringify(event), threshold));
  }

  private eventConflict(
    events: ReadonlyArray<Pick<ExecutionEventLike, 'executionId' | 'seq'>>,
  ): StorageConflictError {
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
    const after = options.afterSeq;
    let q = this.ctx.db
      .selectFrom('execution_events')
      .select(['seq', 'last_seq', 'payload', 'encoding'])
      .where('execution_id', '=', executionId)
      .orderBy('seq');
    if (after !== undefined) {
      q = q.where((eb) => eb.or([eb('seq', '>', after), eb('last_seq', '>', after)]));
    }
    // Every row holds at least one event past `after`: `limit` rows hold enough.
    if (options.limit !== undefined) q = q.limit(options.limit);
    const rows = await q.execute();
    const events: E[] = [];
    for (const row of rows) {
      if (row.last_seq === null) {
        events.push(
          decodeJson<E>(
            row.payload,
            row.encoding,
            `event ${row.seq} of execution '${executionId}'`,
          ),
        );
        continue;
      }
      const range = decodeJson<E[]>(
        row.payload,
        row.encoding,
        `events ${row.seq}-${row.last_seq} of execution '${executionId}'`,
      );
      for (const event of range) if (after === undefined || event.seq > after) events.push(event);
    }
    return options.limit !== undefined && events.length > options.limit
      ? events.slice(0, options.limit)
      : events;
  }

  async countEvents(executionId: string): Promise<number> {
    // A range row holds `last_seq - seq + 1` events (ranges are contiguous).
    const row = await this.ctx.db
      .selectFrom('execution_events')
      .select(sql<number | string | null>`sum(coalesce(last_seq, seq) - seq + 1)`.as('n'))
      .where('execution_id', '=', executionId)
      .executeTakeFirstOrThrow();
    return Number(row.n ?? 0);
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
