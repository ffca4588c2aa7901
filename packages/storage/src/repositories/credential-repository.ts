import { BudflowError } from '@budflow/node-sdk';
import {
  createCredentialResolver,
  type CredentialCipher,
  type CredentialResolverPort,
  type CredentialSource,
  type EncryptedCredential,
  type SecretRedactor,
} from '@budflow/secrets';
import {
  STORAGE_ERROR_CODES,
  StorageConflictError,
  StorageNotFoundError,
  mapConflict,
} from '../errors.js';
import type { RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import type { CredentialTable } from '../schema/database.js';

/** A credential without its secret data. */
export interface CredentialSummary {
  id: string;
  name: string;
  type: string;
  projectId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface DecryptedCredential extends CredentialSummary {
  data: Record<string, unknown>;
}

export interface CreateCredentialInput {
  id?: string;
  name: string;
  type: string;
  data: Record<string, unknown>;
  projectId?: string | null;
}

const toSummary = (row: Omit<CredentialTable, 'data'>): CredentialSummary => ({
  id: row.id,
  name: row.name,
  type: row.type,
  projectId: row.project_id === '' ? null : row.project_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const SUMMARY_COLUMNS = ['id', 'name', 'type', 'project_id', 'created_at', 'updated_at'] as const;

const nameConflict = (name: string, type: string, projectId: string) =>
  new StorageConflictError(
    'credential',
    { name, type, projectId: projectId === '' ? null : projectId },
    `a ${type} credential named '${name}' already exists${projectId ? ` in project '${projectId}'` : ''}`,
  );

/**
 * Credentials, encrypted at rest with the storage's cipher (context: the credential id). Data is
 * decrypted only on request: `getDecrypted`, or the resolver when a node needs it.
 */
export class CredentialRepository implements CredentialSource {
  constructor(private readonly ctx: RepositoryContext) {}

  private cipher(): CredentialCipher {
    if (!this.ctx.cipher) {
      throw new BudflowError(
        STORAGE_ERROR_CODES.STORAGE_CONFIG_INVALID,
        'storage was created without an encryption key; pass `encryptionKey` to createStorage to use credentials',
      );
    }
    return this.ctx.cipher;
  }

  async create(input: CreateCredentialInput): Promise<CredentialSummary> {
    const cipher = this.cipher();
    const now = this.ctx.now();
    const id = input.id ?? newId(now);
    const row: CredentialTable = {
      id,
      name: input.name.trim(),
      type: input.type,
      data: cipher.encrypt(input.data, { context: id }),
      project_id: input.projectId ?? '',
      created_at: now,
      updated_at: now,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('credentials').values(row).execute(),
      () => nameConflict(row.name, row.type, row.project_id),
    );
    return toSummary(row);
  }

  /**
   * Stores data that is already encrypted (a backup or export from this storage's key). It is
   * not checked here: a bad value fails with `CREDENTIAL_DECRYPT_FAILED` when used.
   */
  async importEncrypted(input: {
    id?: string;
    name: string;
    type: string;
    data: string;
    projectId?: string | null;
  }): Promise<CredentialSummary> {
    const now = this.ctx.now();
    const row: CredentialTable = {
      id: input.id ?? newId(now),
      name: input.name.trim(),
      type: input.type,
      data: input.data,
      project_id: input.projectId ?? '',
      created_at: now,
      updated_at: now,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('credentials').values(row).execute(),
      () => nameConflict(row.name, row.type, row.project_id),
    );
    return toSummary(row);
  }

  async get(id: string): Promise<CredentialSummary | undefined> {
    const row = await this.ctx.db
      .selectFrom('credentials')
      .select(SUMMARY_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSummary(row);
  }

  async getDecrypted(id: string): Promise<DecryptedCredential | undefined> {
    const row = await this.ctx.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const data = this.cipher().decrypt(row.data, {
      context: row.id,
      credential: { id: row.id, name: row.name, type: row.type },
    });
    return { ...toSummary(row), data };
  }

  async list(
    query: { type?: string; projectId?: string | null } = {},
  ): Promise<CredentialSummary[]> {
    let q = this.ctx.db.selectFrom('credentials').select(SUMMARY_COLUMNS).orderBy('name');
    if (query.type !== undefined) q = q.where('type', '=', query.type);
    if (query.projectId !== undefined) q = q.where('project_id', '=', query.projectId ?? '');
    return (await q.execute()).map(toSummary);
  }

  async update(
    id: string,
    patch: { name?: string; data?: Record<string, unknown>; projectId?: string | null },
  ): Promise<CredentialSummary> {
    const current = await this.ctx.db
      .selectFrom('credentials')
      .select(SUMMARY_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!current) throw new StorageNotFoundError('credential', id);
    const set: Partial<CredentialTable> = { updated_at: this.ctx.now() };
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.projectId !== undefined) set.project_id = patch.projectId ?? '';
    if (patch.data !== undefined) set.data = this.cipher().encrypt(patch.data, { context: id });
    await mapConflict(
      () => this.ctx.db.updateTable('credentials').set(set).where('id', '=', id).execute(),
      () =>
        nameConflict(set.name ?? current.name, current.type, set.project_id ?? current.project_id),
    );
    return (await this.get(id))!;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('credentials')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** `CredentialSource`: by id when given (and of the right type), else by name and type. */
  async findCredential(query: {
    id?: string | null;
    name: string;
    type: string;
  }): Promise<EncryptedCredential | undefined> {
    let q = this.ctx.db
      .selectFrom('credentials')
      .select(['id', 'name', 'type', 'data'])
      .where('type', '=', query.type);
    q = query.id ? q.where('id', '=', query.id) : q.where('name', '=', query.name);
    return q.orderBy('created_at').executeTakeFirst();
  }

  /** The engine's `CredentialResolver`; give each execution its own redactor. */
  resolver(redactor?: SecretRedactor): CredentialResolverPort {
    return createCredentialResolver({ source: this, cipher: this.cipher(), redactor });
  }
}
