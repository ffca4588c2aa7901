import type { Kysely, Transaction } from 'kysely';
import type { CredentialCipher } from '@budflow/secrets';
import type { DialectName } from '../migrations/migrations.js';
import type { SqliteEventWriter } from './sqlite-event-writer.js';
import type { Database } from '../schema/database.js';

/** What every repository gets: the database handle (maybe a transaction) and shared settings. */
export interface RepositoryContext {
  db: Kysely<Database>;
  dialect: DialectName;
  now: () => number;
  cipher: CredentialCipher | undefined;
  compressThreshold: number;
  /** SQLite only: the connection, for the event-append fast path (see `SqliteEventWriter`). */
  sqliteWriter?: SqliteEventWriter;
}

/** Runs `fn` in a transaction, or in the current one when `db` already is one. */
export async function inTransaction<T>(
  db: Kysely<Database>,
  fn: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) return fn(db);
  return db.transaction().execute((trx: Transaction<Database>) => fn(trx));
}

/** `LIKE` pattern for a substring, with `%`, `_` and `\` escaped (use with `escape '\'`). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export const bool = (value: number | boolean | null | undefined): boolean =>
  value === true || value === 1;
