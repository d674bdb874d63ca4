import crypto from 'node:crypto';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { appWithFriends, sharesOf, withSharing } from '../../../test/helpers/user-friends.js';
import { RETRY_POLICY } from '../invitations/retry-policy.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { createUserActionRunner } from './user-action-runner.js';
import { createUserActionsRepository, type UserActionRow } from './user-actions.repository.js';

const MOVIES = 35723967;
const TV = 35723968;

/**
 * One attempt at a queued change to someone's access (user-action-runner.ts), run directly: what it
 * does on plex.tv, what it writes on the person, in the audit log and the outbox, and what becomes of
 * the action when the attempt fails, is refused, or lost its lease.
 */
describe('user action runner', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  type RunnerDeps = Parameters<typeof createUserActionRunner>[0];
  function runnerOf(t: TestApp, overrides: Partial<RunnerDeps> = {}) {
    const actions = createUserActionsRepository(t.deps.database.db);
    const logger = pino({ level: 'silent' });
    const error = vi.spyOn(logger, 'error');
    const deps: RunnerDeps = { actions, users: t.deps.repositories.users, connection: t.deps.services.plexConnection, mapping: t.deps.services.libraryMapping, settings: t.deps.services.settings, clock: t.clock, logger, ...overrides };
    const runner = createUserActionRunner(deps);
    /** Queues an action for `userId` and claims it, as a pass would; returns its id and the lease owner. */
    async function claimed(userId: string, kind: UserActionRow['kind'], payload?: unknown) {
      const nowIso = t.clock.now().toISOString();
      const id = crypto.randomUUID();
      await actions.enqueue({ id, user_id: userId, kind, payload: payload === undefined ? null : JSON.stringify(payload), status: 'pending', open_key: userId, next_attempt_at: nowIso, lease_owner: null, lease_until: null, last_error: null, actor: 'owner', actor_type: 'admin', created_at: nowIso, updated_at: nowIso, done_at: null });
      const lease = runner.newLease(t.clock.now());
      expect(await actions.claim(id, lease.owner, lease.until, nowIso)).toBe(true);
      return { id, owner: lease.owner };
    }
    return { runner, actions, claimed, loggedErrors: error };
  }

  const user = (t: TestApp, id: string) => t.deps.repositories.users.findById(id);
  /** The audit entry of one action (found by its id: the test clock stands still, so entries share a time). */
  const audited = async (t: TestApp, actionId: string) => (await t.deps.services.audit.list({ page: 1, perPage: 100 })).entries.find((entry) => entry.details?.action === actionId);
  /** The share id Helpr records for a share: the v1 id after an invite, the v2 id after a sync. */
  const idsOf = (share: { v1Id: number; v2Id: number } | undefined) => [String(share!.v1Id), String(share!.v2Id)];
  const events = (t: TestApp) => t.deps.database.db.selectFrom('notification_events').select(['type', 'data']).execute();

  it('gives each lease its own owner, held for the lease time', async () => {
    const { t } = await appWithFriends(ctx.sim, open);
    const { runner } = runnerOf(t);
    const [a, b] = [runner.newLease(t.clock.now()), runner.newLease(t.clock.now())];
    expect(a.owner).toMatch(/^act-[0-9a-f-]{36}$/);
    expect(b.owner).not.toBe(a.owner);
    expect(a.until).toBe(new Date(t.clock.now().getTime() + RETRY_POLICY.leaseMs).toISOString());
  });

  it('removes every share of the person, marks them removed with the share id kept, audits it and tells the owner', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const before = await user(t, alice);
    const { runner, claimed } = runnerOf(t);
    const { id, owner } = await claimed(alice, 'remove');
    expect(await runner.run(id, owner)).toBe('done');
    expect(sharesOf(ctx.sim, 'alice')).toHaveLength(0);
    const after = await user(t, alice);
    expect(after).toMatchObject({ state: 'removed', removed_at: t.clock.now().toISOString(), share_id: before!.share_id });
    expect(await audited(t, id)).toMatchObject({ action: 'user.removed', target: 'alice', actor: 'owner', details: { from: 'active', removedFromPlex: true, userId: alice, action: id } });
    expect(await events(t)).toContainEqual({ type: 'access.removed', data: expect.stringContaining('"who":"alice"') });
  });

  it('counts an expiry whose share is already gone from Plex as done, and says nothing was removed there', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const share = sharesOf(ctx.sim, 'alice')[0]!;
    await ctx.client().sharing.removeShare(ctx.sim.ownerToken, share.v2Id);
    const { runner, claimed } = runnerOf(t);
    const { id, owner } = await claimed(alice, 'expire');
    expect(await runner.run(id, owner)).toBe('done');
    expect(await user(t, alice)).toMatchObject({ state: 'expired' });
    expect(await audited(t, id)).toMatchObject({ action: 'user.expired', details: { removedFromPlex: false } });
    expect(await events(t)).toContainEqual({ type: 'access.expired', data: expect.stringContaining('"who":"alice"') });
  });

  it('finds the share by username when the person has no email, and by Plex account id when their email changed', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const db = t.deps.database.db;
    await db.updateTable('plex_users').set({ email: null, username: 'alice' }).where('id', '=', alice).execute();
    await db.updateTable('plex_users').set({ email: 'bob.new@example.com', plex_account_id: String(ctx.sim.control.state().shares.find((share) => share.invitedUsername === 'bob')!.invitedId) }).where('id', '=', bob).execute();
    const { runner, claimed } = runnerOf(t);
    for (const [who, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
      const { id, owner } = await claimed(who, 'remove');
      expect(await runner.run(id, owner)).toBe('done');
      expect(sharesOf(ctx.sim, name)).toHaveLength(0);
    }
  });

  it('changes the libraries to those of the action, and fails with the reason when Plex has no share for the person', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const { runner, claimed } = runnerOf(t);
    const first = await claimed(alice, 'libraries', { libraries: ['1', '2'] });
    expect(await runner.run(first.id, first.owner)).toBe('done');
    expect(sharesOf(ctx.sim, 'alice')[0]).toMatchObject({ libraryIds: [MOVIES, TV] });
    expect(await user(t, alice)).toMatchObject({ libraries: '["1","2"]', all_libraries: 0 });
    expect(await audited(t, first.id)).toMatchObject({ action: 'user.libraries_set', details: { from: ['1'], to: ['1', '2'] } });

    await ctx.client().sharing.removeShare(ctx.sim.ownerToken, sharesOf(ctx.sim, 'bob')[0]!.v2Id);
    const second = await claimed(bob, 'libraries', { libraries: ['2'] });
    expect(await runner.run(second.id, second.owner)).toBe('failed');
    const failed = await t.deps.services.userActions.get(bob);
    expect(failed.recent[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('Plex has no share or invite for this person any more') });
    expect(failed.user.libraries).toEqual(['1']);
    expect(await audited(t, second.id)).toMatchObject({ action: 'user.action_failed', details: { kind: 'libraries', error: expect.stringContaining('no share or invite'), userId: bob } });
  });

  it('resends: a new invite with the new share id, pending; the settings libraries when the person has none recorded', async () => {
    const { t, bob } = await appWithFriends(ctx.sim, open);
    await t.deps.database.db.updateTable('plex_users').set({ libraries: '[]' }).where('id', '=', bob).execute();
    await t.deps.services.settings.update({ libraries: ['2'] });
    const { runner, claimed } = runnerOf(t);
    const { id, owner } = await claimed(bob, 'resend');
    expect(await runner.run(id, owner)).toBe('done');
    const [share] = sharesOf(ctx.sim, 'bob');
    expect(share).toMatchObject({ accepted: false, libraryIds: [TV] });
    const after = await user(t, bob);
    expect(after).toMatchObject({ state: 'pending', invited_at: t.clock.now().toISOString(), libraries: '["2"]' });
    expect(idsOf(share)).toContain(after!.share_id);
    expect(await audited(t, id)).toMatchObject({ action: 'user.resent', details: { libraries: ['2'] } });
  });

  it('resends to someone Plex still lists as shared (its lists lag): active, the share id kept', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const before = await user(t, alice);
    const { runner, claimed } = runnerOf(t, { connection: withSharing(t, { findSharedServerIds: async () => [] }) });
    const { id, owner } = await claimed(alice, 'resend');
    expect(await runner.run(id, owner)).toBe('done');
    expect(sharesOf(ctx.sim, 'alice')).toEqual([expect.objectContaining({ accepted: true })]);
    expect(await user(t, alice)).toMatchObject({ state: 'active', share_id: before!.share_id });
  });

  it('restores with the permissions the person had, a new period, pending on a new invite and active when still shared', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const db = t.deps.database.db;
    await ctx.client().sharing.removeShare(ctx.sim.ownerToken, sharesOf(ctx.sim, 'bob')[0]!.v2Id);
    await db.updateTable('plex_users').set({ state: 'expired', expires_at: '2026-01-01T00:00:00.000Z', removed_at: '2026-01-01T00:00:00.000Z', permissions: JSON.stringify({ allowSync: true, allowChannels: false, allowCameraUpload: true }) }).where('id', '=', bob).execute();
    const { runner, claimed } = runnerOf(t);
    const restore = await claimed(bob, 'restore', { libraries: ['2'] });
    expect(await runner.run(restore.id, restore.owner)).toBe('done');
    const [share] = sharesOf(ctx.sim, 'bob');
    expect(share).toMatchObject({ accepted: false, libraryIds: [TV], settings: expect.objectContaining({ allowSync: true, allowCameraUpload: true, allowChannels: false }) });
    const restored = await user(t, bob);
    expect(restored).toMatchObject({ state: 'pending', expires_at: null, removed_at: null, libraries: '["2"]' });
    expect(idsOf(share)).toContain(restored!.share_id);
    expect(await audited(t, restore.id)).toMatchObject({ action: 'user.restored', details: { from: 'expired', libraries: ['2'] } });

    // Still shared on Plex (removed in Helpr only): active, and the audit says so.
    await db.updateTable('plex_users').set({ state: 'removed' }).where('id', '=', alice).execute();
    const again = await claimed(alice, 'restore');
    expect(await runner.run(again.id, again.owner)).toBe('done');
    expect(await user(t, alice)).toMatchObject({ state: 'active', libraries: '["1"]' });
    expect(await audited(t, again.id)).toMatchObject({ action: 'user.restored', details: { from: 'removed', libraries: ['1'], alreadyShared: true } });
  });

  it('waits while Helpr is not connected (no token, or no server), without calling Plex, to try again after the first delay', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const real = t.deps.services.plexConnection;
    const state = await real.state();
    for (const missing of [{ token: undefined }, { serverId: undefined }]) {
      const connection = { ...real, state: async () => ({ ...state, ...missing }) } as PlexConnection;
      const { runner, actions, claimed } = runnerOf(t, { connection });
      ctx.sim.control.clearLog();
      const { id, owner } = await claimed(alice, 'remove');
      expect(await runner.run(id, owner)).toBe('retry');
      expect(ctx.sim.control.requestLog({})).toHaveLength(0);
      const row = await actions.findById(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'Helpr is not connected to a Plex server: finish the setup in the admin area.', lease_owner: null });
      const delay = Date.parse(row!.next_attempt_at!) - t.clock.now().getTime();
      expect(delay).toBeGreaterThanOrEqual(0.8 * RETRY_POLICY.firstDelayMs);
      expect(delay).toBeLessThanOrEqual(1.2 * RETRY_POLICY.firstDelayMs);
      await t.deps.database.db.deleteFrom('user_actions').where('id', '=', id).execute();
    }
    expect(sharesOf(ctx.sim, 'alice')).toHaveLength(1);
  });

  it('backs off by the attempts made, and waits as long as Plex asks', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const { runner, actions, claimed } = runnerOf(t);
    const { id, owner } = await claimed(alice, 'remove');
    await t.deps.database.db.updateTable('user_actions').set({ attempts: 3 }).where('id', '=', id).execute();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    expect(await runner.run(id, owner)).toBe('retry');
    const row = await actions.findById(id);
    // The fourth attempt: 30 s doubled three times (240 s), ±20 %.
    const delay = Date.parse(row!.next_attempt_at!) - t.clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(0.8 * 240_000);
    expect(delay).toBeLessThanOrEqual(1.2 * 240_000);
    expect(row).toMatchObject({ attempts: 4, last_error: expect.stringContaining('503') });

    ctx.sim.control.clearFaults();
    ctx.sim.control.addFault({ kind: 'rate-limit', method: 'DELETE', retryAfterSeconds: 7200 });
    const lease = runner.newLease(t.clock.now());
    t.clock.advance(delay);
    expect(await actions.claim(id, lease.owner, lease.until, t.clock.now().toISOString())).toBe(true);
    expect(await runner.run(id, lease.owner)).toBe('retry');
    expect(Date.parse((await actions.findById(id))!.next_attempt_at!) - t.clock.now().getTime()).toBe(7_200_000);
  });

  it('fails for good when Plex refuses the change, with Plex\'s reason, and leaves the person as they were', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    ctx.sim.control.addFault({ kind: 'status', status: 403, method: 'DELETE' });
    const { runner, claimed, loggedErrors } = runnerOf(t);
    const { id, owner } = await claimed(alice, 'remove');
    expect(await runner.run(id, owner)).toBe('failed');
    const after = await t.deps.services.userActions.get(alice);
    expect(after.recent[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('403') });
    expect(after.user.state).toBe('active');
    expect(await audited(t, id)).toMatchObject({ action: 'user.action_failed', details: { kind: 'remove', error: expect.stringContaining('403'), userId: alice, action: id } });
    expect((await events(t)).map((event) => event.type)).not.toContain('access.removed');
    expect(loggedErrors).not.toHaveBeenCalled();
  });

  it('tries an unexpected error again, logged for the owner\'s logs; a Plex failure is not logged as one', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const broken = runnerOf(t, { connection: withSharing(t, { findSharedServerIds: async () => { throw new TypeError('a bug'); } }) });
    const first = await broken.claimed(alice, 'remove');
    expect(await broken.runner.run(first.id, first.owner)).toBe('retry');
    expect(await broken.actions.findById(first.id)).toMatchObject({ status: 'pending', last_error: 'a bug' });
    expect(broken.loggedErrors).toHaveBeenCalledTimes(1);
    await t.deps.database.db.deleteFrom('user_actions').where('id', '=', first.id).execute();

    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    const plain = runnerOf(t);
    const second = await plain.claimed(alice, 'remove');
    expect(await plain.runner.run(second.id, second.owner)).toBe('retry');
    expect(plain.loggedErrors).not.toHaveBeenCalled();
  });

  it('does nothing on an action it does not hold: unknown, leased to another, its person gone, or its lease lost at the end', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const { runner, actions, claimed } = runnerOf(t);
    expect(await runner.run('no-such-action', 'act-x')).toBe('lost');
    const { id, owner } = await claimed(alice, 'remove');
    expect(await runner.run(id, 'act-someone-else')).toBe('lost');
    const gone = runnerOf(t, { users: { ...t.deps.repositories.users, findById: async () => undefined } });
    expect(await gone.runner.run(id, owner)).toBe('lost');
    expect(sharesOf(ctx.sim, 'alice')).toHaveLength(1);
    expect(await actions.findById(id)).toMatchObject({ status: 'pending', attempts: 0 });

    const late = runnerOf(t, { actions: { ...actions, finish: async () => false } });
    expect(await late.runner.run(id, owner)).toBe('lost');
    const retried = runnerOf(t, { actions: { ...actions, retryLater: async () => false } });
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'GET' });
    expect(await retried.runner.run(id, owner)).toBe('lost');
  });
});
