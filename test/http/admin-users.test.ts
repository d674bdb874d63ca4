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
