import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type KyselyConfig, type SqliteDatabase as KyselySqliteDatabase } from 'kysely';
import type pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { StartupError } from '../errors.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  dialect: DatabaseConfig['dialect'];
  /** Answers when the database does (used by /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: put every table in this schema (tests give each file its own). */
  schema?: string;
  poolSize?: number;
  /** Called with the SQL (and parameters) of every statement run (tests and the benchmark count queries per page). */
  onQuery?: (sql: string, parameters: readonly unknown[]) => void;
}

function queryLog(options: DatabaseOptions): KyselyConfig['log'] {
  const onQuery = options.onQuery;
  return onQuery ? (event) => void (event.level === 'query' && onQuery(event.query.sql, event.query.parameters)) : undefined;
}

/** Show where we tried to connect without ever printing a password. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** The database and the files SQLite keeps beside it while open. */
const SQLITE_FILE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * The database holds sessions, emails and the encrypted Plex token: only Helpr's user may read it
 * (like the secret key). SQLite creates -wal/-shm/-journal with the main file's mode, so the main
 * file is created 0600 before SQLite opens it; files left by an older version keep their mode
 * otherwise, so group and world bits are taken off every file that already exists.
 */
export function restrictSqliteFiles(filename: string): void {
  fs.mkdirSync(path.dirname(path.resolve(filename)), { recursive: true });
  fs.closeSync(fs.openSync(filename, 'a', 0o600));
  for (const suffix of SQLITE_FILE_SUFFIXES) {
    const file = `${filename}${suffix}`;
    try {
      const { mode } = fs.statSync(file);
      if ((mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
    } catch (error) {
      // A file owned by another user (EPERM) stays as its owner set it; SQLite says if it cannot open it.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM') throw error;
    }
  }
}

function openSqlite(filename: string): SqliteDatabase.Database {
  // '' is a private temporary database, like ':memory:': no file of ours to protect.
  if (filename !== ':memory:' && filename !== '') restrictSqliteFiles(filename);
  const database = new SqliteDatabase(filename);
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  return database;
}

/** How many prepared statements the SQLite connection keeps (least recently used go first). */
const STATEMENT_CACHE_SIZE = 200;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs as much as running a small
 * query. The app sends the same few dozen SQL texts over and over (values travel as parameters),
 * so each text is prepared once and its statement reused. Safe because Kysely runs one statement
 * at a time on the single connection (a streamed query holds the connection until it ends), and
 * SQLite re-prepares a statement by itself when a migration changes the schema.
 */
export function withStatementCache(database: SqliteDatabase.Database, size = STATEMENT_CACHE_SIZE): KyselySqliteDatabase {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement) {
        statements.delete(text); // move to the most recently used end
      } else {
        statement = database.prepare(text);
        if (statements.size >= size) statements.delete(statements.keys().next().value!);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** Like psql: no user in the URL means the operating-system user (pg alone would need $USER). */
function withDefaultUser(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username) parsed.username = os.userInfo().username;
  return parsed.toString();
}

// pg is loaded only when PostgreSQL is configured: SQLite installs do not pay its memory.
async function createPostgresPool(url: string, options: DatabaseOptions): Promise<pg.Pool> {
  const { default: postgres } = await import('pg');
  const pool = new postgres.Pool({
    connectionString: withDefaultUser(url),
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    options: options.schema ? `-c search_path=${options.schema}` : undefined,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

export async function createDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (config.dialect === 'sqlite') {
    let sqlite: SqliteDatabase.Database;
    try {
      sqlite = openSqlite(config.filename);
    } catch (error) {
      throw new StartupError(`Cannot open the SQLite database ${config.filename}: ${(error as Error).message}`, { cause: error });
    }
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), log: queryLog(options) });
    return { db, dialect: 'sqlite', ping: async () => void (await sql`select 1`.execute(db)), close: () => db.destroy() };
  }

  const pool = await createPostgresPool(config.url, options);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: queryLog(options) });
  const handle: DatabaseHandle = {
    db,
    dialect: 'postgres',
    ping: async () => void (await sql`select 1`.execute(db)),
    close: () => db.destroy(),
  };
  try {
    await handle.ping();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    const code = (error as { code?: string }).code;
    const reason = code && /^E[A-Z]+$/.test(code) ? code : (error as Error).message;
    throw new StartupError(
      `Cannot reach the PostgreSQL database at ${redactDatabaseUrl(config.url)} (${reason}): check DATABASE_URL and that the server is running`,
      { cause: error },
    );
  }
  return handle;
}
