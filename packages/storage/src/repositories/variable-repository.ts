import { BudflowError } from '@budflow/node-sdk';
import {
  STORAGE_ERROR_CODES,
  StorageConflictError,
  StorageNotFoundError,
  mapConflict,
} from '../errors.js';
import type { RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import type { VariableTable } from '../schema/database.js';

/** A `$vars` entry. */
export interface Variable {
  id: string;
  key: string;
  value: string;
  type: string;
  projectId: string | null;
  createdAt: number;
  updatedAt: number;
}

const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function assertKey(key: string) {
  if (!KEY_PATTERN.test(key) || key.length > 100) {
    throw new BudflowError(
      STORAGE_ERROR_CODES.STORAGE_INVALID_INPUT,
      `variable key '${key}' is invalid: use letters, digits and underscores (not starting with a digit), at most 100 characters`,
    );
  }
}

const toVariable = (row: VariableTable): Variable => ({
  id: row.id,
  key: row.key,
  value: row.value,
  type: row.type,
  projectId: row.project_id === '' ? null : row.project_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const keyConflict = (key: string, projectId: string) =>
  new StorageConflictError(
    'variable',
    { key, projectId: projectId === '' ? null : projectId },
    `a variable with key '${key}' already exists${projectId ? ` in project '${projectId}'` : ''}`,
  );

export class VariableRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: {
    key: string;
    value: string;
    type?: string;
    projectId?: string | null;
  }): Promise<Variable> {
    assertKey(input.key);
    const now = this.ctx.now();
    const row: VariableTable = {
      id: newId(now),
      key: input.key,
      value: input.value,
      type: input.type ?? 'string',
      project_id: input.projectId ?? '',
      created_at: now,
      updated_at: now,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('variables').values(row).execute(),
      () => keyConflict(row.key, row.project_id),
    );
    return toVariable(row);
  }

  async get(id: string): Promise<Variable | undefined> {
    const row = await this.ctx.db
      .selectFrom('variables')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toVariable(row);
  }

  async getByKey(key: string, projectId: string | null = null): Promise<Variable | undefined> {
    const row = await this.ctx.db
      .selectFrom('variables')
      .selectAll()
      .where('key', '=', key)
      .where('project_id', '=', projectId ?? '')
      .executeTakeFirst();
    return row && toVariable(row);
  }

  async list(query: { projectId?: string | null } = {}): Promise<Variable[]> {
    let q = this.ctx.db.selectFrom('variables').selectAll().orderBy('key');
    if (query.projectId !== undefined) q = q.where('project_id', '=', query.projectId ?? '');
    return (await q.execute()).map(toVariable);
  }

  /** `$vars` for an execution: global variables, overridden by the project's. */
  async asRecord(projectId: string | null = null): Promise<Record<string, string>> {
    const rows = await this.ctx.db
      .selectFrom('variables')
      .selectAll()
      .where('project_id', 'in', projectId ? ['', projectId] : [''])
      .execute();
    const vars: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const row of rows.sort(
      (a, b) => (a.project_id === '' ? -1 : 0) - (b.project_id === '' ? -1 : 0),
    )) {
      vars[row.key] = row.value;
    }
    return vars;
  }

  async update(
    id: string,
    patch: { key?: string; value?: string; type?: string },
  ): Promise<Variable> {
    if (patch.key !== undefined) assertKey(patch.key);
    const current = await this.get(id);
    if (!current) throw new StorageNotFoundError('variable', id);
    await mapConflict(
      () =>
        this.ctx.db
          .updateTable('variables')
          .set({
            ...(patch.key === undefined ? {} : { key: patch.key }),
            ...(patch.value === undefined ? {} : { value: patch.value }),
            ...(patch.type === undefined ? {} : { type: patch.type }),
            updated_at: this.ctx.now(),
          })
          .where('id', '=', id)
          .execute(),
      () => keyConflict(patch.key ?? current.key, current.projectId ?? ''),
    );
    return (await this.get(id))!;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('variables')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
