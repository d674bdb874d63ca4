import { Migrator, sql, type MigrationResultSet } from 'kysely';
import { StartupError } from '../errors.js';
import type { DatabaseHandle } from './database.js';
import { migrations } from './migrations/index.js';

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies pending migrations; already-applied ones are skipped, so a second start is a no-op.
 * On PostgreSQL the bookkeeping tables live in the current schema, named explicitly: Kysely would
 * otherwise take a same-named table in any other schema as its own.
 */
export async function migrateToLatest(database: Pick<DatabaseHandle, 'db' | 'dialect'>): Promise<MigrationReport> {
  const { db } = database;
  let migrationTableSchema: string | undefined;
  if (database.dialect === 'postgres') {
    migrationTableSchema = (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
  }
  const migrator = new Migrator({ db, migrationTableSchema, provider: { getMigrations: async () => migrations } });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'bookkeeping';
    const message = result.error instanceof Error ? result.error.message : String(result.error);
    throw new StartupError(`Database migration ${failed} failed: ${message}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
