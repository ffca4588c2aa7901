import { BudflowError } from '@budflow/node-sdk';

/** Error codes of the storage domain. */
export const STORAGE_ERROR_CODES = {
  STORAGE_CONFLICT: 'STORAGE_CONFLICT',
  STORAGE_NOT_FOUND: 'STORAGE_NOT_FOUND',
  STORAGE_VERSION_CONFLICT: 'STORAGE_VERSION_CONFLICT',
  STORAGE_MIGRATION_FAILED: 'STORAGE_MIGRATION_FAILED',
  STORAGE_DATA_CORRUPT: 'STORAGE_DATA_CORRUPT',
  STORAGE_INVALID_INPUT: 'STORAGE_INVALID_INPUT',
  STORAGE_CONFIG_INVALID: 'STORAGE_CONFIG_INVALID',
  EXECUTION_NOT_RECOVERABLE: 'EXECUTION_NOT_RECOVERABLE',
} as const;

export type StorageEntity =
  | 'workflow'
  | 'workflowVersion'
  | 'execution'
  | 'credential'
  | 'webhook'
  | 'variable'
  | 'tag'
  | 'project'
  | 'projectMember'
  | 'user'
  | 'apiKey'
  | 'setting';

/** A unique constraint refused a write: names the entity and the values that collided. */
export class StorageConflictError extends BudflowError {
  override name = 'StorageConflictError';
  readonly entity: StorageEntity;
  readonly conflict: Record<string, unknown>;

  constructor(
    entity: StorageEntity,
    conflict: Record<string, unknown>,
    message: string,
    cause?: unknown,
  ) {
    super(STORAGE_ERROR_CODES.STORAGE_CONFLICT, message, {
      details: { entity, conflict },
      cause,
    });
    this.entity = entity;
    this.conflict = conflict;
  }
}

export class StorageNotFoundError extends BudflowError {
  override name = 'StorageNotFoundError';
  constructor(entity: StorageEntity, id: string, message?: string) {
    super(STORAGE_ERROR_CODES.STORAGE_NOT_FOUND, message ?? `${entity} '${id}' does not exist`, {
      details: { entity, id },
    });
  }
}

/** True for a unique-constraint violation from SQLite or PostgreSQL. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown } | null;
  return (
    !!e &&
    (e.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
      e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
      e.code === '23505')
  );
}

/** Runs `write`; a unique violation becomes a `StorageConflictError` built by `describe`. */
export async function mapConflict<T>(
  write: () => Promise<T>,
  describe: () => StorageConflictError,
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) {
      const conflict = describe();
      (conflict as { cause?: unknown }).cause = error;
      throw conflict;
    }
    throw error;
  }
}
