import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempDir } from '../../test/helpers/app.js';
import { runHelpr } from '../../test/helpers/cli.js';
import { createDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { migrations } from '../db/migrations/index.js';
import { EXIT } from './cli-io.js';

/** The newest schema version, which a backup of a database migrated now names. */
const LATEST = Object.keys(migrations).at(-1)!;
const PREVIOUS = Object.keys(migrations).at(-2)!;

/**
 * A running instance's writes: each transaction adds one audit entry and one notification event,
 * so a consistent copy always holds as many of one as of the other.
 */
const WRITER = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const audit = db.prepare("insert into audit_log (id, created_at, actor, actor_type, action, target, details, ip) values (?, ?, 'load', 'system', 'load.write', null, null, null)");
const event = db.prepare("insert into notification_events (id, type, occurred_at, data) values (?, 'load.write', ?, '{}')");
const write = db.transaction((n) => { const at = new Date().toISOString(); audit.run('a' + n, at); event.run('e' + n, at); });
let n = 0;
process.on('SIGTERM', () => { db.close(); process.exit(0); });
const tick = () => { for (let i = 0; i < 20; i += 1) write(n++); if (n === 20) process.stdout.write('writing\\n'); setImmediate(tick); };
tick();
`;

function counts(file: string): { audit: number; events: number } {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const count = (table: string) => (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    return { audit: count('audit_log'), events: count('notification_events') };
  } finally {
    db.close();
  }
}

async function helprDatabase(dir: string): Promise<string> {
  const file = path.join(dir, 'helpr.db');
  const handle = await createDatabase({ dialect: 'sqlite', url: `sqlite:${file}`, filename: file });
  await migrateToLatest(handle);
  await handle.close();
  return file;
}

describe('helpr backup and restore (SQLite)', () => {
  it('backs up a database being written to as one consistent moment, which restores to the same row counts', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const file = await helprDatabase(dir);
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` };
    const writer = spawn(process.execPath, ['-e', WRITER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => void writer.kill('SIGKILL'));
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));

    const backupFile = path.join(dir, 'backup.db');
    const backedUp = await runHelpr(['backup', backupFile], env);
    expect(backedUp).toMatchObject({ code: EXIT.ok, stderr: '' });
    expect(backedUp.stdout).toMatch(new RegExp(`^Backed up .*helpr\\.db to .*backup\\.db \\(schema ${LATEST}, 0 invitations\\)\\.\\n$`));
    const copy = counts(backupFile);
    expect(copy.audit).toBeGreaterThan(0);
    expect(copy.events).toBe(copy.audit);
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(`${backupFile}.partial`)).toBe(false);

    writer.kill('SIGTERM');
    await new Promise((resolve) => writer.once('exit', resolve));
    const final = counts(file);
    expect(final.audit).toBeGreaterThanOrEqual(copy.audit);

    // Restored in place of the (stopped) instance's database: the backup's rows, no more.
    expect(await runHelpr(['restore', backupFile], env)).toMatchObject({ code: EXIT.conflict, stderr: expect.stringContaining('already exists; stop Helpr, then overwrite it with --force') });
    const restored = await runHelpr(['restore', backupFile, '--force'], env);
    expect(restored).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining(`(schema ${LATEST}, 0 invitations).`) });
    // The old database's write-ahead log went with it (it would be replayed onto the restored file).
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    expect(counts(file)).toEqual(copy);
    // And the app opens it.
    const handle = await createDatabase({ dialect: 'sqlite', url: `sqlite:${file}`, filename: file });
    expect((await migrateToLatest(handle)).applied).toEqual([]);
    await handle.close();
  });

  it('refuses what it cannot do, with the reason and an exit code', async () => {
    const dir = tempDir();
    const file = await helprDatabase(dir);
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${file}` };
    const existing = path.join(dir, 'existing.db');
    fs.writeFileSync(existing, 'x');
    expect(await runHelpr(['backup'], env)).toMatchObject({ code: EXIT.usage, stderr: 'helpr: Usage: helpr backup FILE [--force]\n' });
    expect(await runHelpr(['backup', existing], env)).toMatchObject({ code: EXIT.conflict, stderr: `helpr: ${existing} already exists; replace it with --force, or give another file.\n` });
    expect((await runHelpr(['backup', existing, '--force'], env)).code).toBe(EXIT.ok);
    expect(await runHelpr(['backup', path.join(dir, 'b.db')], { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'none.db')}` })).toMatchObject({ code: EXIT.notFound });
    expect(await runHelpr(['backup', path.join(dir, 'b.db')], { DATA_DIR: dir, DATABASE_URL: 'postgres://helpr@127.0.0.1:1/helpr' })).toMatchObject({
      code: EXIT.invalid,
      stderr: expect.stringContaining('runs on PostgreSQL: back it up with pg_dump'),
    });

    const notSqlite = path.join(dir, 'notes.txt');
    fs.writeFileSync(notSqlite, 'not a database at all, just some words that are long enough');
    expect(await runHelpr(['restore', notSqlite, '--force'], env)).toMatchObject({ code: EXIT.invalid, stderr: expect.stringContaining('is not a SQLite database') });
    const otherApp = path.join(dir, 'other.db');
    new SqliteDatabase(otherApp).exec('create table t (x)').close();
    expect(await runHelpr(['restore', otherApp, '--force'], env)).toMatchObject({ code: EXIT.invalid, stderr: expect.stringContaining('is not a Helpr database') });
    const newer = path.join(dir, 'newer.db');
    fs.copyFileSync(file, newer);
    new SqliteDatabase(newer).exec("insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')").close();
    expect(await runHelpr(['restore', newer, '--force'], env)).toMatchObject({ code: EXIT.invalid, stderr: expect.stringContaining(`comes from a newer Helpr (schema 9999-from-the-future; this one knows up to ${LATEST})`) });
    expect(await runHelpr(['restore', path.join(dir, 'missing.db')], env)).toMatchObject({ code: EXIT.notFound });
  });

  it('restores into an empty data folder, and an older backup is migrated at the next start', async () => {
    const dir = tempDir();
    const old = path.join(dir, 'old.db');
    const handle = await createDatabase({ dialect: 'sqlite', url: `sqlite:${old}`, filename: old });
    await migrateToLatest(handle);
    await handle.close();
    new SqliteDatabase(old).exec(`delete from kysely_migration where name = '${LATEST}'`).close();
    const fresh = tempDir();
    const target = path.join(fresh, 'data', 'helpr.db');
    const restored = await runHelpr(['restore', old], { DATA_DIR: fresh, DATABASE_URL: `sqlite:${target}` });
    expect(restored).toMatchObject({ code: EXIT.ok, stdout: expect.stringContaining(`(schema ${PREVIOUS}, 0 invitations). It is migrated to this version at the next start.`) });
    expect(fs.existsSync(target)).toBe(true);
  });
});
