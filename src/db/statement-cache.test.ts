import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from './database.js';

describe('SQLite statement cache', () => {
  const open: SqliteDatabase.Database[] = [];
  afterEach(() => open.splice(0).forEach((db) => db.open && db.close()));

  function database() {
    const db = new SqliteDatabase(':memory:');
    open.push(db);
    db.exec('create table t (id integer primary key, name text)');
    return db;
  }

  it('prepares each SQL text once and reuses the statement', () => {
    const db = database();
    const cached = withStatementCache(db);
    const first = cached.prepare('select * from t where id = ?');
    expect(cached.prepare('select * from t where id = ?')).toBe(first);
    expect(cached.prepare('select name from t')).not.toBe(first);
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const db = database();
    const cached = withStatementCache(db, 2);
    const a = cached.prepare('select 1');
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a); // "select 1" is now the most recent
    cached.prepare('select 3'); // evicts "select 2"
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
  });

  it('gives right answers through Kysely, also after the schema changes under a cached statement', async () => {
    const db = database();
    const kysely = new Kysely<{ t: { id: number; name: string; extra?: string | null } }>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });
    await kysely.insertInto('t').values({ id: 1, name: 'a' }).execute();
    await kysely.insertInto('t').values({ id: 2, name: 'b' }).execute();
    const byId = (id: number) => kysely.selectFrom('t').selectAll().where('id', '=', id).executeTakeFirst();
    expect(await byId(1)).toEqual({ id: 1, name: 'a' });
    expect(await byId(2)).toEqual({ id: 2, name: 'b' });
    await sql`alter table t add column extra text`.execute(kysely);
    await kysely.updateTable('t').set({ extra: 'x' }).where('id', '=', 2).execute();
    expect(await byId(2)).toEqual({ id: 2, name: 'b', extra: 'x' });
    await kysely.destroy();
  });
});
