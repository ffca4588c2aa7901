import type BetterSqlite3 from 'better-sqlite3';
import type { ExecutionTable } from '../schema/database.js';

export interface EventRow {
  execution_id: string;
  seq: number;
  type: string;
  at: number;
  payload: Buffer;
  encoding: string;
}

export interface SqliteCheckpoint {
  rows: readonly EventRow[];
  executionId: string;
  /** Columns to set on the execution row. */
  set: Record<string, unknown>;
  /** Create the execution row when missing (and keep an existing row's start time). */
  create?: { row: ExecutionTable; workflow: string | undefined };
  runData?: { bytes: Buffer; encoding: string; now: number };
}

const EXECUTION_COLUMNS: ReadonlyArray<keyof ExecutionTable> = [
  'id',
  'workflow_id',
  'workflow_version_id',
  'mode',
  'status',
  'created_at',
  'started_at',
  'stopped_at',
  'wait_till',
  'retry_of',
  'retry_success_id',
  'parent_execution_id',
  'custom_data',
  'last_node_executed',
  'error',
  'lease_owner',
  'lease_expires_at',
  'last_seq',
];

/**
 * The hot path of the event log on SQLite: prepared statements run synchronously in one
 * better-sqlite3 transaction, without kysely's per-query compile and async hops (several times
 * faster). Safe beside kysely because better-sqlite3 is synchronous: this runs between kysely's
 * statements, never inside one; when kysely has a transaction open, `write` returns false and
 * the caller takes the kysely path, which waits for that transaction.
 */
export class SqliteEventWriter {
  private readonly insertEvent: BetterSqlite3.Statement;
  private readonly insertExecution: BetterSqlite3.Statement;
  private readonly keepStart: BetterSqlite3.Statement;
  private readonly insertSnapshot: BetterSqlite3.Statement;
  private readonly upsertRunData: BetterSqlite3.Statement;
  private readonly updates = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly database: BetterSqlite3.Database) {
    this.insertEvent = database.prepare(
      'insert into execution_events (execution_id, seq, type, at, payload, encoding) values (?, ?, ?, ?, ?, ?)',
    );
    this.insertExecution = database.prepare(
      `insert into executions (${EXECUTION_COLUMNS.join(', ')}) values (${EXECUTION_COLUMNS.map(() => '?').join(', ')}) on conflict (id) do nothing`,
    );
    this.keepStart = database.prepare(
      'update executions set started_at = coalesce(started_at, ?) where id = ?',
    );
    this.insertSnapshot = database.prepare(
      `insert into execution_data (execution_id, workflow, run_data, encoding, updated_at) values (?, ?, null, 'json', ?) on conflict (execution_id) do nothing`,
    );
    this.upsertRunData = database.prepare(
      `insert into execution_data (execution_id, workflow, run_data, encoding, updated_at) values (?, null, ?, ?, ?)
       on conflict (execution_id) do update set run_data = excluded.run_data, encoding = excluded.encoding, updated_at = excluded.updated_at`,
    );
  }

  /** Applies the checkpoint atomically; false when kysely holds a transaction (try later). */
  write(checkpoint: SqliteCheckpoint): boolean {
    return this.writeAll([checkpoint]);
  }

  /**
   * Applies the checkpoints of many executions in one transaction (a group commit: one commit
   * and one WAL append for all); false when kysely holds a transaction (try later).
   */
  writeAll(checkpoints: readonly SqliteCheckpoint[]): boolean {
    if (this.database.inTransaction) return false;
    this.database.transaction(() => {
      for (const checkpoint of checkpoints) this.apply(checkpoint);
    })();
    return true;
  }

  private apply(checkpoint: SqliteCheckpoint): void {
    const { rows, executionId, set, create, runData } = checkpoint;
    if (create) {
      this.insertExecution.run(...EXECUTION_COLUMNS.map((c) => create.row[c]));
      this.keepStart.run(create.row.started_at, executionId);
      if (create.workflow !== undefined) {
        this.insertSnapshot.run(executionId, create.workflow, create.row.created_at);
      }
    }
    if (runData) this.upsertRunData.run(executionId, runData.bytes, runData.encoding, runData.now);
    for (const r of rows) {
      this.insertEvent.run(r.execution_id, r.seq, r.type, r.at, r.payload, r.encoding);
    }
    const columns = Object.keys(set).sort();
    if (columns.length > 0) this.updateFor(columns).run(...columns.map((c) => set[c]), executionId);
  }

  private updateFor(columns: string[]): BetterSqlite3.Statement {
    const key = columns.join(',');
    let statement = this.updates.get(key);
    if (!statement) {
      // Column names come from `patchColumns` (our own schema), never from input.
      const assignments = columns.map((c) => `"${c}" = ?`).join(', ');
      statement = this.database.prepare(`update executions set ${assignments} where id = ?`);
      this.updates.set(key, statement);
    }
    return statement;
  }
}
