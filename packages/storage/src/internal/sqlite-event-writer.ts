import type BetterSqlite3 from 'better-sqlite3';

export interface EventRow {
  execution_id: string;
  seq: number;
  type: string;
  at: number;
  payload: Buffer;
  encoding: string;
}

/**
 * The hot path of the event log on SQLite: prepared statements run synchronously in one
 * better-sqlite3 transaction, without kysely's per-query compile and async hops (several times
 * faster). Safe beside kysely because better-sqlite3 is synchronous: this runs between kysely's
 * statements, never inside one; when kysely has a transaction open, `write` returns false and
 * the caller takes the kysely path, which waits for that transaction.
 */
export class SqliteEventWriter {
  private readonly insert: BetterSqlite3.Statement;
  private readonly updates = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly database: BetterSqlite3.Database) {
    this.insert = database.prepare(
      'insert into execution_events (execution_id, seq, type, at, payload, encoding) values (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Appends rows and applies `set` to the execution row atomically; false when it cannot now. */
  write(rows: readonly EventRow[], executionId: string, set: Record<string, unknown>): boolean {
    if (this.database.inTransaction) return false;
    const columns = Object.keys(set).sort();
    const update = columns.length > 0 ? this.updateFor(columns) : undefined;
    this.database.transaction(() => {
      for (const r of rows)
        this.insert.run(r.execution_id, r.seq, r.type, r.at, r.payload, r.encoding);
      update?.run(...columns.map((c) => set[c]), executionId);
    })();
    return true;
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
