import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { appWithFriends, withSharing } from '../../../test/helpers/user-friends.js';
import { createJobLeasesRepository } from '../jobs/job-leases.repository.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { createUsersSync, SYNC_LEASE } from './users-sync.js';

const ACCEPTED = '/api/v2/shared_servers/owned/accepted';
const PENDING = '/api/v2/shared_servers/invites/owned/pending';

/**
 * The users sync built directly (users-sync.ts): the words of each warning, what a failed read
 * tells and logs, who counts as having access, what is audited, and "Sync now" while another sync
 * runs in this process or another instance.
 */
describe('users sync: warnings, audit and Sync now', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  type SyncDeps = Parameters<typeof createUsersSync>[0];
  function syncOf(t: TestApp, overrides: Partial<SyncDeps> = {}) {
    const logger = pino({ level: 'silent' });
    const errors = vi.spyOn(logger, 'error');
    const warnings = vi.spyOn(logger, 'warn');
    const leases = createJobLeasesRepository(t.deps.database.db);
    const deps: SyncDeps = { users: t.deps.repositories.users, leases, settings: t.deps.repositories.settings, events: t.deps.repositories.notifications, connection: t.deps.services.plexConnection, clock: t.clock, logger, ...overrides };
    return { sync: createUsersSync(deps), leases, errors, warnings };
  }
  const held = (t: TestApp, owner: string) =>
    createJobLeasesRepository(t.deps.database.db).claim({ name: SYNC_LEASE, owner, nowIso: t.clock.now().toISOString(), untilIso: new Date(t.clock.now().getTime() + 60_000).toISOString() });

  it('says what to do when Helpr is not connected, and keeps what the last sync that worked changed', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const before = (await t.deps.services.usersSync.status())!;
    expect(before.changed).toEqual({ found: 2, accepted: 0, removed: 0, libraries: 0, back: 0 });
    const real = t.deps.services.plexConnection;
    const state = await real.state();
    const { sync } = syncOf(t, { connection: { ...real, state: async () => ({ ...state, serverId: undefined }) } as PlexConnection });
    const result = await sync.run();
    expect(result.status).toMatchObject({
      warning: { kind: 'not_connected', message: 'Helpr is not connected to a Plex server, so it cannot read who has access. Finish the Plex connection in Settings.' },
      changed: before.changed,
      lastSuccessAt: before.lastSuccessAt,
    });
  });

  it('tells the token refusal on when plex.tv refuses the token, and only then', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const onTokenRefused = vi.fn(async () => true);
    const { sync } = syncOf(t, { onTokenRefused });
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: ACCEPTED, times: 1 });
    expect(await sync.run()).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'failed' } } });
    expect(onTokenRefused).not.toHaveBeenCalled();
    ctx.sim.control.addFault({ kind: 'status', status: 401, path: ACCEPTED, times: 1 });
    expect(await sync.run()).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'failed' } } });
    expect(onTokenRefused).toHaveBeenCalledWith(ctx.sim.ownerToken);
    // One that fails does not stop the warning being written.
    const refusedBadly = syncOf(t, { onTokenRefused: async () => { throw new Error('database away'); } });
    ctx.sim.control.addFault({ kind: 'status', status: 401, path: ACCEPTED, times: 1 });
    expect(await refusedBadly.sync.run()).toMatchObject({ outcome: 'warning' });
  });

  it('names an unexpected failure without its details and logs it; a Plex failure is named and not logged as an error', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const broken = syncOf(t, { connection: withSharing(t, { listAcceptedShares: async () => { throw new TypeError('secret internals'); } }) });
    const result = await broken.sync.run();
    expect(result.status!.warning!.message).toBe('Plex could not be asked who has access (an unexpected error). Nothing was changed; Helpr tries again at the next sync.');
    expect(broken.errors).toHaveBeenCalledTimes(1);
    const plain = syncOf(t);
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: ACCEPTED, times: 1 });
    expect((await plain.sync.run()).status!.warning!.message).toContain('503');
    expect(plain.errors).not.toHaveBeenCalled();
  });

  it('counts as having access only the active and invited: one person is named so, the removed do not stop an empty list', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    for (const path of [ACCEPTED, PENDING]) ctx.sim.control.addFault({ kind: 'status', status: 200, body: '[]', contentType: 'application/json', path });
    const db = t.deps.database.db;
    await db.updateTable('plex_users').set({ state: 'removed' }).where('id', '=', bob).execute();
    const { sync } = syncOf(t);
    expect((await sync.run()).status!.warning!.message).toContain('while Helpr knows 1 person with access. Nothing was changed');
    await db.updateTable('plex_users').set({ state: 'expired' }).where('id', '=', alice).execute();
    expect(await sync.run()).toMatchObject({ outcome: 'synced', status: { warning: null } });
  });

  it('audits each change as the system, with the person it is about', async () => {
    const { t, bob } = await appWithFriends(ctx.sim, open);
    await ctx.client().sharing.acceptInvite('bob-token', 'owner');
    await syncOf(t).sync.run();
    const entry = (await t.deps.services.audit.list({ page: 1, perPage: 100 })).entries.find((e) => e.action === 'user.accepted' && e.target === 'bob');
    expect(entry).toMatchObject({ actor: null, actorType: 'system', details: expect.objectContaining({ userId: bob }) });
  });

  it('Sync now: two at once in one process make one sync', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const { sync } = syncOf(t);
    ctx.sim.control.clearLog();
    const [a, b] = await Promise.all([sync.runNow(), sync.runNow()]);
    expect(a).toBe(b);
    expect(a.outcome).toBe('synced');
    expect(ctx.sim.control.requestLog({ path: ACCEPTED })).toHaveLength(1);
    // And the next one is a sync of its own.
    await sync.runNow();
    expect(ctx.sim.control.requestLog({ path: ACCEPTED })).toHaveLength(2);
  });

  it('Sync now while another instance syncs: waits for it and answers with its outcome, up to the wait', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const naps: number[] = [];
    let release: (() => Promise<unknown>) | undefined;
    const sleep = async (ms: number) => {
      naps.push(ms);
      if (naps.length === 2) await release?.();
    };
    const { sync, leases } = syncOf(t, { sleep });
    expect(await held(t, 'other-instance')).toBe(true);
    release = () => leases.release(SYNC_LEASE, 'other-instance', t.clock.now().toISOString());
    ctx.sim.control.clearLog();
    const answer = await sync.runNow(5_000);
    expect(naps).toEqual([250, 250]);
    expect(answer).toMatchObject({ outcome: 'synced', status: { warning: null } });
    expect(ctx.sim.control.requestLog({ path: ACCEPTED })).toHaveLength(0);

    // Still held after the whole wait: the last known outcome (a warning here), after waitMs / 250 naps.
    naps.length = 0;
    release = undefined;
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: ACCEPTED, times: 1 });
    await sync.run();
    t.clock.advance(1000);
    expect(await held(t, 'other-instance-2')).toBe(true);
    expect(await sync.runNow(1_000)).toMatchObject({ outcome: 'warning', status: { warning: { kind: 'failed' } } });
    expect(naps).toEqual([250, 250, 250, 250]);
  });

  it('Sync now before any sync ever finished, while another holds it: busy, with no status', async () => {
    const t = await createReadyApp(ctx.sim);
    open.push(t);
    const { sync } = syncOf(t, { sleep: async () => undefined });
    expect(await held(t, 'other-instance')).toBe(true);
    expect(await sync.runNow(500)).toEqual({ outcome: 'busy', status: undefined });
  });

  it('waits a real quarter second between looks when no sleep is given', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const { sync } = syncOf(t);
    expect(await held(t, 'other-instance')).toBe(true);
    const started = Date.now();
    await sync.runNow(250);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('answers even when the lease cannot be released, and says so in the log', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const leases = createJobLeasesRepository(t.deps.database.db);
    const { sync, warnings } = syncOf(t, { leases: { ...leases, release: async () => { throw new Error('database away'); } } });
    expect(await sync.run()).toMatchObject({ outcome: 'synced' });
    expect(warnings).toHaveBeenCalledTimes(1);
  });
});
