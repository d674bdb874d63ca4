import crypto from 'node:crypto';
import { describe } from 'vitest';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { DatabaseConfig } from '../../src/config.js';
import { serviceAvailable, TEST_DATABASE_URL } from './services.js';

export type TestDialect = 'sqlite' | 'postgres';

/**
 * The dialects available to this run: SQLite always, PostgreSQL when configured. For suites use
 * describeDialects, which registers the PostgreSQL suite as skipped instead of leaving it out.
 */
export function testDialects(): TestDialect[] {
  return serviceAvailable('PostgreSQL', TEST_DATABASE_URL !== undefined) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/**
 * `describe.each` over both dialects (`%s` in the title is the dialect). Without TEST_DATABASE_URL
 * the PostgreSQL suite is still registered, as skipped with the reason in its title, so the test
 * summary counts its tests as skipped instead of not mentioning them.
 */
export function describeDialects(title: string, suite: (dialect: TestDialect) => void): void {
  const postgres = serviceAvailable('PostgreSQL', TEST_DATABASE_URL !== undefined);
  describe(title.replace('%s', 'sqlite'), () => suite('sqlite'));
  describe.skipIf(!postgres)(title.replace('%s', postgres ? 'postgres' : 'postgres (skipped: no TEST_DATABASE_URL)'), () => suite('postgres'));
}

export interface TestDatabase extends DatabaseHandle {
  config: DatabaseConfig;
  schema?: string;
}

/**
 * A fresh, migrated database owned by one test file: in-memory SQLite, or a new PostgreSQL schema
 * that is dropped on close.
 */
export async function createTestDatabase(dialect: TestDialect, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  let handle: DatabaseHandle;
  let config: DatabaseConfig;
  let schema: string | undefined;
  if (dialect === 'sqlite') {
    config = { dialect: 'sqlite', url: 'sqlite::memory:', filename: ':memory:' };
    handle = await createDatabase(config);
  } else {
    config = { dialect: 'postgres', url: TEST_DATABASE_URL! };
    schema = `helpr_test_${crypto.randomBytes(6).toString('hex')}`;
    const admin = await createDatabase(config, { poolSize: 1 });
    await admin.db.schema.createSchema(schema).execute();
    await admin.close();
    handle = await createDatabase(config, { schema, poolSize: 5 });
  }
  if (options.migrate !== false) await migrateToLatest(handle);
  return {
    ...handle,
    config,
    schema,
    async close() {
      await handle.close();
      if (schema) {
        const admin = await createDatabase(config, { poolSize: 1 });
        await admin.db.schema.dropSchema(schema).ifExists().cascade().execute();
        await admin.close();
      }
    },
  };
}
