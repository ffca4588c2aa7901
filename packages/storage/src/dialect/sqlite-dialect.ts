import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { SqliteDialect, type Dialect } from 'kysely';

export const SQLITE_FILE_NAME = 'database.sqlite';

export interface SqliteOptions {
  /** Directory of the database file; `BUDFLOW_DATA_DIR` or `~/.budflow` by default. */
  dataDir?: string;
  /** Full path of the file (overrides `dataDir`), or `:memory:`. */
  file?: string;
}

/** better-sqlite3 with WAL: readers do not block the writer, and commits are cheap. */
export function createSqliteDialect(
  options: SqliteOptions,
  defaultDataDir: () => string,
): { dialect: Dialect; database: BetterSqlite3.Database } {
  let file = options.file;
  if (file === undefined) {
    const dir = options.dataDir ?? defaultDataDir();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    file = join(dir, SQLITE_FILE_NAME);
  }
  const database = new BetterSqlite3(file);
  database.pragma('busy_timeout = 5000');
  database.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the
  // last commits, which is the trade n8n makes too.
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return { dialect: new SqliteDialect({ database }), database };
}
