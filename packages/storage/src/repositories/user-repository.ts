import { StorageConflictError, StorageNotFoundError, mapConflict } from '../errors.js';
import { bool, inTransaction, type RepositoryContext } from '../internal/context.js';
import {
  decodeCursor,
  pageLimit,
  toPage,
  type Page,
  type PageRequest,
} from '../internal/cursor.js';
import { newId } from '../internal/ids.js';
import { parseJsonText } from '../internal/json-codec.js';
import type { UserTable } from '../schema/database.js';

export interface User {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  /** A password hash made by the server (never a password). */
  passwordHash: string | null;
  role: string;
  disabled: boolean;
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export interface CreateUserInput {
  id?: string;
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  passwordHash?: string | null;
  role?: string;
}

const toUser = (row: UserTable): User => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  passwordHash: row.password_hash,
  role: row.role,
  disabled: bool(row.disabled),
  settings: parseJsonText(row.settings, {}),
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const emailConflict = (email: string) =>
  new StorageConflictError('user', { email }, `a user with email '${email}' already exists`);

/** Emails are stored lower-cased, so lookups and uniqueness ignore case. */
export class UserRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async create(input: CreateUserInput): Promise<User> {
    const now = this.ctx.now();
    const row: UserTable = {
      id: input.id ?? newId(now),
      email: input.email.trim().toLowerCase(),
      first_name: input.firstName ?? null,
      last_name: input.lastName ?? null,
      password_hash: input.passwordHash ?? null,
      role: input.role ?? 'member',
      disabled: 0,
      settings: null,
      created_at: now,
      updated_at: now,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('users').values(row).execute(),
      () => emailConflict(row.email),
    );
    return toUser(row);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async getByEmail(email: string): Promise<User | undefined> {
    const row = await this.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Oldest first. */
  async list(request: PageRequest = {}): Promise<Page<User>> {
    const limit = pageLimit(request.limit);
    const after = decodeCursor(request.cursor);
    let q = this.ctx.db
      .selectFrom('users')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1);
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb('created_at', '>', after.k),
          eb.and([eb('created_at', '=', after.k), eb('id', '>', after.id)]),
        ]),
      );
    }
    return toPage(await q.execute(), limit, toUser, (r) => ({ k: Number(r.created_at), id: r.id }));
  }

  async update(
    id: string,
    patch: Partial<Omit<CreateUserInput, 'id'>> & {
      disabled?: boolean;
      settings?: Record<string, unknown>;
    },
  ): Promise<User> {
    const set: Partial<UserTable> = { updated_at: this.ctx.now() };
    if (patch.email !== undefined) set.email = patch.email.trim().toLowerCase();
    if (patch.firstName !== undefined) set.first_name = patch.firstName;
    if (patch.lastName !== undefined) set.last_name = patch.lastName;
    if (patch.passwordHash !== undefined) set.password_hash = patch.passwordHash;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    if (patch.settings !== undefined) set.settings = JSON.stringify(patch.settings);
    const result = await mapConflict(
      () => this.ctx.db.updateTable('users').set(set).where('id', '=', id).executeTakeFirst(),
      () => emailConflict(set.email ?? ''),
    );
    if (Number(result.numUpdatedRows) === 0) throw new StorageNotFoundError('user', id);
    return (await this.get(id))!;
  }

  /** Deletes the user with their project memberships and API keys. */
  async delete(id: string): Promise<boolean> {
    return inTransaction(this.ctx.db, async (trx) => {
      await trx.deleteFrom('project_members').where('user_id', '=', id).execute();
      await trx.deleteFrom('api_keys').where('user_id', '=', id).execute();
      const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }
}
