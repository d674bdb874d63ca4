import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { FRIEND, usePlexJoinApps } from '../../../test/helpers/plex-join-apps.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { fixedClock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { InviteCodesService } from '../invite-codes/invite-codes.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import type { InvitationResult, InvitationRow, InvitationsRepository } from './invitations.repository.js';
import { createInvitationsService } from './invitations.service.js';
import type { InviteLimits } from './invite-limits.js';
import type { TurnGate } from './turn-gate.js';

// The edges of the friend's request that the flow tests pass over: the turn gate, the friend's wait
// for Plex (answered from the attempt, or read back), spaces for a code, and a Plex join's second
// sign-in. The first part replaces the database and Plex with recordings; the second runs the app
// against the simulator.

const T0 = '2026-11-24T12:00:00.000Z';
const MINUTE = 60_000;

/** A service over recordings: `deliver` decides what one attempt answers, and when. */
function recorded(options: { deliver?: () => Promise<InvitationResult | undefined>; joinMode?: 'open' | 'code' | 'approval'; gate?: TurnGate; readBack?: InvitationRow; sendTimeoutMs?: number } = {}) {
  const inserted: InvitationRow[] = [];
  const reads: string[] = [];
  const settingsReads: number[] = [];
  const wrongCodeChecks: string[] = [];
  const invitations = {
    findRecentByIdentifier: async () => undefined,
    insert: async (row: InvitationRow) => void inserted.push(row),
    findById: async (id: string) => (reads.push(id), options.readBack),
    // A Plex join finds the same account's earlier request, ended: it is answered as it is.
    findRecentPlexJoin: async () => ENDED_JOIN,
  } as unknown as InvitationsRepository;
  const settings = {
    get: async () => (settingsReads.push(1), { joinMode: options.joinMode ?? 'open', libraries: ['1'], limits: { duplicateWindowMinutes: 10 } }),
  } as unknown as SettingsService;
  const deliver = vi.fn(options.deliver ?? (async () => undefined));
  const delivery = { newLease: (now: Date) => ({ owner: 'instance:lease', until: new Date(now.getTime() + MINUTE).toISOString() }), deliver } as unknown as InvitationDelivery;
  const limits = { checkWrongCodes: async (ip: string) => void wrongCodeChecks.push(ip), recordWrongCode: async () => undefined } as unknown as InviteLimits;
  const logger = pino({ level: 'silent' });
  const info = vi.spyOn(logger, 'info');
  const service = createInvitationsService({
    db: undefined as unknown as Db,
    invitations,
    codes: { checkCode: async () => Promise.reject(new Error('no code expected')) } as unknown as InviteCodesService,
    settings,
    delivery,
    friendTokens: { seal: (token: string) => `sealed:${token}` },
    limits,
    clock: fixedClock(T0),
    logger,
    sendTimeoutMs: options.sendTimeoutMs ?? 5_000,
    gate: options.gate,
  });
  return { service, inserted, reads, settingsReads, wrongCodeChecks, deliver, info };
}

const ask = (extra: Partial<Parameters<ReturnType<typeof recorded>['service']['submit']>[0]> = {}) => ({ email: 'friend@example.com', clientIp: '198.51.100.1', userAgent: 'vitest', ...extra });
const ENDED_JOIN = { id: 'earlier-join', status: 'accepted' } as InvitationRow;
const SENT: InvitationResult = {
  status: 'sent',
  last_error: null,
  error_kind: null,
  plex_share_id: 'share-1',
  sent_at: T0,
  next_attempt_at: null,
  libraries: '["1"]',
  updated_at: T0,
  unconfirmed_since: null,
  join_step: null,
  accepted_at: null,
};

