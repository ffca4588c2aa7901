import { BudflowError } from '@budflow/node-sdk';
import { PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import { STORAGE_ERROR_CODES } from '../errors.js';

export interface PostgresOptions {
  /** `postgres://user:pass@host:5432/db`; defaults to `DATABASE_URL`. */
  url?: string;
  /** Schema for every table (created when missing); default the server's search path. */
  schema?: string;
  /** Pool size, default 10. */
  poolSize?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** pg pool with bigint columns (epoch-ms timestamps) parsed as numbers. */
export function createPostgresDialect(
  options: PostgresOptions,
  env: Record<string, string | undefined> = process.env,
): { dialect: Dialect; pool: pg.Pool } {
  const url = options.url ?? env.DATABASE_URL;
  if (!url) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_CONFIG_INVALID,
      'PostgreSQL storage needs a connection URL: set DATABASE_URL or pass `url`',
    );
  }
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_CONFIG_INVALID,
      `schema name '${options.schema}' is invalid: use lower-case letters, digits and underscores`,
    );
  }
  const types = {
    getTypeParser: ((oid: number, format?: string) =>
      oid === INT8_OID || oid === NUMERIC_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  return { dialect: new PostgresDialect({ pool }), pool };
}
