/**
 * `@budflow/storage/testing`: storage factories for tests. SQLite in a fresh temp dir; PostgreSQL
 * on `DATABASE_URL` in a fresh schema (dropped on close), so test files never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStorage, type Storage, type StorageOptions } from '../storage.js';

export const TEST_ENCRYPTION_KEY = 'budflow-test-encryption-key-0123456789';

/** Makes a fresh, migrated storage; each call is isolated from the others. */
export type TestStorageFactory = (options?: StorageOptions) => Promise<Storage>;

export function sqliteTestStorageFactory(): TestStorageFactory {
  return async (options = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'budflow-storage-'));
    const storage = await createStorage(
      { dialect: 'sqlite', dataDir: dir },
      { encryptionKey: TEST_ENCRYPTION_KEY, ...options },
    );
    const close = storage.close.bind(storage);
    return Object.assign(storage, {
      close: async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  };
}

/** A migrated PostgreSQL storage in a fresh schema, for code that must know the schema's name. */
export interface FreshPostgresStorage {
  storage: Storage;
  schema: string;
  /** Closes the storage and drops the schema. */
  drop: () => Promise<void>;
}

export async function freshPostgresStorage(
  url: string,
  options: StorageOptions & { poolSize?: number; schemaPrefix?: string } = {},
): Promise<FreshPostgresStorage> {
  const { poolSize = 4, schemaPrefix = 'test', ...storageOptions } = options;
  const schema = `${schemaPrefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const storage = await createStorage(
    { dialect: 'postgres', url, schema, poolSize },
    { encryptionKey: TEST_ENCRYPTION_KEY, ...storageOptions },
  );
  const close = storage.close.bind(storage);
  return {
    storage,
    schema,
    drop: async () => {
      await close();
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

export function postgresTestStorageFactory(
  url: string | undefined = process.env.DATABASE_URL,
): TestStorageFactory {
  if (!url) throw new Error('DATABASE_URL is not set: PostgreSQL tests need a server');
  return async (options = {}) => {
    const { storage, drop } = await freshPostgresStorage(url, options);
    return Object.assign(storage, { close: drop });
  };
}
