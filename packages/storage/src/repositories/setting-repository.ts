import type { JsonValue } from '@budflow/node-sdk';
import type { RepositoryContext } from '../internal/context.js';

/** Instance settings: JSON values by key. */
export class SettingRepository {
  constructor(private readonly ctx: RepositoryContext) {}

  async get<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
    const row = await this.ctx.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  async set(key: string, value: JsonValue): Promise<void> {
    const now = this.ctx.now();
    const text = JSON.stringify(value);
    await this.ctx.db
      .insertInto('settings')
      .values({ key, value: text, updated_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }

  /** Sets the value only when the key is absent; returns the value now stored. */
  async setIfAbsent<T extends JsonValue>(key: string, value: T): Promise<T> {
    await this.ctx.db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: this.ctx.now() })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    return (await this.get<T>(key))!;
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.ctx.db
      .deleteFrom('settings')
      .where('key', '=', key)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async all(): Promise<Record<string, JsonValue>> {
    const rows = await this.ctx.db.selectFrom('settings').selectAll().orderBy('key').execute();
    const out: Record<string, JsonValue> = Object.create(null) as Record<string, JsonValue>;
    for (const row of rows) out[row.key] = JSON.parse(row.value) as JsonValue;
    return out;
  }
}
