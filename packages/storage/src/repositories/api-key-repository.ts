import { createHash, randomBytes } from 'node:crypto';
import { StorageConflictError, mapConflict } from '../errors.js';
import type { RepositoryContext } from '../internal/context.js';
import { newId } from '../internal/ids.js';
import { parseJsonText } from '../internal/json-codec.js';
import type { ApiKeyTable } from '../schema/database.js';

/** An API key as stored: only its hash and a short prefix to recognise it by. */
export interface ApiKey {
  id: string;
  userId: string;
  label: string;
  /** The first characters of the key, for display. */
  prefix: string;
  scopes: string[];
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

const KEY_PREFIX = 'bf_';

/** API keys carry 256 random bits, so a fast hash is enough (no password stretching needed). */
const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

const toApiKey = (row: ApiKeyTable): ApiKey => ({
  id: row.id,
  userId: row.user_id,
  label: row.label,
  prefix: row.key_prefix,
  scopes: parseJsonText(row.scopes, []),
  createdAt: Number(row.created_at),
  expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
});

export class ApiKeyRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  /** Creates a key; the plain key is returned once and never stored. */
  async create(input: {
    userId: string;
    label: string;
    scopes?: string[];
    expiresAt?: number | null;
  }): Promise<{ apiKey: ApiKey; key: string }> {
    const now = this.ctx.now();
    const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: ApiKeyTable = {
      id: newId(now),
      user_id: input.userId,
      label: input.label,
      key_hash: hashKey(key),
      key_prefix: key.slice(0, KEY_PREFIX.length + 6),
      scopes: JSON.stringify(input.scopes ?? []),
      created_at: now,
      expires_at: input.expiresAt ?? null,
      last_used_at: null,
    };
    await mapConflict(
      () => this.ctx.db.insertInto('api_keys').values(row).execute(),
      () =>
        new StorageConflictError(
          'apiKey',
          { userId: input.userId, label: input.label },
          `user '${input.userId}' already has an API key labelled '${input.label}'`,
        ),
    );
    return { apiKey: toApiKey(row), key };
  }

  /** The key's record when it exists and has not expired; records the use. */
  async verify(key: string): Promise<ApiKey | undefined> {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const row = await this.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', hashKey(key))
      .executeTakeFirst();
    const now = this.ctx.now();
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= now)) return undefined;
    await this.ctx.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .execute();
    return toApiKey({ ...row, last_used_at: now });
  }

  async list(userId: string): Promise<ApiKey[]> {
    const rows = await this.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
    return rows.map(toApiKey);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.ctx.db.deleteFrom('api_keys').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
