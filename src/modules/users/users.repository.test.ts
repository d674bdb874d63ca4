import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { createJobLeasesRepository } from '../jobs/job-leases.repository.js';
import { createUsersRepository, type NewPlexUserRow } from './users.repository.js';

const T0 = '2026-11-24T12:00:00.000Z';

function row(n: number, patch: Partial<NewPlexUserRow> = {}): NewPlexUserRow {
  const username = patch.username === undefined ? `friend${n}` : patch.username;
  const email = patch.email === undefined ? `friend${n}@example.com` : patch.email;
  return {
    id: `u${String(n).padStart(5, '0')}`,
    plex_key: `account:${1000 + n}`,
    plex_account_id: String(1000 + n),
    username,
    email,
    search_text: [username, email].filter(Boolean).join(' ').toLowerCase(),
    state: 'active',
    source: 'helpr',
    invitation_id: null,
    libraries: '["1"]',
    all_libraries: 0,
    share_id: String(5000 + n),
    invited_at: T0,
    accepted_at: T0,
    expires_at: null,
    removed_at: null,
    last_synced_at: T0,
    // Later rows are newer.
    created_at: new Date(Date.parse(T0) + n * 1000).toISOString(),
    updated_at: T0,
    ...patch,
  };
}

describeDialects('users on %s', (dialect) => {
  let database: TestDatabase;
  let users: ReturnType<typeof createUsersRepository>;
  let leases: ReturnType<typeof createJobLeasesRepository>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    users = createUsersRepository(database.db);
    leases = createJobLeasesRepository(database.db);
  });
  beforeEach(async () => {
    await database.db.deleteFrom('plex_users').execute();
    await database.db.deleteFrom('job_leases').execute();
  });
  afterAll(() => database.close());

  const query = { expiringBefore: '2026-12-01T12:00:00.000Z' };

  it('pages newest first, counts the matches, and filters by state, expiring and words', async () => {
    const rows = Array.from({ length: 450 }, (_, i) => row(i + 1));
    rows[10] = row(11, { state: 'pending', accepted_at: null });
    rows[20] = row(21, { expires_at: '2026-11-30T00:00:00.000Z' });
    rows[30] = row(31, { expires_at: '2027-01-30T00:00:00.000Z' });
    rows[40] = row(41, { state: 'removed', removed_at: T0 });
    rows[50] = row(51, { username: 'Grand_Ma', email: 'nan%ny@example.com' });
    await users.applySync({ inserts: rows, updates: [], audit: [] }, T0);

    const first = await users.list(query, 1, 50);
    expect(first.total).toBe(450);
    expect(first.rows.map((r) => r.id).slice(0, 2)).toEqual(['u00450', 'u00449']);
    expect((await users.list(query, 9, 50)).rows.at(-1)!.id).toBe('u00001');
    expect((await users.list({ ...query, state: 'pending' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00011']);
    expect((await users.list({ ...query, state: 'removed' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00041']);
    expect((await users.list({ ...query, state: 'expiring' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00021']);
    // Expiring people are active ones (the state is worked out, not stored).
    expect((await users.list({ ...query, state: 'active' }, 1, 50)).total).toBe(448);
    // LIKE's own characters match themselves; case does not matter.
    expect((await users.list({ ...query, q: 'GRAND_' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00051']);
    expect((await users.list({ ...query, q: 'n%n' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00051']);
    expect((await users.list({ ...query, q: 'friend44' }, 1, 50)).rows.map((r) => r.id)).toEqual(['u00449', 'u00448', 'u00447', 'u00446', 'u00445', 'u00444', 'u00443', 'u00442', 'u00441', 'u00440', 'u00044']);
    expect(await users.countByState()).toEqual({ active: 448, pending: 1, removed: 1 });
    let streamed = 0;
    for await (const _ of users.stream({ ...query, state: 'active' }, 100)) streamed += 1;
    expect(streamed).toBe(448);
  });

  it('applies a sync in one transaction: updates, audit entries, and last synced for everyone with access', async () => {
    await users.applySync({ inserts: [row(1), row(2, { state: 'removed', last_synced_at: T0 })], updates: [], audit: [] }, T0);
    const later = '2026-11-24T13:00:00.000Z';
    await users.applySync(
      {
        inserts: [],
        updates: [{ id: 'u00001', set: { libraries: '["1","2"]', updated_at: later } }],
        audit: [{ id: 'a1', created_at: later, actor: null, actor_type: 'system', action: 'user.libraries_changed', target: 'friend1', details: null, ip: null }],
      },
      later,
    );
    expect(await users.findById('u00001')).toMatchObject({ libraries: '["1","2"]', last_synced_at: later });
    expect(await users.findById('u00002')).toMatchObject({ last_synced_at: T0 });
    expect(await database.db.selectFrom('audit_log').select('action').where('id', '=', 'a1').executeTakeFirst()).toEqual({ action: 'user.libraries_changed' });

    // A failing statement takes the whole sync back.
    await expect(users.applySync({ inserts: [row(3), row(1)], updates: [], audit: [] }, later)).rejects.toThrow();
    expect(await users.findById('u00003')).toBeUndefined();
  });

  it('gives a job lease to one owner at a time, to another once it runs out or is released, and keeps its last run', async () => {
    const claim = (owner: string, nowIso: string, extra: { startedBeforeIso?: string } = {}) =>
      leases.claim({ name: 'users.sync', owner, nowIso, untilIso: new Date(Date.parse(nowIso) + 60_000).toISOString(), ...extra });
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => claim(owner, T0)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const holder = ['a', 'b', 'c', 'd'][results.indexOf(true)]!;
    expect(await leases.isHeld('users.sync', T0)).toBe(true);
    expect(await claim('z', '2026-11-24T12:00:59.000Z')).toBe(false);
    expect(await claim('z', '2026-11-24T12:01:00.000Z')).toBe(true);
    expect(await leases.release('users.sync', holder, '2026-11-24T12:01:01.000Z')).toBe(false);
    expect(await leases.release('users.sync', 'z', '2026-11-24T12:01:02.000Z')).toBe(true);
    expect(await leases.isHeld('users.sync', '2026-11-24T12:01:02.000Z')).toBe(false);
    // The schedule's claim: only when the last run started before the given instant.
    expect(await claim('y', '2026-11-24T12:05:00.000Z', { startedBeforeIso: '2026-11-24T12:01:00.000Z' })).toBe(false);
    expect(await claim('y', '2026-11-24T12:05:00.000Z', { startedBeforeIso: '2026-11-24T12:01:00.001Z' })).toBe(true);
  });
});
