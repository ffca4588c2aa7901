import { BudflowError } from '@budflow/node-sdk';
import { createCredentialCipher, resolveDataDir, type CredentialCipher } from '@budflow/secrets';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, sql, type Dialect } from 'kysely';
import { SqliteEventWriter } from './internal/sqlite-event-writer.js';
import { STORAGE_ERROR_CODES } from './errors.js';
import { inTransaction, type RepositoryContext } from './internal/context.js';
import { COMPRESS_THRESHOLD_BYTES } from './internal/json-codec.js';
import { migrateToLatest, pendingMigrations, type MigrationReport } from './migrations/migrate.js';
import type { DialectName } from './migrations/migrations.js';
import { ApiKeyRepository } from './repositories/api-key-repository.js';
import { AuditLogRepository } from './repositories/audit-log-repository.js';
import { CredentialRepository } from './repositories/credential-repository.js';
import { ExecutionRepository } from './repositories/execution-repository.js';
import { ProjectRepository } from './repositories/project-repository.js';
import { SettingRepository } from './repositories/setting-repository.js';
import { TagRepository } from './repositories/tag-repository.js';
import { UserRepository } from './repositories/user-repository.js';
import { VariableRepository } from './repositories/variable-repository.js';
import { WebhookRepository } from './repositories/webhook-repository.js';
import { WorkflowRepository } from './repositories/workflow-repository.js';
import {
  pruneExecutions,
  type PruneOptions,
  type PruneResult,
} from './retention/prune-executions.js';
import type { Database } from './schema/database.js';
import type { SqliteOptions } from './dialect/sqlite-dialect.js';
import type { PostgresOptions } from './dialect/postgres-dialect.js';

export type StorageConfig =
  ({ dialect: 'sqlite' } & SqliteOptions) | ({ dialect: 'postgres' } & PostgresOptions);

export interface StorageOptions {
  /**
   * Apply pending migrations at start-up (default true). When false, start-up fails if the
   * schema is not current, so a fleet can migrate once from a deploy step.
   */
  migrate?: boolean;
  /**
   * The master key for credentials (or a ready cipher). Checked at start-up against the value
   * stored on first use: a wrong key fails here, not when a workflow first needs a credential.
   */
  encryptionKey?: string | CredentialCipher;
  now?: () => number;
  /** Run data and events above this many bytes are gzip-compressed (default 16 KiB). */
  compressThreshold?: number;
  env?: Record<string, string | undefined>;
}

/** The repositories; the only way to the database. */
export interface Repositories {
  workflows: WorkflowRepository;
  executions: ExecutionRepository;
  credentials: CredentialRepository;
  webhooks: WebhookRepository;
  variables: VariableRepository;
  tags: TagRepository;
  projects: ProjectRepository;
  users: UserRepository;
  apiKeys: ApiKeyRepository;
  settings: SettingRepository;
  auditLog: AuditLogRepository;
}

export interface Storage extends Repositories {
  readonly dialect: DialectName;
  /** What start-up migration did (empty `applied` when the schema was current or not migrated). */
  readonly startup: MigrationReport;
  /** Applies pending migrations (already done by `createStorage` unless `migrate: false`). */
  migrate(): Promise<MigrationReport>;
  /** Runs `fn` with repositories bound to one transaction. */
  transaction<T>(
    fn: (repositories: Repositories) => Promise<T>,
    options?: TransactionOptions,
  ): Promise<T>;
  /**
   * Re-encrypts every credential from `oldKey` to `newKey` in one transaction, and stores the new
   * key's check value. Afterwards this storage encrypts with `newKey`.
   */
  rotateCredentials(oldKey: string, newKey: string): Promise<{ rotated: number }>;
  /** Deletes old executions (with data and events) in small batches. */
  pruneExecutions(options: PruneOptions): Promise<PruneResult>;
  close(): Promise<void>;
}

export interface TransactionOptions {
  /**
   * `relaxed`: on PostgreSQL the commit returns before its WAL record is flushed to disk
   * (`synchronous_commit = off` for this transaction only). A server crash can lose the last
   * fraction of a second of such commits, never corrupt anything. SQLite in WAL mode with
   * `synchronous = NORMAL` already behaves like this. Default `strict`.
   */
  durability?: 'strict' | 'relaxed';
}

export const KEY_CHECK_SETTING = 'budflow.encryptionKeyCheck';

function repositoriesOf(ctx: RepositoryContext): Repositories {
  return {
    workflows: new WorkflowRepository(ctx),
    executions: new ExecutionRepository(ctx),
    credentials: new CredentialRepository(ctx),
    webhooks: new WebhookRepository(ctx),
    variables: new VariableRepository(ctx),
    tags: new TagRepository(ctx),
    projects: new ProjectRepository(ctx),
    users: new UserRepository(ctx),
    apiKeys: new ApiKeyRepository(ctx),
    settings: new SettingRepository(ctx),
    auditLog: new AuditLogRepository(ctx),
  };
}

