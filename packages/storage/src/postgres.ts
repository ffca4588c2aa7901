/** `@budflow/storage/postgres`: PostgreSQL storage (needs the optional peer dependency `pg`). */
import { createStorage, type Storage, type StorageOptions } from './storage.js';
import type { PostgresOptions } from './dialect/postgres-dialect.js';

export type { PostgresOptions };

/** Storage on PostgreSQL: `url` or `DATABASE_URL`, optional `schema`. */
export function createPostgresStorage(
  config: PostgresOptions = {},
  options: StorageOptions = {},
): Promise<Storage> {
  return createStorage({ dialect: 'postgres', ...config }, options);
}
