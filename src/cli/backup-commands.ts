import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import type { Config } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import { CliError, EXIT, usageError, type CliIo } from './cli-io.js';

const BACKUP_USAGE = 'Usage: helpr backup FILE [--force]';
const RESTORE_USAGE = 'Usage: helpr restore FILE [--force]';
const POSTGRES = 'runs on PostgreSQL: back it up with pg_dump and restore with pg_restore (README, "Backups")';
const KNOWN = Object.keys(migrations).sort();

/** The SQLite file of this configuration; PostgreSQL has its own tools. */
function sqliteFile(config: Config, command: string): string {
  if (config.database.dialect !== 'sqlite') throw new CliError(`helpr ${command}: this installation ${POSTGRES}.`, EXIT.invalid);
  if (config.database.filename === ':memory:' || config.database.filename === '') throw new CliError(`helpr ${command}: the database is in memory (DATABASE_URL=${config.database.url}): there is no file.`, EXIT.invalid);
  return config.database.filename;
}

/** The last migration a database file holds, or undefined when it is no Helpr database. */
function schemaOf(file: string): { latest: string | undefined; invitations: number } {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const hasTable = (name: string) => db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
    if (!hasTable('kysely_migration')) return { latest: undefined, invitations: 0 };
    const latest = (db.prepare('select name from kysely_migration order by name desc limit 1').get() as { name: string } | undefined)?.name;
    const invitations = hasTable('invitations') ? (db.prepare('select count(*) as n from invitations').get() as { n: number }).n : 0;
    return { latest, invitations };
  } finally {
    db.close();
  }
}

function targetFree(file: string, force: boolean | undefined, what: string): void {
  if (fs.existsSync(file) && !force) throw new CliError(`${file} already exists; ${what} it with --force, or give another file.`, EXIT.conflict);
}

/**
 * `helpr backup FILE`: a copy of the SQLite database through SQLite's online backup, consistent
 * while Helpr runs and writes (each step copies pages under a read lock; a write in between starts
 * that step over). Written beside FILE first, then renamed, so FILE is never half a backup.
 */
export async function backup(config: Config, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError(BACKUP_USAGE);
  const source = sqliteFile(config, 'backup');
  if (!fs.existsSync(source)) throw new CliError(`There is no database at ${source} yet (DATABASE_URL, DATA_DIR): nothing to back up.`, EXIT.notFound);
  const target = path.resolve(positionals[0]!);
  targetFree(target, values.force, 'replace');
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new SqliteDatabase(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } finally {
    db.close();
  }
  fs.chmodSync(partial, 0o600);
  fs.renameSync(partial, target);
  const { latest, invitations } = schemaOf(target);
  io.stdout.write(`Backed up ${source} to ${target} (schema ${latest ?? 'none'}, ${invitations} invitation${invitations === 1 ? '' : 's'}).\n`);
}

/**
 * `helpr restore FILE`: puts a backup in place of the database, with Helpr stopped. Refuses a file
 * that is no Helpr database, or one from a newer Helpr (its schema is unknown here); replaces an
 * existing database only with --force. A backup from an older Helpr is migrated at the next start.
 */
export async function restore(config: Config, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError(RESTORE_USAGE);
  const target = sqliteFile(config, 'restore');
  const source = path.resolve(positionals[0]!);
  if (!fs.existsSync(source)) throw new CliError(`There is no backup at ${source}.`, EXIT.notFound);
  let schema: ReturnType<typeof schemaOf>;
  try {
    schema = schemaOf(source);
  } catch (error) {
    throw new CliError(`${source} is not a SQLite database (${(error as Error).message}).`, EXIT.invalid);
  }
  if (schema.latest === undefined) throw new CliError(`${source} is not a Helpr database (it has no migrations table).`, EXIT.invalid);
  if (!KNOWN.includes(schema.latest)) {
    throw new CliError(`${source} comes from a newer Helpr (schema ${schema.latest}; this one knows up to ${KNOWN.at(-1)}): restore it with that version or later.`, EXIT.invalid);
  }
  targetFree(target, values.force, 'stop Helpr, then overwrite');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.restoring`;
  fs.rmSync(partial, { force: true });
  const db = new SqliteDatabase(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  fs.chmodSync(partial, 0o600);
  // The old database's write-ahead log would be replayed onto the restored file: it goes with it.
  for (const suffix of ['-wal', '-shm', '-journal']) fs.rmSync(`${target}${suffix}`, { force: true });
  fs.renameSync(partial, target);
  const older = schema.latest !== KNOWN.at(-1) ? ' It is migrated to this version at the next start.' : '';
  io.stdout.write(`Restored ${source} to ${target} (schema ${schema.latest}, ${schema.invitations} invitation${schema.invitations === 1 ? '' : 's'}).${older}\n`);
}