/**
 * Opens storage: SQLite (a file in the data dir, WAL) or PostgreSQL (a pool on `DATABASE_URL`;
 * `pg` is loaded only here). Migrates and checks the encryption key before returning.
 */
export async function createStorage(
  config: StorageConfig,
  options: StorageOptions = {},
): Promise<Storage> {
  const env = options.env ?? process.env;
  let dialect: Dialect;
  let schema: string | undefined;
  let sqlite: BetterSqlite3.Database | undefined;
  if (config.dialect === 'sqlite') {
    const { createSqliteDialect } = await import('./dialect/sqlite-dialect.js');
    ({ dialect, database: sqlite } = createSqliteDialect(config, () => resolveDataDir(env)));
  } else if (config.dialect === 'postgres') {
    const { createPostgresDialect } = await import('./dialect/postgres-dialect.js');
    dialect = createPostgresDialect(config, env).dialect;
    schema = config.schema;
  } else {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_CONFIG_INVALID,
      `unknown storage dialect '${(config as { dialect: unknown }).dialect}': use 'sqlite' or 'postgres'`,
    );
  }
  const db = new Kysely<Database>({ dialect });
  try {
    return await openStorage(db, config.dialect, schema, options, sqlite);
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

async function openStorage(
  db: Kysely<Database>,
  dialect: DialectName,
  schema: string | undefined,
  options: StorageOptions,
  sqlite: BetterSqlite3.Database | undefined,
): Promise<Storage> {
  if (schema !== undefined) {
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
    } catch (error) {
      // Two processes creating the schema together: the loser sees a duplicate, which is fine.
      if (!['23505', '42P06'].includes((error as { code?: string }).code ?? '')) throw error;
    }
  }
  let startup: MigrationReport = { applied: [], current: [] };
  if (options.migrate ?? true) {
    startup = await migrateToLatest(db, dialect);
  } else {
    const pending = await pendingMigrations(db, dialect);
    if (pending.length > 0) {
      throw new BudflowError(
        STORAGE_ERROR_CODES.STORAGE_MIGRATION_FAILED,
        `the database schema is out of date (pending: ${pending.join(', ')}); run the migrations first`,
        { details: { pending } },
      );
    }
  }

  const key = options.encryptionKey;
  const cipher = typeof key === 'string' ? createCredentialCipher(key) : key;
  const ctx: RepositoryContext = {
    db,
    dialect,
    now: options.now ?? Date.now,
    cipher,
    compressThreshold: options.compressThreshold ?? COMPRESS_THRESHOLD_BYTES,
    ...(sqlite ? { sqliteWriter: new SqliteEventWriter(sqlite) } : {}),
  };
  const repositories = repositoriesOf(ctx);
  if (cipher) {
    const stored = await repositories.settings.setIfAbsent(
      KEY_CHECK_SETTING,
      cipher.createKeyCheck(),
    );
    cipher.verifyKeyCheck(stored);
  }

  return {
    dialect,
    startup,
    ...repositories,
    migrate: () => migrateToLatest(db, dialect),
    transaction: (fn, transactionOptions) =>
      inTransaction(db, async (trx) => {
        if (transactionOptions?.durability === 'relaxed' && dialect === 'postgres') {
          await sql`set local synchronous_commit to off`.execute(trx);
        }
        return fn(repositoriesOf({ ...ctx, db: trx }));
      }),
    async rotateCredentials(oldKey, newKey) {
      const rotating = createCredentialCipher(newKey, { previousKeys: [oldKey] });
      const oldCipher = createCredentialCipher(oldKey);
      const rotated = await inTransaction(db, async (trx) => {
        const check = await trx
          .selectFrom('settings')
          .select('value')
          .where('key', '=', KEY_CHECK_SETTING)
          .executeTakeFirst();
        if (check) oldCipher.verifyKeyCheck(JSON.parse(check.value) as string);
        const rows = await trx.selectFrom('credentials').selectAll().execute();
        for (const row of rows) {
          const data = rotating.decrypt(row.data, {
            context: row.id,
            credential: { id: row.id, name: row.name, type: row.type },
          });
          await trx
            .updateTable('credentials')
            .set({ data: rotating.encrypt(data, { context: row.id }) })
            .where('id', '=', row.id)
            .execute();
        }
        await repositoriesOf({ ...ctx, db: trx }).settings.set(
          KEY_CHECK_SETTING,
          rotating.createKeyCheck(),
        );
        return rows.length;
      });
      ctx.cipher = createCredentialCipher(newKey);
      return { rotated };
    },
    pruneExecutions: (pruneOptions) => pruneExecutions(ctx, pruneOptions),
    close: () => db.destroy(),
  };
}