describe('invitations service, over recordings', () => {
  it('waits for its turn before it reads anything, and goes on when the turn comes', async () => {
    let open!: () => void;
    const turn = new Promise<void>((resolve) => (open = resolve));
    const { service, settingsReads, inserted } = recorded({ gate: { pass: () => turn } as TurnGate });
    const submitted = service.submit(ask());
    await new Promise((resolve) => setImmediate(resolve));
    expect(settingsReads).toEqual([]);
    open();
    await submitted;
    expect(settingsReads).toHaveLength(1);
    expect(inserted).toHaveLength(1);
  });

  it('has a Plex join wait for its turn too, and run without a gate', async () => {
    let open!: () => void;
    const turn = new Promise<void>((resolve) => (open = resolve));
    const gated = recorded({ gate: { pass: () => turn } as TurnGate });
    const input = { account: { id: 1, uuid: 'u', username: 'friend', email: 'friend@example.com', confirmed: true }, friendToken: 't', rulesAccepted: false, clientIp: '198.51.100.1', userAgent: 'vitest' };
    const joined = gated.service.submitPlexJoin(input);
    await new Promise((resolve) => setImmediate(resolve));
    expect(gated.settingsReads).toEqual([]);
    open();
    await expect(joined).resolves.toEqual({ invitation: ENDED_JOIN, duplicate: true });
    expect(gated.settingsReads).toHaveLength(1);

    const ungated = recorded();
    await expect(ungated.service.submitPlexJoin(input)).resolves.toEqual({ invitation: ENDED_JOIN, duplicate: true });
  });

  it('runs without a turn gate (one submission at a time needs none)', async () => {
    const { service, inserted } = recorded();
    await expect(service.submit(ask())).resolves.toMatchObject({ duplicate: false });
    expect(inserted).toHaveLength(1);
  });

  it('answers from the attempt when Plex answered in time, without reading the row back', async () => {
    const { service, reads } = recorded({ deliver: async () => SENT });
    const { invitation } = await service.submit(ask());
    expect(invitation).toMatchObject({ status: 'sent', plex_share_id: 'share-1', lease_owner: null, lease_until: null });
    expect(reads).toEqual([]);
  });

  it('reads the row back when the attempt could not record its answer (another worker took it over)', async () => {
    const readBack = { id: 'from-the-database', status: 'sent' } as InvitationRow;
    const { service, reads } = recorded({ deliver: async () => undefined, readBack });
    const { invitation } = await service.submit(ask());
    expect(invitation).toBe(readBack);
    expect(reads).toHaveLength(1);
  });

  it('answers the row as recorded when it cannot be read back either', async () => {
    const { service, inserted } = recorded({ deliver: async () => undefined });
    const { invitation } = await service.submit(ask());
    expect(invitation).toEqual(inserted[0]);
    expect(invitation.status).toBe('pending');
  });

  it('answers "pending" when Plex is slower than the friend may wait, and says so in the log', async () => {
    const readBack = { id: 'read-back', status: 'pending' } as InvitationRow;
    const { service, info } = recorded({ deliver: () => new Promise<undefined>(() => undefined), readBack, sendTimeoutMs: 20 });
    const { invitation } = await service.submit(ask());
    expect(invitation).toBe(readBack);
    expect(info).toHaveBeenCalledWith({ invitation: expect.any(String) }, 'Plex is slow: answering pending, the send goes on');
  });

  it('says nothing of a slow Plex when it answered in time', async () => {
    const { service, info } = recorded({ deliver: async () => SENT });
    await service.submit(ask());
    expect(info).not.toHaveBeenCalled();
  });

  it('keeps at most 300 characters of the browser name', async () => {
    const { service, inserted } = recorded();
    await service.submit(ask({ userAgent: 'x'.repeat(500) }));
    expect(inserted[0]!.user_agent).toBe('x'.repeat(300));
  });

  it('takes spaces for no code at all: not a wrong code where none is needed, asked for where one is', async () => {
    const open = recorded();
    await expect(open.service.submit(ask({ code: '   ' }))).resolves.toMatchObject({ duplicate: false });
    expect(open.wrongCodeChecks).toEqual([]);

    const closed = recorded({ joinMode: 'code' });
    await expect(closed.service.submit(ask({ code: ' \t ' }))).rejects.toMatchObject({
      status: 400,
      code: 'invite.code_required',
      message: 'An invite code is needed. Ask the server owner for one.',
      fields: { code: 'Type your invite code.' },
    });
    expect(closed.wrongCodeChecks).toEqual([]);
  });

  it('keeps a request for the owner unsent in join mode "approval", and does not call it a duplicate', async () => {
    const { service, deliver, inserted } = recorded({ joinMode: 'approval' });
    const { invitation, duplicate } = await service.submit(ask());
    expect(duplicate).toBe(false);
    expect(invitation).toMatchObject({ status: 'awaiting_approval', lease_owner: null, next_attempt_at: null, attempts: 0 });
    expect(inserted).toHaveLength(1);
    expect(deliver).not.toHaveBeenCalled();
  });

  it("tells the friend plainly that a request's address is wrong, and knows the time", async () => {
    const { service } = recorded();
    for (const id of ['short', 'x'.repeat(65), 'has spaces in it!']) {
      await expect(service.find(id)).rejects.toMatchObject({ status: 404, code: 'invite.request_not_found', message: 'There is no request at this address. Check the link, or ask again.' });
    }
    await expect(service.find('a-valid-looking-id')).rejects.toMatchObject({ status: 404 });
    expect(service.now()).toBe(T0);
  });
});

