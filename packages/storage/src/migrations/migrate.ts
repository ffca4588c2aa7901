import { BudflowError } from '@budflow/node-sdk';
import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { STORAGE_ERROR_CODES } from '../errors.js';
import { buildMigrations, type DialectName } from './migrations.js';

export interface MigrationReport {
  /** Migrations applied by this call, in order. */
  applied: string[];
  /** Every migration the database now has. */
  current: string[];
}

function migratorFor(
  db: Kysely<any>,
  dialect: DialectName,
  options: { disableTransactions?: boolean; schema?: string } = {},
): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => buildMigrations(dialect) },
    disableTransactions: options.disableTransactions ?? false,
    // Kysely looks for its bookkeeping tables in every schema unless told which one: another
    // schema's tables (a neighbour's test run, another app) would be mistaken for ours.
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
}

async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]!.schema;
}

function report(result: MigrationResultSet, all: string[]): MigrationReport {
  if (result.error) {
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    const newer = /corrupted migrations|missing/i.test(message);
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_MIGRATION_FAILED,
      newer
        ? `the database schema is newer than this BudFlow version (${message}); upgrade BudFlow`
        : `database migration failed: ${message}`,
      {
        cause: result.error,
        details: {
          failed: result.results?.filter((r) => r.status === 'Error').map((r) => r.migrationName),
        },
      },
    );
  }
  return {
    applied: (result.results ?? [])
      .filter((r) => r.status === 'Success')
      .map((r) => r.migrationName),
    current: all,
  };
}

/**
 * Applies pending migrations, all in one transaction. On PostgreSQL a session advisory lock (per schema) serialises
 * processes that start together: the first migrates, the others then find nothing to do.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  dialect: DialectName,
): Promise<MigrationReport> {
  const all = Object.keys(buildMigrations(dialect)).sort();
  if (dialect === 'sqlite') {
    // BEGIN IMMEDIATE takes SQLite's write lock up front: a second process opening the same file
    // waits (busy_timeout), then sees the migrations as applied instead of racing to apply them.
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = report(
          await migratorFor(conn, dialect, { disableTransactions: true }).migrateToLatest(),
          all,
        );
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  }
  return db.connection().execute(async (conn) => {
    const key = sql`hashtext('budflow.migrate.' || current_schema())`;
    await sql`select pg_advisory_lock(${key})`.execute(conn);
    try {
      const schema = await currentSchema(conn);
      return report(await migratorFor(conn, dialect, { schema }).migrateToLatest(), all);
    } finally {
      await sql`select pg_advisory_unlock(${key})`.execute(conn);
    }
  });
}

/** Names of migrations not applied yet (empty: the schema is current). */
export async function pendingMigrations(db: Kysely<any>, dialect: DialectName): Promise<string[]> {
  const schema = dialect === 'postgres' ? await currentSchema(db) : undefined;
  const migrations = await migratorFor(db, dialect, { schema }).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
