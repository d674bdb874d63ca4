import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import type { UserView } from './users.models.js';

const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

/** The sync against the simulator: plex.tv's lists become Helpr's users, and a bad read changes nothing. */
describe('users sync', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  async function ready(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await createReadyApp(ctx.sim, { env });
    open.push(t);
    return t;
  }
  const users = async (t: TestApp): Promise<UserView[]> => (await t.deps.services.users.list({}, 1, 100)).items;
  const byName = async (t: TestApp, name: string) => (await users(t)).find((user) => user.username === name || user.email === name);
  const owner = () => ctx.client().sharing;
  const auditActions = async (t: TestApp) => (await t.deps.services.audit.list({ page: 1, perPage: 100 })).entries.map((entry) => `${entry.action} ${entry.target ?? ''}`);

  it('lists a friend invited through Helpr as invited, then active once they accept, with the libraries of the share', async () => {
    const t = await ready();
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    const first = await t.deps.services.usersSync.run();
    expect(first).toMatchObject({ outcome: 'synced', status: { warning: null, changed: { found: 1 } } });
    const invited = await byName(t, 'alice');
    expect(invited).toMatchObject({ state: 'pending', source: 'helpr', plexAccountId: expect.any(String), libraries: ['1', '2'], email: 'alice@example.com' });
    expect(invited!.invitationId).toEqual(expect.any(String));

    await owner().acceptInvite('alice-token', 'owner');
    t.clock.advance(60_000);
    const second = await t.deps.services.usersSync.run();
    expect(second).toMatchObject({ outcome: 'synced', status: { changed: { found: 0, accepted: 1 } } });
    expect(await byName(t, 'alice')).toMatchObject({ id: invited!.id, state: 'active', since: t.clock.now().toISOString(), lastSyncedAt: t.clock.now().toISOString() });
    expect(await auditActions(t)).toEqual(expect.arrayContaining(['user.found alice', 'user.accepted alice']));
  });

  it('shows access given in Plex itself as added in Plex, and access removed in Plex as removed, kept in the list', async () => {
    const t = await ready();
    // Someone else keeps access: a list that becomes empty is the next test's case.
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    const sharing = owner();
    await sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'bob', librarySectionIds: [35723967], sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false } });
    await sharing.acceptInvite('bob-token', 'owner');
    await t.deps.services.usersSync.run();
    const bob = await byName(t, 'bob');
    expect(bob).toMatchObject({ state: 'active', source: 'plex', libraries: ['1'], invitationId: null });

    for (const id of await sharing.findSharedServerIds(ctx.sim.ownerToken, ctx.sim.machineIdentifier, 'bob')) await sharing.removeShare(ctx.sim.ownerToken, id);
    t.clock.advance(60_000);
    const result = await t.deps.services.usersSync.run();
    expect(result).toMatchObject({ outcome: 'synced', status: { changed: { removed: 1 } } });
    expect(await byName(t, 'bob')).toMatchObject({ id: bob!.id, state: 'removed', removedAt: t.clock.now().toISOString() });
    expect(await auditActions(t)).toContain('user.removed_in_plex bob');
  });

  it('records libraries changed in Plex, and someone shared again after a removal', async () => {
    const t = await ready();
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    const sharing = owner();
    const invite = (ids: number[]) =>
      sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'bob', librarySectionIds: ids, sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false } });
    await invite([35723967]);
    await sharing.acceptInvite('bob-token', 'owner');
    await t.deps.services.usersSync.run();
    // The owner adds TV Shows to bob's share in Plex.
    await sharing.addLibraries(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'bob', librarySectionIds: [35723968] });
    expect(await t.deps.services.usersSync.run()).toMatchObject({ status: { changed: { libraries: 1 } } });
    expect(await byName(t, 'bob')).toMatchObject({ state: 'active', libraries: ['1', '2'] });
    expect(await auditActions(t)).toContain('user.libraries_changed bob');
    const [shareId] = await sharing.findSharedServerIds(ctx.sim.ownerToken, ctx.sim.machineIdentifier, 'bob');
    await sharing.removeShare(ctx.sim.ownerToken, shareId!);
    await t.deps.services.usersSync.run();
    expect(await byName(t, 'bob')).toMatchObject({ state: 'removed' });

    await invite([35723968]);
    await sharing.acceptInvite('bob-token', 'owner');
    const back = await t.deps.services.usersSync.run();
    expect(back).toMatchObject({ outcome: 'synced', status: { changed: { back: 1, libraries: 0 } } });
    expect(await byName(t, 'bob')).toMatchObject({ state: 'active', libraries: ['2'], removedAt: null });
    expect(await auditActions(t)).toContain('user.shared_in_plex bob');
  });

  it('changes nothing and warns when plex.tv answers 500, and clears the warning once a read works', async () => {
    const t = await ready();
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    await t.deps.services.usersSync.run();
    const before = await users(t);
    ctx.sim.control.addFault({ kind: 'status', status: 500, path: '/api/v2/shared_servers/owned/accepted' });
    t.clock.advance(60_000);
    const failed = await t.deps.services.usersSync.run();
    expect(failed).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'failed', at: t.clock.now().toISOString() } } });
    expect(failed.status!.warning!.message).toMatch(/^Plex could not be asked who has access \(.+\)\. Nothing was changed/);
    expect(failed.status!.lastSuccessAt).toBe('2026-11-24T12:00:00.000Z');
    expect(await users(t)).toEqual(before);

    // A warning that goes on keeps its first time.
    t.clock.advance(60_000);
    expect((await t.deps.services.usersSync.run()).status!.warning!.at).toBe(failed.status!.warning!.at);

    ctx.sim.control.clearFaults();
    expect(await t.deps.services.usersSync.run()).toMatchObject({ outcome: 'synced', status: { warning: null } });
  });

  it('changes nothing and warns when plex.tv lists nobody while Helpr knows people with access', async () => {
    const t = await ready();
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    await t.deps.services.adminInvitations.invite({ email: 'bob@example.com' }, OWNER, 'admin');
    await t.deps.services.usersSync.run();
    const before = await users(t);
    expect(before).toHaveLength(2);
    for (const path of ['/api/v2/shared_servers/owned/accepted', '/api/v2/shared_servers/invites/owned/pending']) {
      ctx.sim.control.addFault({ kind: 'status', status: 200, body: '[]', contentType: 'application/json', path });
    }
    const empty = await t.deps.services.usersSync.run();
    expect(empty).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'empty' } } });
    expect(empty.status!.warning!.message).toContain('while Helpr knows 2 people with access. Nothing was changed');
    expect(await users(t)).toEqual(before);
    expect(await auditActions(t)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^user\.removed/)]));
  });

  it('takes an empty list as it is when Helpr knows nobody with access', async () => {
    const t = await ready();
    expect(await t.deps.services.usersSync.run()).toMatchObject({ outcome: 'synced', status: { warning: null, changed: { found: 0 } } });
  });

  it('warns without asking plex.tv when Helpr is not connected', async () => {
    const t = await ready({ PLEX_TOKEN: '' });
    ctx.sim.control.clearLog();
    const result = await t.deps.services.usersSync.run();
    expect(result).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'not_connected' }, lastSuccessAt: null } });
    expect(ctx.sim.control.requestLog()).toHaveLength(0);
  });

  it('runs one sync at a time: a second one while the first reads plex.tv is told busy, and then the next one runs', async () => {
    const t = await ready();
    const hold = ctx.sim.control.hold({ path: '/api/v2/shared_servers/owned/accepted' });
    const first = t.deps.services.usersSync.run();
    await expect.poll(() => ctx.sim.control.listHolds()[0]?.held ?? 0).toBe(1);
    expect(await t.deps.services.usersSync.run()).toMatchObject({ outcome: 'busy' });
    ctx.sim.control.release(hold);
    expect(await first).toMatchObject({ outcome: 'synced' });
    expect(await t.deps.services.usersSync.run()).toMatchObject({ outcome: 'synced' });
  });

  it('on a schedule, skips a sync when one started less than the interval ago (another instance ran it)', async () => {
    const t = await ready();
    expect(await t.deps.services.usersSync.run({ ifOlderThanMs: 15 * 60_000 })).toMatchObject({ outcome: 'synced' });
    t.clock.advance(14 * 60_000);
    expect(await t.deps.services.usersSync.run({ ifOlderThanMs: 15 * 60_000 })).toMatchObject({ outcome: 'busy' });
    t.clock.advance(60_000);
    expect(await t.deps.services.usersSync.run({ ifOlderThanMs: 15 * 60_000 })).toMatchObject({ outcome: 'synced' });
  });

  it('is scheduled every USERS_SYNC_MINUTES, and not at all with 0 (Sync now only)', async () => {
    expect((await ready()).deps.services.usersSyncJob).toBeDefined();
    expect((await ready({ USERS_SYNC_MINUTES: '0' })).deps.services.usersSyncJob).toBeUndefined();
  });

  it('makes two plex.tv requests per sync, whatever the number of people', async () => {
    const t = await ready();
    for (const email of ['alice@example.com', 'bob@example.com']) await t.deps.services.adminInvitations.invite({ email }, OWNER, 'admin');
    ctx.sim.control.clearLog();
    await t.deps.services.usersSync.run();
    expect(ctx.sim.control.requestLog().map((entry) => entry.path).sort()).toEqual(['/api/v2/shared_servers/invites/owned/pending', '/api/v2/shared_servers/owned/accepted']);
  });
});
