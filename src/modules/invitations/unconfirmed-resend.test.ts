import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';

const T0 = '2026-11-24T12:00:00.000Z';

/**
 * An invite whose first attempt reached Plex but whose outcome was never written is not sent twice,
 * and the friend Helpr itself invited is not told "You already have access".
 */
describe('sending again after an attempt with an unknown outcome', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
  });

  async function ready(): Promise<TestApp> {
    const t = await createReadyApp(ctx.sim, { sendTimeoutMs: 5_000 });
    open.push(t);
    return t;
  }
  const invitePosts = () => ctx.sim.control.requestLog({ method: 'POST' }).filter((entry) => entry.path.endsWith('/shared_servers'));
  const lookups = () => ctx.sim.control.requestLog({ method: 'GET', path: `/api/servers/${ctx.sim.machineIdentifier}/shared_servers` });
  const v1Ids = () => ctx.sim.control.state().shares.map((share) => String(share.v1Id));

  /** A request as an earlier attempt left it: pending, unconfirmed, due now. */
  const unconfirmedRow = (id: string, identifier: string) =>
    invitationRow({ id, identifier, status: 'pending', libraries: '[]', next_attempt_at: T0, created_at: T0, error_kind: 'timeout', last_error: 'Plex did not answer in time', unconfirmed_since: T0 });

  it('finds the share made by an attempt whose outcome could not be written, and records it as sent', async () => {
    const t = await ready();
    const repo = t.deps.repositories.invitations;
    // Plex makes the share; writing the outcome fails (the database connection is lost just then).
    vi.spyOn(repo, 'complete').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    const { invitation } = await t.deps.services.invitations.submit({ email: 'newfriend@example.com', clientIp: '198.51.100.1', userAgent: undefined });
    expect(invitation).toMatchObject({ status: 'pending', unconfirmed_since: null });
    expect(invitation.lease_owner).not.toBeNull();
    expect(v1Ids()).toHaveLength(1);

    // Within the lease nothing happens; after it, the worker takes over, looks, and finds the share.
    expect(await t.deps.services.retryWorker.runOnce()).toBe(0);
    t.clock.advance(61_000);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    const row = await repo.findById(invitation.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, plex_share_id: v1Ids()[0], lease_owner: null, last_error: null });
    expect(row!.unconfirmed_since).toBe(new Date(Date.parse(T0) + 61_000).toISOString());
    expect(invitePosts()).toHaveLength(1);
    expect(lookups()).toHaveLength(1);
    const page = await t.app.inject(`/requests/${invitation.id}`);
    expect(page.body).toContain('Invite sent to newfriend@example.com.');
    expect(page.body).not.toContain('already have access');
  });

  it('sends when the lookup finds nothing (the earlier attempt never got there)', async () => {
    const t = await ready();
    await t.deps.repositories.invitations.insert(unconfirmedRow('lost-1', 'alice@example.com'));
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(lookups()).toHaveLength(1);
    expect(invitePosts().map((entry) => entry.status)).toEqual([200]);
    expect(await t.deps.repositories.invitations.findById('lost-1')).toMatchObject({ status: 'sent', plex_share_id: v1Ids()[0] });
  });

  it('records "already sharing" as sent when the shares cannot be listed, after an unconfirmed attempt', async () => {
    const t = await ready();
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'bob', librarySectionIds: [35723967], sharing });
    ctx.sim.control.clearLog();
    // Neither the v1 list nor the v2 lists answer: Plex's refusal of the re-send decides.
    ctx.sim.control.addFault({ kind: 'status', status: 404, method: 'GET', pathRegex: 'shared_servers' });
    await t.deps.repositories.invitations.insert(unconfirmedRow('lost-2', 'bob@example.com'));
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(invitePosts().map((entry) => entry.status)).toEqual([400]);
    expect(await t.deps.repositories.invitations.findById('lost-2')).toMatchObject({ status: 'sent', plex_share_id: null, error_kind: null });
  });

  it('waits without sending when the lookup fails for now, and finds the share later', async () => {
    const t = await ready();
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'friend@example.com', librarySectionIds: [35723967], sharing });
    ctx.sim.control.clearLog();
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'GET', path: '/api/servers/', times: 1 });
    await t.deps.repositories.invitations.insert(unconfirmedRow('lost-3', 'friend@example.com'));
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t.deps.repositories.invitations.findById('lost-3')).toMatchObject({ status: 'pending', error_kind: 'upstream', unconfirmed_since: T0 });
    expect(invitePosts()).toHaveLength(0);

    t.clock.advance(10 * 60_000);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t.deps.repositories.invitations.findById('lost-3')).toMatchObject({ status: 'sent', plex_share_id: v1Ids()[0] });
    expect(invitePosts()).toHaveLength(0);
  });

  it('does not look anything up for an ordinary retry, and "already sharing" then means access from before', async () => {
    const t = await ready();
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'alice', librarySectionIds: [35723967], sharing });
    expect(await client.sharing.acceptInvite('alice-token', 'owner')).toBe('accepted'); // access, not an invite waiting
    ctx.sim.control.clearLog();
    const row = invitationRow({ id: 'limited', identifier: 'alice', status: 'pending', libraries: '[]', next_attempt_at: T0, created_at: T0, error_kind: 'rate_limited', attempts: 1 });
    await t.deps.repositories.invitations.insert(row);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    // Nothing is looked up before sending; after "already sharing", one look at what that share is.
    const posted = invitePosts()[0]!;
    expect(lookups().every((lookup) => lookup.seq > posted.seq)).toBe(true);
    expect(lookups()).toHaveLength(1);
    expect(await t.deps.repositories.invitations.findById('limited')).toMatchObject({ status: 'already_shared', attempts: 2 });
  });
});
