import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

const ctx = useSimulator();
let t: TestApp;
let session: AdminSession;
let key: string;
const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

beforeAll(async () => {
  t = await createReadyApp(ctx.sim);
  session = await signIn(t.app);
  key = (await t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.deps.database.db.deleteFrom('plex_users').execute();
  await t.deps.database.db.deleteFrom('invitations').execute();
  await t.deps.repositories.settings.delete('users.sync');
});

const api = (method: 'GET' | 'POST', url: string) => t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${key}` } });
const sharing = () => ctx.client().sharing;

/** alice invited through Helpr (pending), bob given access in Plex itself (accepted). */
async function twoPeople() {
  await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
  await sharing().inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'bob', librarySectionIds: [35723967], sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false } });
  await sharing().acceptInvite('bob-token', 'owner');
}

describe('/admin/users', () => {
  it('says nobody was read yet, then Sync now fills the list with who has access, in words', async () => {
    const empty = await session.get('/admin/users');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain('Helpr has not read who has access from Plex yet.');
    expect(empty.body).toContain('Nobody yet.');

    await twoPeople();
    const synced = await session.post('/admin/users/sync');
    expect(synced.statusCode).toBe(303);
    expect(synced.headers.location).toBe('/admin/users');
    const page = await session.get('/admin/users');
    expect(page.body).toContain('Synced with Plex: 2 people found.');
    expect(page.body).toContain('2 people have access or an invite.');
    expect(page.body).toMatch(/data-state="active" data-source="plex">[\s\S]*?bob[\s\S]*?added in Plex[\s\S]*?>Active<[\s\S]*?Movies</);
    expect(page.body).toMatch(/data-state="pending" data-source="helpr">[\s\S]*?alice[\s\S]*?>Invited<[\s\S]*?Movies, TV Shows/);
    expect(page.body).toContain('Showing 1–2 of 2, newest first.');
  });

  it('filters by state and words, and exports the same as CSV', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    const active = await session.get('/admin/users?state=active');
    expect(active.body).toContain('data-source="plex"');
    expect(active.body).not.toContain('data-state="pending"');
    const words = await session.get('/admin/users?q=ALI');
    expect(words.body).toContain('alice@example.com');
    expect(words.body).not.toContain('data-source="plex"');
    expect((await session.get('/admin/users?q=nobody-like-this')).body).toContain('Nobody matches this filter.');
    // An unknown state is every state; a long search is cut, never an error.
    expect((await session.get(`/admin/users?state=owner&q=${'x'.repeat(500)}&page=1e309`)).statusCode).toBe(200);

    const csv = await session.get('/admin/users.csv?state=pending');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="helpr-users-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = csv.body.trim().split('\r\n');
    expect(lines[0]).toBe('"id","username","email","plex_account_id","state","source","libraries","library_keys","since","expires_at","removed_at","last_synced_at","invitation_id"');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"alice@example.com"');
    expect(lines[1]).toContain('"pending","helpr","Movies, TV Shows","1 2"');
  });

  it('shows the warning when the last sync changed nothing, and keeps the list', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    ctx.sim.control.addFault({ kind: 'status', status: 500, path: '/api/v2/shared_servers/invites/owned/pending' });
    await session.post('/admin/users/sync');
    const page = await session.get('/admin/users');
    expect(page.body).toContain('The last sync with Plex changed nothing.');
    expect(page.body).toMatch(/Plex could not be asked who has access \(.+\)\. Nothing was changed/);
    expect(page.body).toContain('Showing 1–2 of 2');
  });

  it('refuses a sync without the CSRF token and anyone not signed in', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/admin/users/sync', headers: { cookie: session.cookie } })).statusCode).toBe(403);
    const anonymous = await t.app.inject({ url: '/admin/users' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/admin\/login/);
    expect((await t.app.inject({ url: '/api/v1/users' })).statusCode).toBe(401);
  });
});

describe('/api/v1/users', () => {
  it('lists users with their state, libraries and source, filtered and paged', async () => {
    await twoPeople();
    const sync = await api('POST', '/users/sync');
    expect(sync.statusCode).toBe(200);
    expect(sync.json()).toMatchObject({ outcome: 'synced', status: { warning: null, changed: { found: 2 } } });

    const all = await api('GET', '/users');
    expect(all.json()).toMatchObject({ page: 1, perPage: 50, total: 2 });
    const bob = all.json().items.find((item: { username: string }) => item.username === 'bob');
    expect(bob).toEqual({
      id: expect.any(String),
      plexAccountId: expect.any(String),
      username: 'bob',
      email: 'bob@example.com',
      state: 'active',
      libraries: ['1'],
      allLibraries: false,
      expiresAt: null,
      permissions: { allowSync: false, allowChannels: false, allowCameraUpload: false },
      source: 'plex',
      invitationId: null,
      since: expect.any(String),
      removedAt: null,
      lastSyncedAt: expect.any(String),
    });
    expect((await api('GET', '/users?state=pending')).json().items.map((item: { email: string }) => item.email)).toEqual(['alice@example.com']);
    expect((await api('GET', '/users?q=bob&perPage=1&page=1')).json()).toMatchObject({ total: 1, items: [{ username: 'bob' }] });
    expect((await api('GET', '/users?state=owner')).statusCode).toBe(400);
    expect((await api('GET', '/users?page=0')).statusCode).toBe(400);
  });

  it('answers a failed sync with the warning', async () => {
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: '/api/v2/shared_servers/owned/accepted' });
    const sync = await api('POST', '/users/sync');
    expect(sync.statusCode).toBe(200);
    expect(sync.json()).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'failed' }, lastSuccessAt: null } });
  });
});

describe('/admin/users/:id', () => {
  const idOf = async (email: string) => (await t.deps.services.users.list({ q: email }, 1, 1)).items[0]!.id;

  it('shows one person with their access, and changes their libraries and end of access from the page', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    const bob = await idOf('bob@example.com');
    const list = await session.get('/admin/users');
    expect(list.body).toContain(`href="/admin/users/${bob}"`);

    const page = await session.get(`/admin/users/${bob}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Can watch the shared libraries.');
    expect(page.body).toMatch(/name="libraries" value="1" id="lib-1" checked/);
    expect(page.body).toMatch(/name="libraries" value="2" id="lib-2">/);
    expect(page.body).toContain('Remove access');

    const saved = await session.post(`/admin/users/${bob}/libraries`, { libraries: ['1', '2'] });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/admin/users/${bob}`);
    const after = await session.get(`/admin/users/${bob}`);
    expect(after.body).toContain('bob&#39;s libraries were changed in Plex. They keep their share: nothing for them to accept.');
    expect(after.body).toContain('Movies, TV Shows');

    const ends = await session.post(`/admin/users/${bob}/expiry`, { expiresAt: '2026-12-24T18:00' });
    expect(ends.statusCode).toBe(303);
    expect((await t.deps.services.userActions.get(bob)).user.expiresAt).toBe('2026-12-24T18:00:00.000Z');
    expect((await session.get(`/admin/users/${bob}`)).body).toContain('value="2026-12-24T18:00"');
    await session.post(`/admin/users/${bob}/expiry`, { clear: '1' });
    expect((await t.deps.services.userActions.get(bob)).user.expiresAt).toBeNull();
    await session.post(`/admin/users/${bob}/expiry`, { expiresAt: 'tomorrow' });
    expect((await session.get(`/admin/users/${bob}`)).body).toContain('Type the date and time their access ends');
  });

  it('removes access, then gives it back, each with its words; an unknown person is a 404 page', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    const alice = await idOf('alice@example.com');
    expect((await session.get(`/admin/users/${alice}`)).body).toContain('Cancel the invite');
    await session.post(`/admin/users/${alice}/remove`);
    const removed = await session.get(`/admin/users/${alice}`);
    expect(removed.body).toContain('alice&#39;s access was removed in Plex.');
    expect(removed.body).toContain('Give access back');
    expect(removed.body).toMatch(/data-kind="remove" data-status="done"/);
    await session.post(`/admin/users/${alice}/restore`);
    expect((await session.get(`/admin/users/${alice}`)).body).toContain('alice was invited again.');
    // A second restore has nothing to give back: said, not a 500.
    await session.post(`/admin/users/${alice}/restore`);
    expect((await session.get(`/admin/users/${alice}`)).body).toContain('still has access or an invite: there is nothing to give back');
    expect((await session.get('/admin/users/nobody')).statusCode).toBe(404);
  });

  it('bulk: removes the people ticked, and asks to tick someone first', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    const ids = [await idOf('alice@example.com'), await idOf('bob@example.com')];
    const none = await session.post('/admin/users/bulk', { op: 'remove', back: '/admin/users?state=active' });
    expect(none.headers.location).toBe('/admin/users?state=active');
    expect((await session.get('/admin/users')).body).toContain('Tick the people to change first.');
    const evil = await session.post('/admin/users/bulk', { op: 'remove', ids, back: 'https://evil.example/' });
    expect(evil.headers.location).toBe('/admin/users');
    expect((await session.get('/admin/users')).body).toContain('Removing the access of 2 people');
    await t.deps.services.userActionsPass();
    expect((await t.deps.services.users.list({ state: 'removed' }, 1, 10)).total).toBe(2);
  });
});

describe('/api/v1/users/:id', () => {
  it('changes libraries and the end of access, removes, restores and resends, with 4xx in words', async () => {
    await twoPeople();
    await t.deps.services.usersSync.run();
    const [alice, bob] = await Promise.all(['alice@example.com', 'bob@example.com'].map(async (email) => (await t.deps.services.users.list({ q: email }, 1, 1)).items[0]!.id));
    const call = (method: 'GET' | 'PATCH' | 'DELETE' | 'POST', url: string, payload?: object) =>
      t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });

    const patched = await call('PATCH', `/users/${bob}`, { libraries: ['2'], expiresAt: '2027-01-01T00:00:00Z' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ action: { kind: 'libraries', status: 'done' }, user: { libraries: ['2'], expiresAt: '2027-01-01T00:00:00.000Z' } });
    expect((await call('PATCH', `/users/${bob}`, { expiresAt: null })).json()).toMatchObject({ action: null, user: { expiresAt: null } });
    expect((await call('PATCH', `/users/${bob}`, {})).statusCode).toBe(400);
    expect((await call('PATCH', `/users/${bob}`, { expiresAt: '2020-01-01T00:00:00Z' })).json()).toMatchObject({ error: { code: 'user.expiry_past' } });
    expect((await call('PATCH', `/users/${bob}`, { libraries: ['99'] })).json()).toMatchObject({ error: { code: 'invitation.unknown_library', message: 'The server has no library with key 99.' } });

    const resent = await call('POST', `/users/${alice}/resend`);
    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ action: { kind: 'resend', status: 'done' }, user: { state: 'pending' } });
    expect((await call('POST', `/users/${bob}/resend`)).statusCode).toBe(409);

    // Plex down: the removal is kept (202) and done later.
    t.clock.advance(1000);
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    const removing = await call('DELETE', `/users/${bob}`);
    expect(removing.statusCode).toBe(202);
    expect(removing.json()).toMatchObject({ action: { status: 'pending' }, user: { state: 'active' } });
    expect((await call('GET', `/users/${bob}`)).json()).toMatchObject({ open: { kind: 'remove', status: 'pending' } });
    ctx.sim.control.clearFaults();
    t.clock.advance(60 * 60_000);
    await t.deps.services.userActionsPass();
    expect((await call('GET', `/users/${bob}`)).json()).toMatchObject({ open: null, user: { state: 'removed' }, recent: [{ kind: 'remove', status: 'done' }, { kind: 'libraries', status: 'done' }] });
    expect((await call('POST', `/users/${bob}/restore`)).json()).toMatchObject({ action: { status: 'done' }, user: { state: 'pending' } });
    expect((await call('GET', '/users/nobody')).statusCode).toBe(404);
  });
});
