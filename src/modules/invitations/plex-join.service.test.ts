import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir, type TestApp } from '../../../test/helpers/app.js';
import { FRIEND, usePlexJoinApps } from '../../../test/helpers/plex-join-apps.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { sharePosts } from '../../../test/helpers/public-requests.js';

const MOVIES = 35723967;
const TV = 35723968;
const MUSIC = 35723970;
const ACCEPT_ROUTE = '/api/v2/shared_servers/:id/accept';
const RECEIVED = '/api/v2/shared_servers/invites/received/pending';
const MINUTE = 60_000;

/**
 * Join with Plex against the simulator: share, accept as the friend, verify, as one durable job
 * through the retry worker's queue; plex.tv's requests are counted to show nothing is done twice.
 */
describe('Join with Plex: the durable share-accept-verify job', () => {
  const ctx = useSimulator();
  const { ready, join } = usePlexJoinApps(ctx);
  const row = (t: TestApp, id: string) => t.deps.repositories.invitations.findById(id);
  const tokenOf = (t: TestApp, id: string) => t.deps.repositories.friendTokens.find(id);
  const shareStatuses = () => sharePosts(ctx.sim).map((entry) => entry.status);
  const acceptStatuses = () => ctx.sim.control.requestLog({ method: 'POST', route: ACCEPT_ROUTE }).map((entry) => entry.status);
  const friendShares = () => ctx.sim.control.state().shares.filter((share) => share.invitedId === FRIEND.id);
  /** Lets the retry worker's next pass find the request due. */
  const later = (t: TestApp, ms = 10 * MINUTE) => t.clock.advance(ms);

  it('shares to the account, accepts as the friend and verifies in one go: accepted, token gone', async () => {
    const t = await ready();
    const { invitation, duplicate } = await join(t, { rulesAccepted: true });
    expect(duplicate).toBe(false);
    expect(invitation).toMatchObject({ status: 'accepted', joined_with: 'plex', plex_account_id: String(FRIEND.id), identifier: 'friend', identifier_kind: 'username', join_step: null, lease_owner: null });
    expect(await row(t, invitation.id)).toMatchObject({
      status: 'accepted',
      join_step: null,
      accepted_at: '2026-11-24T12:00:00.000Z',
      sent_at: '2026-11-24T12:00:00.000Z',
      rules_accepted_at: '2026-11-24T12:00:00.000Z',
      libraries: '["1","2"]',
      attempts: 1,
    });
    expect(friendShares()).toMatchObject([{ accepted: true, libraryIds: [MOVIES, TV] }]);
    expect(await tokenOf(t, invitation.id)).toBeUndefined();
    // share + invite lookup + accept + verify, no more (besides the library ids and the owner's
    // account, each read once and kept).
    expect(ctx.sim.control.requestLog({ target: 'plex-tv' }).map((entry) => `${entry.method} ${entry.route}`)).toEqual([
      'GET /api/servers/:mid',
      'POST /api/servers/:mid/shared_servers',
      'GET /api/v2/user',
      `GET ${RECEIVED}`,
      `POST ${ACCEPT_ROUTE}`,
      `GET ${RECEIVED}`,
    ]);
    expect(shareStatuses()).toEqual([200]);
    expect(acceptStatuses()).toEqual([200]);
    expect(ctx.sim.control.requestLog({ method: 'GET', path: RECEIVED })).toHaveLength(2);
    // The share went to the account id, not to a name.
    expect(sharePosts(ctx.sim)[0]!.body).toMatchObject({ shared_server: { invited_id: FRIEND.id } });
  });

  it('plex.tv 503 on the share: retried by the worker, one share made, one accept', async () => {
    const t = await ready();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', path: '/api/servers/', times: 1 });
    const { invitation } = await join(t);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'pending', join_step: 'share', error_kind: 'upstream', unconfirmed_since: null });
    expect(await tokenOf(t, invitation.id)).toBeDefined();
    later(t);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(shareStatuses()).toEqual([503, 200]);
    expect(acceptStatuses()).toEqual([200]);
    expect(friendShares()).toHaveLength(1);
  });

  it('plex.tv 503 on the accept: resumes at the accept step, never shares again, accepts once', async () => {
    const t = await ready();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$', times: 1 });
    const { invitation } = await join(t);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'pending', join_step: 'accept', error_kind: 'upstream', sent_at: '2026-11-24T12:00:00.000Z' });
    later(t);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'accepted', join_step: null });
    expect(shareStatuses()).toEqual([200]);
    expect(acceptStatuses()).toEqual([503, 200]);
    expect(await tokenOf(t, invitation.id)).toBeUndefined();
  });

  it('a crash between share and accept resumes at the accept step once the lease ran out, exactly once each', async () => {
    const env = { DATABASE_URL: `sqlite:${path.join(tempDir(), 'helpr.db')}` };
    const before = await ready({ env, sendTimeoutMs: 1000 });
    // The first instance shares, records the step, then stalls on its way to accept and dies.
    const hold = ctx.sim.control.hold({ method: 'GET', path: RECEIVED, times: 1 });
    const { invitation } = await join(before);
    await vi.waitFor(() => expect(ctx.sim.control.listHolds()[0]?.held).toBe(1));
    expect(await row(before, invitation.id)).toMatchObject({ status: 'pending', join_step: 'accept' });
    await before.deps.database.close();

    const after = await ready({ env, ownsAdmin: false });
    expect(await after.deps.services.retryWorker.runOnce()).toBe(0);
    later(after, 61_000);
    expect(await after.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(after, invitation.id)).toMatchObject({ status: 'accepted', attempts: 2, lease_owner: null });
    // The dead instance's request goes on now: it finds nothing pending and cannot record anything.
    ctx.sim.control.release(hold);
    await vi.waitFor(() => expect(before.deps.services.delivery.inFlight()).toBe(0));
    expect(shareStatuses()).toEqual([200]);
    expect(acceptStatuses()).toEqual([200]);
    expect(await tokenOf(after, invitation.id)).toBeUndefined();
  });

  it('a share made by an attempt that died before it was recorded is found, not made again', async () => {
    const env = { DATABASE_URL: `sqlite:${path.join(tempDir(), 'helpr.db')}` };
    const before = await ready({ env, sendTimeoutMs: 200 });
    // plex.tv makes the share, but its answer never reaches the first instance.
    ctx.sim.control.hold({ method: 'POST', path: '/api/servers/', stage: 'answer', times: 1 });
    const { invitation } = await join(before);
    await vi.waitFor(() => expect(friendShares()).toHaveLength(1));
    await before.deps.database.close();

    const after = await ready({ env, ownsAdmin: false });
    later(after, 61_000);
    expect(await after.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(after, invitation.id)).toMatchObject({ status: 'accepted', attempts: 2 });
    expect(sharePosts(ctx.sim)).toHaveLength(1);
    expect(acceptStatuses()).toEqual([200]);
    expect(friendShares()).toMatchObject([{ accepted: true, libraryIds: [MOVIES, TV] }]);
  });

  it('already shared: adds the libraries the request grants, never removes one, and ends accepted', async () => {
    const t = await ready({ libraries: ['1', '2'] });
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'friend', librarySectionIds: [MOVIES, MUSIC], sharing });
    await client.sharing.acceptInvite('friend-token', 'owner');
    ctx.sim.control.clearLog();

    const { invitation } = await join(t);
    expect(invitation.status).toBe('accepted');
    expect(friendShares()).toHaveLength(1);
    expect([...friendShares()[0]!.libraryIds].sort()).toEqual([MOVIES, TV, MUSIC].sort());
    expect(acceptStatuses()).toEqual([]);
  });

  it('an email invite from before, never accepted, gets its libraries and is accepted now', async () => {
    const t = await ready({ libraries: ['1', '2'] });
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'friend@example.com', librarySectionIds: [MOVIES], sharing });
    expect(friendShares()).toMatchObject([{ accepted: false }]);
    ctx.sim.control.clearLog();

    const { invitation } = await join(t);
    expect(invitation).toMatchObject({ status: 'accepted' });
    expect(friendShares()).toMatchObject([{ accepted: true, libraryIds: [MOVIES, TV] }]);
    expect(acceptStatuses()).toEqual([200]);
  });

  it('with plex.tv v1 sharing gone: shares by v2 to the account id, and adds to an existing share by v2', async () => {
    const t = await ready({ libraries: ['1', '2'] });
    ctx.sim.control.setV1SharingGone(true);
    expect((await join(t)).invitation.status).toBe('accepted');
    expect(shareStatuses()).toEqual([410, 201]);
    expect(sharePosts(ctx.sim)[1]!.body).toMatchObject({ invitedId: FRIEND.id });

    const alice = { id: 22526915, uuid: 'a1b2c3d4e5f60718', username: 'alice', email: 'alice@example.com', confirmed: true };
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'alice', librarySectionIds: [MUSIC], sharing });
    expect((await join(t, { account: alice, friendToken: 'alice-token' })).invitation.status).toBe('accepted');
    const aliceShares = ctx.sim.control.state().shares.filter((share) => share.invitedId === alice.id);
    expect(aliceShares).toMatchObject([{ accepted: true }]);
    expect([...aliceShares[0]!.libraryIds].sort()).toEqual([MOVIES, TV, MUSIC].sort());
  });

  it('an unconfirmed friend waits (friend_unconfirmed, no accept tried); Try again after confirming accepts', async () => {
    const t = await ready();
    const newbie = ctx.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const account = { id: newbie.id, uuid: newbie.uuid, username: 'newbie', email: 'newbie@example.com', confirmed: false };
    const { invitation } = await join(t, { account, friendToken: newbie.token });
    expect(await row(t, invitation.id)).toMatchObject({ status: 'pending', join_step: 'accept', error_kind: 'friend_unconfirmed' });
    expect(acceptStatuses()).toEqual([]);
    const waitingUntil = (await row(t, invitation.id))!.next_attempt_at!;
    expect(Date.parse(waitingUntil) - t.clock.now().getTime()).toBeLessThanOrEqual(5 * MINUTE);

    // Try again before confirming: due now, still waiting.
    expect(await t.deps.services.invitations.wakeJoin(invitation.id)).toBe(true);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'pending', error_kind: 'friend_unconfirmed' });

    ctx.sim.control.confirmAccount('newbie');
    expect(await t.deps.services.invitations.wakeJoin(invitation.id)).toBe(true);
    expect(await t.deps.services.invitations.wakeJoin(invitation.id)).toBe(false);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, invitation.id)).toMatchObject({ status: 'accepted', error_kind: null });
    expect(acceptStatuses()).toEqual([200]);
    expect(shareStatuses()).toEqual([200]);
    expect(await t.deps.services.invitations.wakeJoin('not a request id')).toBe(false);
  });

  it("plex.tv refusing the accept for an unconfirmed email (account read said confirmed) waits the same way", async () => {
    const t = await ready();
    const newbie = ctx.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const account = { id: newbie.id, uuid: newbie.uuid, username: 'newbie', email: null, confirmed: true };
    const { invitation } = await join(t, { account, friendToken: newbie.token });
    expect(await row(t, invitation.id)).toMatchObject({ status: 'pending', join_step: 'accept', error_kind: 'friend_unconfirmed' });
    expect(acceptStatuses()).toEqual([400]);
  });

  it("the friend's token refused: ends sent (the share is there to accept in Plex), token deleted", async () => {
    const t = await ready();
    ctx.sim.control.revokeToken('friend-token');
    const { invitation } = await join(t);
    expect(invitation).toMatchObject({ status: 'sent', error_kind: 'friend_token_invalid', join_step: null });
    expect(await tokenOf(t, invitation.id)).toBeUndefined();
    expect(friendShares()).toMatchObject([{ accepted: false }]);
  });

  it('giving up after 24 hours: sent when the share exists, failed when it never happened; the token goes either way', async () => {
    const t = await ready();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$' });
    const shared = (await join(t)).invitation;
    const other = { id: 22526915, uuid: 'a1b2c3d4e5f60718', username: 'alice', email: 'alice@example.com', confirmed: true };
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', path: '/api/servers/' });
    const unshared = (await join(t, { account: other, friendToken: 'alice-token' })).invitation;
    expect(await row(t, unshared.id)).toMatchObject({ status: 'pending', join_step: 'share' });

    later(t, 24 * 60 * MINUTE);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(2);
    expect(await row(t, shared.id)).toMatchObject({ status: 'sent', join_step: null, error_kind: 'upstream', last_error: expect.stringMatching(/^Gave up after 24 hours/) });
    expect(await row(t, unshared.id)).toMatchObject({ status: 'failed', join_step: null, sent_at: null });
    expect(await tokenOf(t, shared.id)).toBeUndefined();
    expect(await tokenOf(t, unshared.id)).toBeUndefined();
  });

  it('the same account again within the duplicate window gets its earlier request, with the newer token while it waits', async () => {
    const t = await ready();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$', times: 1 });
    const first = (await join(t)).invitation;
    const sealedBefore = await tokenOf(t, first.id);
    const again = await join(t, { friendToken: ctx.sim.control.issueToken('friend').token });
    expect(again).toMatchObject({ duplicate: true, invitation: { id: first.id, status: 'pending', next_attempt_at: '2026-11-24T12:00:00.000Z' } });
    expect(await tokenOf(t, first.id)).not.toBe(sealedBefore);
    // The old token is signed out now: the job uses the new one.
    ctx.sim.control.expireToken('friend-token');
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, first.id)).toMatchObject({ status: 'accepted' });
    expect((await join(t)).invitation).toMatchObject({ id: first.id, status: 'accepted' });
  });

  it('signing in again after the window while the job still waits joins that job: one request, one share', async () => {
    const t = await ready();
    const newbie = ctx.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const account = { id: newbie.id, uuid: newbie.uuid, username: 'newbie', email: 'newbie@example.com', confirmed: false };
    const first = (await join(t, { account, friendToken: newbie.token })).invitation;
    later(t, 60 * MINUTE);
    ctx.sim.control.confirmAccount('newbie');
    const again = await join(t, { account: { ...account, confirmed: true }, friendToken: ctx.sim.control.issueToken('newbie').token });
    expect(again).toMatchObject({ duplicate: true, invitation: { id: first.id } });
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, first.id)).toMatchObject({ status: 'accepted' });
    expect(await t.deps.database.db.selectFrom('invitations').select('id').execute()).toHaveLength(1);
    expect(shareStatuses()).toEqual([200]);
  });

  it('checks the invite code as the email form does, and counts a use with the request', async () => {
    const t = await ready({ joinMode: 'code' });
    await expect(join(t)).rejects.toMatchObject({ code: 'invite.code_required' });
    const code = await t.deps.services.codes.createCode({ libraries: ['2'], maxUses: 1 });
    const { invitation } = await join(t, { code: code.code });
    expect(invitation).toMatchObject({ status: 'accepted', code_id: code.id, libraries: '["2"]' });
    expect(friendShares()).toMatchObject([{ libraryIds: [TV] }]);
    const used = await t.deps.database.db.selectFrom('invite_code_uses').selectAll().execute();
    expect(used).toMatchObject([{ code_id: code.id, invitation_id: invitation.id }]);
  });
});
