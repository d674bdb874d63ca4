import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle } from './database.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

// File modes are POSIX; Windows only knows read-only.
describe.skipIf(process.platform === 'win32')('SQLite file permissions', () => {
  const dirs: string[] = [];
  const handles: DatabaseHandle[] = [];
  const raw: SqliteDatabase.Database[] = [];
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
    raw.splice(0).forEach((db) => db.open && db.close());
    dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  });

  function databaseFile(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-mode-'));
    dirs.push(dir);
    return path.join(dir, 'data', 'helpr.db');
  }

  async function open(filename: string): Promise<DatabaseHandle> {
    const handle = await createDatabase({ dialect: 'sqlite', url: `sqlite:${filename}`, filename });
    handles.push(handle);
    // A write, so that SQLite has made its -wal and -shm files.
    await sql`create table if not exists t (id integer primary key)`.execute(handle.db);
    await sql`insert into t default values`.execute(handle.db);
    return handle;
  }

  it('creates a new database and its WAL and shared-memory files readable by the owner only', async () => {
    // Under the usual umask (022) a file would otherwise be 0644: readable by every local user.
    const filename = databaseFile();
    await open(filename);
    for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) expect(modeOf(file).toString(8), file).toBe('600');
  });

  it('takes group and world access off an existing database and the WAL files it left', async () => {
    const filename = databaseFile();
    fs.mkdirSync(path.dirname(filename));
    // An older Helpr's database, still open (so -wal and -shm exist), all world-readable.
    const old = new SqliteDatabase(filename);
    raw.push(old);
    old.pragma('journal_mode = WAL');
    old.exec('create table t (id integer primary key); insert into t default values');
    for (const suffix of ['', '-wal', '-shm']) fs.chmodSync(`${filename}${suffix}`, 0o644);

    const handle = await open(filename);
    for (const file of [filename, `${filename}-wal`, `${filename}-shm`]) expect(modeOf(file).toString(8), file).toBe('600');
    // The data is untouched.
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(handle.db)).rows[0]!.n).toBe(2);
  });
});