describe('Join with Plex, a second sign-in and the duplicate window (simulator)', () => {
  const ctx = useSimulator();
  const { ready, join } = usePlexJoinApps(ctx);

  it('stores no token for a second sign-in after the join ended, and counts the window in minutes', async () => {
    const t = await ready();
    const first = await join(t);
    expect(first.invitation.status).toBe('accepted');
    t.clock.advance(5 * MINUTE);
    const again = await join(t, { friendToken: 'newer-token' });
    expect(again).toMatchObject({ duplicate: true, invitation: { id: first.invitation.id, status: 'accepted' } });
    // An ended join keeps no token: the newer one is not stored behind it.
    expect(await t.deps.repositories.friendTokens.find(first.invitation.id)).toBeUndefined();
    // The duplicate window (10 minutes by default) is over: a new request.
    t.clock.advance(6 * MINUTE);
    const later = await join(t, { friendToken: 'newer-token' });
    expect(later.duplicate).toBe(false);
    expect(later.invitation.id).not.toBe(first.invitation.id);
  });

  it("gives a join waiting for the owner the newer token, and leaves it waiting for the owner", async () => {
    const t = await ready({ joinMode: 'approval' });
    const first = await join(t);
    expect(first).toMatchObject({ duplicate: false, invitation: { status: 'awaiting_approval', lease_owner: null, next_attempt_at: null } });
    const before = await t.deps.repositories.friendTokens.find(first.invitation.id);
    expect(before).toBeDefined();
    const again = await join(t, { friendToken: 'newer-token' });
    expect(again).toMatchObject({ duplicate: true, invitation: { id: first.invitation.id, status: 'awaiting_approval', next_attempt_at: null } });
    const after = await t.deps.repositories.friendTokens.find(first.invitation.id);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await t.deps.repositories.invitations.findById(first.invitation.id)).toMatchObject({ status: 'awaiting_approval', next_attempt_at: null });
  });

  it('holds the sending lease on a new join until its first attempt has recorded', async () => {
    const t = await ready({ sendTimeoutMs: 100 });
    const hold = ctx.sim.control.hold({ method: 'POST', pathRegex: 'shared_servers$' });
    const { invitation } = await join(t);
    expect(invitation.status).toBe('pending');
    expect(invitation.lease_owner).toBeTruthy();
    expect(invitation.lease_until).toBe(new Date(Date.parse(T0) + 60_000).toISOString());
    ctx.sim.control.release(hold);
    await expect.poll(async () => (await t.deps.repositories.invitations.findById(invitation.id))?.status, { timeout: 5_000 }).toBe('accepted');
  });

  it("counts a join's use of a code: a used-up code refuses the next friend", async () => {
    const t = await ready({ joinMode: 'code' });
    const code = await t.deps.services.codes.createCode({ libraries: ['2'], maxUses: 1 });
    await expect(join(t, { code: code.code })).resolves.toMatchObject({ invitation: { status: 'accepted' } });
    const other = { ...FRIEND, id: 1234567, uuid: 'a1b2c3d4e5f60718', username: 'other', email: 'other@example.com' };
    await expect(join(t, { code: code.code, account: other })).rejects.toMatchObject({ code: 'invite.code_used_up' });
  });
});
