import { Migrator, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { StartupError } from '../errors.js';
import type { DatabaseHandle } from './database.js';
import type { Database } from './schema.js';
import { migrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
}

/** On PostgreSQL, the schema whose bookkeeping tables are Helpr's (see migrateToLatest). */
async function migrationSchema(database: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<string | undefined> {
  if (database.dialect !== 'postgres') return undefined;
  return (await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db)).rows[0]?.schema;
}

/**
 * Applies pending migrations; already-applied ones are skipped, so a second start is a no-op.
 * On PostgreSQL the bookkeeping tables live in the current schema, named explicitly: Kysely would
 * otherwise take a same-named table in any other schema as its own. Several instances starting at
 * once migrate once: Kysely's Migrator runs them in a transaction holding a PostgreSQL advisory lock
 * (pg_advisory_xact_lock), so the others wait and then find nothing left to do (migrate.test.ts).
 */
export async function migrateToLatest(database: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<MigrationReport> {
  return runMigrations(database.db, await migrationSchema(database));
}

async function runMigrations(db: Kysely<Database>, migrationTableSchema: string | undefined): Promise<MigrationReport> {
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'bookkeeping';
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new StartupError(`Database migration ${failed} failed: ${message}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** The migrations a start would apply, by name, in order (`helpr migrate --dry-run`); nothing is changed. */
export async function pendingMigrations(database: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<string[]> {
  const migrator = new Migrator({ db: database.db, migrationTableSchema: await migrationSchema(database), provider: { getMigrations: async () => migrations } });
  return (await migrator.getMigrations()).filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
