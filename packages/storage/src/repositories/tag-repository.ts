import { StorageConflictError, mapConflict } from '../errors.js';
import { inTransaction, type RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import type { TagTable } from '../schema/database.js';

export interface Tag {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
}

const toTag = (row: TagTable): Tag => ({
  id: row.id,
  name: row.name,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const tagConflict = (name: string) =>
  new StorageConflictError('tag', { name }, `a tag named '${name}' already exists`);

export class TagRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(name: string): Promise<Tag> {
    const now = this.ctx.now();
    const row: TagTable = { id: newId(now), name: name.trim(), created_at: now, updated_at: now };
    await mapConflict(
      () => this.ctx.db.insertInto('tags').values(row).execute(),
      () => tagConflict(row.name),
    );
    return toTag(row);
  }

  async list(): Promise<Tag[]> {
    const rows = await this.ctx.db.selectFrom('tags').selectAll().orderBy('name').execute();
    return rows.map(toTag);
  }

  async get(id: string): Promise<Tag | undefined> {
    const row = await this.ctx.db
      .selectFrom('tags')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toTag(row);
  }

  async getByName(name: string): Promise<Tag | undefined> {
    const row = await this.ctx.db
      .selectFrom('tags')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row && toTag(row);
  }

  async rename(id: string, name: string): Promise<Tag | undefined> {
    const trimmed = name.trim();
    await mapConflict(
      () =>
        this.ctx.db
          .updateTable('tags')
          .set({ name: trimmed, updated_at: this.ctx.now() })
          .where('id', '=', id)
          .execute(),
      () => tagConflict(trimmed),
    );
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return inTransaction(this.ctx.db, async (trx) => {
      await trx.deleteFrom('workflow_tags').where('tag_id', '=', id).execute();
      const result = await trx.deleteFrom('tags').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Ids of the named tags, creating the missing ones. */
  async ensure(names: readonly string[]): Promise<Tag[]> {
    const wanted = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
    if (wanted.length === 0) return [];
    const now = this.ctx.now();
    await this.ctx.db
      .insertInto('tags')
      .values(wanted.map((name) => ({ id: newId(now), name, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const rows = await this.ctx.db
      .selectFrom('tags')
      .selectAll()
      .where('name', 'in', wanted)
      .execute();
    return rows.map(toTag);
  }
}
