import crypto from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { createAdminsRepository } from '../admins/admins.repository.js';
import { DatabaseSessionStore } from './database-session-store.js';
import { createSessionsRepository } from './sessions.repository.js';

const at = '2026-01-01T00:00:00.000Z';

describeDialects('sessions on %s', (dialect) => {
  let database: TestDatabase;
  let sessions: ReturnType<typeof createSessionsRepository>;
  const adminId = crypto.randomUUID();

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    sessions = createSessionsRepository(database.db);
    await createAdminsRepository(database.db).insert({
      id: adminId,
      username: 'owner',
      username_normalized: 'owner',
      password_hash: 'x',
      created_at: at,
      updated_at: at,
      password_changed_at: at,
      role: 'owner',
    });
  });
  afterAll(() => database.close());

  const row = (id: string, expires: string, admin: string | null = adminId) => ({
    id,
    admin_id: admin,
    data: JSON.stringify({ id }),
    created_at: at,
    expires_at: expires,
  });

  it('finds live sessions only, and updates on upsert', async () => {
    await sessions.upsert(row('a', '2026-01-02T00:00:00.000Z'));
    await sessions.upsert(row('old', '2025-12-31T00:00:00.000Z'));
    expect((await sessions.findLive('a', at))?.id).toBe('a');
    expect(await sessions.findLive('old', at)).toBeUndefined();
    await sessions.upsert({ ...row('a', '2026-01-03T00:00:00.000Z'), data: '{"changed":true}' });
    expect((await sessions.findLive('a', '2026-01-02T12:00:00.000Z'))?.data).toBe('{"changed":true}');
    expect(await sessions.deleteExpired(at)).toBe(1);
  });

  it("ends an admin's other sessions", async () => {
    await sessions.upsert(row('b', '2026-01-02T00:00:00.000Z'));
    await sessions.upsert(row('c', '2026-01-02T00:00:00.000Z'));
    await sessions.upsert(row('anon', '2026-01-02T00:00:00.000Z', null));
    expect(await sessions.deleteForAdmin(adminId, 'c')).toBe(2);
    expect(await sessions.findLive('c', at)).toBeDefined();
    expect(await sessions.findLive('anon', at)).toBeDefined();
  });

  it('backs the @fastify/session store', async () => {
    const store = new DatabaseSessionStore(sessions, fixedClock(at), 60_000);
    const session = { adminId, cookie: { expires: new Date('2026-01-01T01:00:00.000Z') } } as never;
    await new Promise<void>((resolve, reject) => store.set('s1', session, (e) => (e ? reject(e) : resolve())));
    const loaded = await new Promise((resolve, reject) => store.get('s1', (e, s) => (e ? reject(e) : resolve(s))));
    expect(loaded).toMatchObject({ adminId });
    expect((await sessions.findLive('s1', at))?.admin_id).toBe(adminId);
    await new Promise<void>((resolve, reject) => store.destroy('s1', (e) => (e ? reject(e) : resolve())));
    expect(await sessions.findLive('s1', at)).toBeUndefined();
  });
});
