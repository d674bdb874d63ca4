import type { Db } from '../../db/database.js';

/** Key/value settings; values are JSON so a setting keeps its type. */
export function createSettingsRepository(db: Db) {
  return {
    async get<T>(key: string): Promise<T | undefined> {
      const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
      return row ? (JSON.parse(row.value) as T) : undefined;
    },

    async getAll(): Promise<Record<string, unknown>> {
      const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
      return Object.fromEntries(rows.map((row) => [row.key, JSON.parse(row.value) as unknown]));
    },

    async set(key: string, value: unknown, at: string): Promise<void> {
      const json = JSON.stringify(value);
      await db
        .insertInto('settings')
        .values({ key, value: json, updated_at: at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: at }))
        .execute();
    },

    async delete(key: string): Promise<void> {
      await db.deleteFrom('settings').where('key', '=', key).execute();
    },

    /** Writes only when the key is absent; returns the value that is stored afterwards. */
    async setIfAbsent<T>(key: string, value: T, at: string): Promise<T> {
      await db
        .insertInto('settings')
        .values({ key, value: JSON.stringify(value), updated_at: at })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      return (await this.get<T>(key)) as T;
    },
  };
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;
