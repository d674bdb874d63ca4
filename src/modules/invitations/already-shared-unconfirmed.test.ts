import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { sharePosts } from '../../../test/helpers/public-requests.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { manualClock } from '../../../tools/plex-sim/index.js';
import { CLOCK_SKEW_MARGIN_MS, inviteMayExist, whoMadeShare } from './earlier-share.js';

const T0 = '2026-11-24T12:00:00.000Z';
const MINUTE = 60_000;
const at = (offsetMs: number) => new Date(Date.parse(T0) + offsetMs);

/**
 * "Already shared" must mean the friend had access before Helpr's first attempt. After an attempt
 * whose outcome is unknown, the share found on plex.tv is Helpr's own only when plex.tv made it
 * around the request's time or later; one made well before is access the friend already had.
 * plex.tv's clock (the simulator's) and Helpr's are set apart on purpose.
 */
describe.each([
  { api: 'v1', v1Gone: false },
  { api: 'v2 (v1 sharing gone)', v1Gone: true },
])('an unconfirmed attempt and a share found on plex.tv ($api)', ({ v1Gone }) => {
  const plexClock = manualClock(T0);
  const ctx = useSimulator({ clock: plexClock });
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
  });

  async function ready(): Promise<TestApp> {
    plexClock.set(T0);
    ctx.sim.control.setV1SharingGone(v1Gone);
    const t = await createReadyApp(ctx.sim);
    open.push(t);
    return t;
  }

  /** plex.tv shares the server with alice at `when` (plex.tv's clock), and she accepts. */
  async function aliceHasAccessSince(t: TestApp, when: Date): Promise<void> {
    plexClock.set(when);
    const client = await t.deps.services.plexConnection.client();
    const sharing = { allowSync: false, allowCameraUpload: false, allowChannels: false };
    await client.sharing.inviteFriend(ctx.sim.ownerToken, { machineIdentifier: ctx.sim.machineIdentifier, invitee: 'alice', librarySectionIds: [35723967], sharing });
    expect(await client.sharing.acceptInvite('alice-token', 'owner')).toBe('accepted');
    plexClock.set(T0);
    ctx.sim.control.clearLog();
  }

  const submit = (t: TestApp, email: string) => t.deps.services.invitations.submit({ email, clientIp: '198.51.100.1', userAgent: undefined });
  const invitePath = () => (v1Gone ? '/api/v2/shared_servers' : `/api/servers/${ctx.sim.machineIdentifier}/shared_servers`);
  /** The first invite POST is cut (a lost connection): plex.tv may or may not have acted. */
  const cutFirstInvite = () => ctx.sim.control.addFault({ kind: 'reset', method: 'POST', pathRegex: '/shared_servers$', times: 1 });

  it('a friend who had access for days and whose first attempt lost its connection is "already shared", not "sent"', async () => {
    const t = await ready();
    await aliceHasAccessSince(t, at(-2 * 24 * 60 * MINUTE));
    cutFirstInvite();
    const { invitation } = await submit(t, 'alice');
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'pending', error_kind: 'network', unconfirmed_since: T0 });

    t.clock.advance(2 * MINUTE);
    plexClock.advance(2 * MINUTE);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'already_shared', sent_at: null, plex_share_id: null });
    // Looked up, not invited again.
    expect(sharePosts(ctx.sim).filter((entry) => entry.fault === undefined)).toHaveLength(0);
    expect(ctx.sim.control.state().shares).toHaveLength(1);
  });

  it("the share Helpr's own first attempt made is 'sent', even with plex.tv's clock a few minutes behind", async () => {
    const t = await ready();
    // Plex makes the share, but Helpr never writes the outcome (the database goes away just then).
    plexClock.set(at(-(CLOCK_SKEW_MARGIN_MS - MINUTE)));
    vi.spyOn(t.deps.repositories.invitations, 'complete').mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    const { invitation } = await submit(t, 'bob@example.com');
    expect(ctx.sim.control.state().shares).toHaveLength(1);

    t.clock.advance(61_000);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    const [share] = ctx.sim.control.state().shares;
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({
      status: 'sent',
      plex_share_id: String(v1Gone ? share!.v2Id : share!.v1Id),
    });
    expect(sharePosts(ctx.sim).filter((entry) => entry.status === 200 || entry.status === 201)).toHaveLength(1);
  });

  it('a 5xx with plex.tv\'s own error made nothing: the next attempt sends without looking, and "already sharing" is access from before', async () => {
    const t = await ready();
    await aliceHasAccessSince(t, at(-3 * 60 * MINUTE));
    const body = '<?xml version="1.0" encoding="UTF-8"?><Response code="503" status="Service Unavailable"/>';
    ctx.sim.control.addFault({ kind: 'status', status: 503, body, contentType: 'text/xml', method: 'POST', path: invitePath(), times: 1 });
    const { invitation } = await submit(t, 'alice');
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'pending', error_kind: 'upstream', unconfirmed_since: null });

    t.clock.advance(2 * MINUTE);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'already_shared', unconfirmed_since: null });
  });
});

describe('which failures leave the invite unknown (marked unconfirmed)', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close();
  });

  it.each([
    { what: 'a 504 from a gateway in front of plex.tv', fault: { kind: 'status', status: 504, method: 'POST', path: '/api/servers/' }, unconfirmed: true },
    { what: 'a 502 from a gateway in front of plex.tv', fault: { kind: 'status', status: 502, method: 'POST', path: '/api/servers/' }, unconfirmed: true },
    { what: 'a 500 from plex.tv', fault: { kind: 'status', status: 500, method: 'POST', path: '/api/servers/' }, unconfirmed: false },
    { what: 'a cut connection while reading the library ids, before any invite', fault: { kind: 'reset', method: 'GET', pathRegex: '^/api/servers/[^/]+$' }, unconfirmed: false },
  ] as const)('$what: unconfirmed $unconfirmed', async ({ fault, unconfirmed }) => {
    const t = await createReadyApp(ctx.sim);
    open.push(t);
    ctx.sim.control.addFault({ ...fault, times: 1 });
    const { invitation } = await t.deps.services.invitations.submit({ email: 'carol@example.com', clientIp: '198.51.100.1', userAgent: undefined });
    const row = await t.deps.repositories.invitations.findById(invitation.id);
    expect(row).toMatchObject({ status: 'pending' });
    expect(row!.unconfirmed_since !== null).toBe(unconfirmed);
  });

  it('inviteMayExist: no answer, an unreadable one, or a gateway answering for plex.tv', () => {
    expect(inviteMayExist({ kind: 'timeout' })).toBe(true);
    expect(inviteMayExist({ kind: 'network' })).toBe(true);
    expect(inviteMayExist({ kind: 'upstream', status: undefined })).toBe(true);
    expect(inviteMayExist({ kind: 'upstream', status: 504 })).toBe(true);
    expect(inviteMayExist({ kind: 'upstream', status: 503 })).toBe(false);
    expect(inviteMayExist({ kind: 'rate_limited', status: 429 })).toBe(false);
  });

  it('whoMadeShare: older than the request by more than the clock margin is "before"; unknown times are Helpr\'s', () => {
    expect(whoMadeShare({ invitedAt: at(-CLOCK_SKEW_MARGIN_MS - 1000) }, T0)).toBe('before');
    expect(whoMadeShare({ invitedAt: at(-CLOCK_SKEW_MARGIN_MS + 1000) }, T0)).toBe('helpr');
    expect(whoMadeShare({ invitedAt: at(5 * MINUTE) }, T0)).toBe('helpr');
    expect(whoMadeShare({ invitedAt: undefined }, T0)).toBe('helpr');
  });
});
