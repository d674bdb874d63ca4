import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { appWithFriends, OWNER, sharesOf as sharesOfFriend } from '../../../test/helpers/user-friends.js';
import { isAppError } from '../../errors.js';

const MOVIES = 35723967;
const TV = 35723968;

/** The owner's changes to someone's access, against the simulator: each one on plex.tv, durable, audited. */
describe('user actions', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  const withFriends = () => appWithFriends(ctx.sim, open);
  const sharesOf = (username: string) => sharesOfFriend(ctx.sim, username);
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (isAppError(error)) return { status: error.status, message: error.message };
      throw error;
    }
    throw new Error('expected a refusal');
  };
  const audit = async (t: TestApp) => (await t.deps.services.audit.list({ page: 1, perPage: 100 })).entries.map((entry) => `${entry.action} ${entry.target}`);

  it('changes the libraries of an accepted share in place: the same share, the new libraries, no new share', async () => {
    const { t, alice } = await withFriends();
    const [before] = sharesOf('alice');
    expect(before).toMatchObject({ accepted: true, libraryIds: [MOVIES] });
    ctx.sim.control.clearLog();
    const result = await t.deps.services.userActions.setLibraries(alice, ['1', '2'], OWNER);
    expect(result).toMatchObject({ action: { kind: 'libraries', status: 'done' }, user: { state: 'active', libraries: ['1', '2'] } });
    const after = sharesOf('alice');
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ v2Id: before!.v2Id, accepted: true, libraryIds: [MOVIES, TV] });
    expect(ctx.sim.control.requestLog({ method: 'POST', path: '/api/servers' })).toHaveLength(0);
    expect(ctx.sim.control.requestLog({ method: 'POST', path: '/api/v2/shared_servers' }).filter((entry) => entry.path === '/api/v2/shared_servers')).toHaveLength(0);
    expect(await audit(t)).toContain('user.libraries_set alice');
    // The next sync agrees and records no change of its own.
    expect(await t.deps.services.usersSync.run()).toMatchObject({ status: { changed: { libraries: 0 } } });
  });

  it('removes access when the end of access comes: the expiry job removes the share once, marks them expired, and restore gives it back', async () => {
    const { t, alice } = await withFriends();
    const inAMinute = new Date(t.clock.now().getTime() + 60_000).toISOString();
    expect(await t.deps.services.userActions.setExpiry(alice, inAMinute, OWNER)).toMatchObject({ state: 'expiring', expiresAt: inAMinute });
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 0 });
    expect(sharesOf('alice')).toHaveLength(1);

    t.clock.advance(60_000);
    // Two instances' passes at the same moment: one removal.
    const passes = await Promise.all([t.deps.services.userActionsPass(), t.deps.services.userActionsPass()]);
    expect(passes.reduce((n, pass) => n + pass.expired, 0)).toBe(1);
    expect(passes.reduce((n, pass) => n + pass.ran, 0)).toBe(1);
    expect(sharesOf('alice')).toHaveLength(0);
    expect(ctx.sim.control.requestLog({ method: 'DELETE' })).toHaveLength(1);
    const expired = await t.deps.services.userActions.get(alice);
    expect(expired.user).toMatchObject({ state: 'expired', expiresAt: inAMinute, removedAt: t.clock.now().toISOString() });
    expect(expired.recent[0]).toMatchObject({ kind: 'expire', status: 'done', actor: null });
    expect(await audit(t)).toContain('user.expired alice');
    // Still listed, and not removed again by the next pass or marked removed by a sync.
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 0 });
    await t.deps.services.usersSync.run();
    expect((await t.deps.services.userActions.get(alice)).user.state).toBe('expired');

    const restored = await t.deps.services.userActions.restore(alice, OWNER);
    expect(restored).toMatchObject({ action: { kind: 'restore', status: 'done' }, user: { state: 'pending', expiresAt: null, removedAt: null, libraries: ['1'] } });
    expect(sharesOf('alice')).toEqual([expect.objectContaining({ accepted: false, libraryIds: [MOVIES] })]);
    await ctx.client().sharing.acceptInvite('alice-token', 'owner');
    await t.deps.services.usersSync.run();
    expect((await t.deps.services.userActions.get(alice)).user.state).toBe('active');
  });

  it('removes access and cancels an invite, and says why an action does not apply', async () => {
    const { t, alice, bob } = await withFriends();
    expect(await t.deps.services.userActions.remove(bob, OWNER)).toMatchObject({ action: { status: 'done' }, user: { state: 'removed' } });
    expect(sharesOf('bob')).toHaveLength(0);
    expect(await refusal(t.deps.services.userActions.remove(bob, OWNER))).toEqual({ status: 409, message: 'bob has no access or invite to remove (removed). Nothing was changed.' });
    expect(await refusal(t.deps.services.userActions.resend(alice, OWNER))).toMatchObject({ status: 409, message: expect.stringContaining('has no invite waiting to be accepted (active)') });
    expect(await refusal(t.deps.services.userActions.restore(alice, OWNER))).toMatchObject({ status: 409 });
    expect(await refusal(t.deps.services.userActions.setLibraries(alice, ['9'], OWNER))).toMatchObject({ status: 400, message: 'The server has no library with key 9.' });
    expect(await refusal(t.deps.services.userActions.setLibraries(alice, [' '], OWNER))).toMatchObject({ status: 400, message: 'Choose at least one library.' });
    expect(await refusal(t.deps.services.userActions.setExpiry(alice, new Date(t.clock.now().getTime() - 1).toISOString(), OWNER))).toMatchObject({ status: 400 });
    expect(await refusal(t.deps.services.userActions.setExpiry(alice, 'next week', OWNER))).toMatchObject({ status: 400 });
    expect(await refusal(t.deps.services.userActions.remove('nobody', OWNER))).toMatchObject({ status: 404 });
  });

  it('resends a pending invite: the old one cancelled, one new invite with the same libraries', async () => {
    const { t, bob } = await withFriends();
    const [old] = sharesOf('bob');
    t.clock.advance(60_000);
    const result = await t.deps.services.userActions.resend(bob, OWNER);
    expect(result).toMatchObject({ action: { kind: 'resend', status: 'done' }, user: { state: 'pending', libraries: ['1'] } });
    const now = sharesOf('bob');
    expect(now).toHaveLength(1);
    expect(now[0]!.v2Id).not.toBe(old!.v2Id);
    expect(now[0]).toMatchObject({ accepted: false, libraryIds: [MOVIES] });
  });

  it('keeps a change when Plex is down, tries again later, and carries it out once Plex is back', async () => {
    const { t, alice } = await withFriends();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    const first = await t.deps.services.userActions.remove(alice, OWNER);
    expect(first).toMatchObject({ action: { status: 'pending', attempts: 1, error: expect.stringContaining('503') }, user: { state: 'active' } });
    expect(await refusal(t.deps.services.userActions.setLibraries(alice, ['2'], OWNER))).toMatchObject({ status: 409, message: expect.stringContaining('still under way') });
    // Not due yet: the pass leaves it.
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 0 });
    ctx.sim.control.clearFaults();
    t.clock.advance(60_000);
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 1 });
    expect((await t.deps.services.userActions.get(alice)).user.state).toBe('removed');
    expect(sharesOf('alice')).toHaveLength(0);
  });

  it('answers the owner within 5 s when Plex is slow, and the change goes on in the background', { timeout: 20_000 }, async () => {
    const { t, alice } = await withFriends();
    const hold = ctx.sim.control.hold({ method: 'DELETE' });
    const started = Date.now();
    const answer = await t.deps.services.userActions.remove(alice, OWNER);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    expect(answer).toMatchObject({ action: { status: 'pending', attempts: 0 }, user: { state: 'active' } });
    ctx.sim.control.release(hold);
    await expect.poll(async () => (await t.deps.services.userActions.get(alice)).user.state, { timeout: 5000 }).toBe('removed');
    expect(sharesOf('alice')).toHaveLength(0);
  });

  it('gives up on a change after 24 hours of failures, with the reason, and records it', async () => {
    const { t, alice } = await withFriends();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    await t.deps.services.userActions.remove(alice, OWNER);
    for (let hour = 0; hour < 25; hour += 1) {
      t.clock.advance(60 * 60_000);
      await t.deps.services.userActionsPass();
    }
    const after = await t.deps.services.userActions.get(alice);
    expect(after.open).toBeUndefined();
    expect(after.recent[0]).toMatchObject({ kind: 'remove', status: 'failed', error: expect.stringContaining('503') });
    expect(after.user.state).toBe('active');
    expect(await audit(t)).toContain('user.action_failed alice');
  });

  it('shares again with someone removed who asks again within the duplicate window: a new request and a new period, not the old one', async () => {
    const t = await createReadyApp(ctx.sim, { libraries: ['1'] });
    open.push(t);
    const ask = () => t.deps.services.invitations.submit({ email: 'alice@example.com', clientIp: '198.51.100.1', userAgent: undefined });
    const first = await ask();
    expect(first.invitation.status).toBe('sent');
    await ctx.client().sharing.acceptInvite('alice-token', 'owner');
    await t.deps.services.usersSync.run();
    const alice = (await t.deps.services.users.list({}, 1, 10)).items[0]!.id;
    await t.deps.services.userActions.setExpiry(alice, new Date(t.clock.now().getTime() + 60_000).toISOString(), OWNER);
    t.clock.advance(60_000);
    await t.deps.services.userActionsPass();
    expect((await t.deps.services.userActions.get(alice)).user.state).toBe('expired');

    t.clock.advance(60_000);
    const again = await ask();
    expect(again).toMatchObject({ duplicate: false, invitation: { status: 'sent' } });
    expect(again.invitation.id).not.toBe(first.invitation.id);
    expect(sharesOf('alice')).toEqual([expect.objectContaining({ accepted: false, libraryIds: [MOVIES] })]);
    // Asked once more at once: the new request's duplicate.
    expect(await ask()).toMatchObject({ duplicate: true, invitation: { id: again.invitation.id } });
    await t.deps.services.usersSync.run();
    expect((await t.deps.services.userActions.get(alice)).user).toMatchObject({ state: 'pending', invitationId: again.invitation.id, expiresAt: null, removedAt: null });
    // And the expiry job leaves the new period alone.
    t.clock.advance(60_000);
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 0 });
  });

  it('bulk: removes and extends a selection, saying who was left out', async () => {
    const { t, alice, bob } = await withFriends();
    const end = new Date(t.clock.now().getTime() + 86_400_000).toISOString();
    await t.deps.services.userActions.setExpiry(alice, end, OWNER);
    const extended = await t.deps.services.userActions.bulkExtend([alice, bob, 'nobody'], 7, OWNER);
    expect(extended).toEqual({ changed: 1, skipped: [{ id: bob, name: 'bob', reason: 'their access never ends' }] });
    expect((await t.deps.services.userActions.get(alice)).user.expiresAt).toBe(new Date(Date.parse(end) + 7 * 86_400_000).toISOString());
    await expect(t.deps.services.userActions.bulkExtend([alice], 0, OWNER)).rejects.toThrow('Extend by a whole number of days from 1 to 3650.');

    const removed = await t.deps.services.userActions.bulkRemove([alice, bob, alice], OWNER);
    expect(removed).toEqual({ changed: 2, skipped: [] });
    expect(await t.deps.services.userActionsPass()).toEqual({ expired: 0, ran: 2 });
    expect(sharesOf('alice')).toHaveLength(0);
    expect(sharesOf('bob')).toHaveLength(0);
    expect(await t.deps.services.userActions.bulkRemove([alice], OWNER)).toEqual({ changed: 0, skipped: [{ id: alice, name: 'alice', reason: 'has no access or invite to remove' }] });
  });
});
