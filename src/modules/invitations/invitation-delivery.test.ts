import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import { createInvitationDelivery, outcomeEvent, type DeliverableInvitation } from './invitation-delivery.js';
import type { SendOutcome } from './invitation-sender.js';
import type { InvitationResult, InvitationsRepository, JoinStepRecord } from './invitations.repository.js';
import type { JoinOutcome, JoinProgress, PlexJoinSteps } from './plex-join-steps.js';
import { RETRY_POLICY } from './retry-policy.js';

// One attempt at an invitation, with the database and Plex replaced by recordings: what is written,
// under which lease, and what the caller is told (the retry worker acts on it).

const T0 = '2026-11-24T12:00:00.000Z';
const OWNER = 'instance-a:lease-1';

const EMAIL: DeliverableInvitation = {
  id: 'req-1',
  identifier: 'friend@example.com',
  libraries: '[]',
  attempts: 1,
  created_at: T0,
  unconfirmed_since: null,
  approved_at: null,
};
const JOIN: DeliverableInvitation = { ...EMAIL, id: 'join-1', identifier: 'friendly', joined_with: 'plex', join_step: 'accept', plex_account_id: '42' };
const PROGRESS: JoinProgress = { step: 'accept', plexShareId: 'share-9', sentAt: T0, libraries: '["1"]' };

/** A repository that records what the delivery writes; each write answers `recorded`. */
function recordingRepository(recorded = true) {
  const writes = {
    complete: [] as Array<{ id: string; owner: string; result: InvitationResult }>,
    completeJoin: [] as Array<{ id: string; owner: string; result: InvitationResult }>,
    steps: [] as Array<{ id: string; owner: string; step: JoinStepRecord }>,
    woken: [] as Array<{ id: string; now: string }>,
  };
  const repository = {
    complete: async (id: string, owner: string, result: InvitationResult) => (writes.complete.push({ id, owner, result }), recorded),
    completeJoin: async (id: string, owner: string, result: InvitationResult) => (writes.completeJoin.push({ id, owner, result }), recorded),
    recordJoinStep: async (id: string, owner: string, step: JoinStepRecord) => (writes.steps.push({ id, owner, step }), recorded),
    wakeOne: async (id: string, now: string) => (writes.woken.push({ id, now }), true),
  };
  return { writes, repository: repository as unknown as InvitationsRepository };
}

function setup(options: { recorded?: boolean; send?: () => Promise<SendOutcome>; join?: PlexJoinSteps; leaseMs?: number } = {}) {
  const clock = fixedClock(T0);
  const { writes, repository } = recordingRepository(options.recorded ?? true);
  const logger = pino({ level: 'silent' });
  const errors = vi.spyOn(logger, 'error');
  const send = vi.fn(options.send ?? (async (): Promise<SendOutcome> => ({ status: 'sent', shareId: 'share-1', libraries: ['1'] })));
  const delivery = createInvitationDelivery({ invitations: repository, send, join: options.join, clock, logger, leaseMs: options.leaseMs });
  return { delivery, writes, send, errors, clock };
}

const retry = (endWaitNow?: () => Promise<boolean>): SendOutcome => ({ status: 'retry', kind: 'invalid_token', error: 'Plex refused the token', endWaitNow });

describe('invitation delivery, an email request', () => {
  it('records the outcome under the lease it was given and returns what it recorded', async () => {
    const { delivery, writes, send } = setup();
    const result = await delivery.deliver(EMAIL, OWNER);
    expect(send).toHaveBeenCalledWith(EMAIL);
    expect(writes.complete).toEqual([{ id: 'req-1', owner: OWNER, result }]);
    expect(result).toMatchObject({ status: 'sent', plex_share_id: 'share-1', sent_at: T0 });
  });

  it('returns nothing when the lease had gone (another worker owns the request now)', async () => {
    const { delivery, writes } = setup({ recorded: false, send: async () => retry(async () => true) });
    await expect(delivery.deliver(EMAIL, OWNER)).resolves.toBeUndefined();
    // The wait was not written by this worker: it wakes nothing either.
    expect(writes.woken).toEqual([]);
  });

  it('makes a recorded wait due now when the owner ended its cause meanwhile (signed in again)', async () => {
    const { delivery, writes } = setup({ send: async () => retry(async () => true) });
    const result = await delivery.deliver(EMAIL, OWNER);
    expect(writes.woken).toEqual([{ id: 'req-1', now: T0 }]);
    expect(result).toMatchObject({ status: 'pending', next_attempt_at: T0 });
  });

  it.each([
    ['the cause still stands', async () => false],
    ['the check failed', async () => Promise.reject(new Error('database away'))],
    ['there is nothing to check', undefined],
  ])('keeps the wait as recorded when %s', async (_label, endWaitNow) => {
    const { delivery, writes } = setup({ send: async () => retry(endWaitNow) });
    const result = await delivery.deliver(EMAIL, OWNER);
    expect(writes.woken).toEqual([]);
    expect(result).toEqual(writes.complete[0]!.result);
    expect(result!.next_attempt_at).not.toBe(T0);
    expect(Date.parse(result!.next_attempt_at!)).toBeGreaterThan(Date.parse(T0));
  });

  it('never throws: an unexpected error is logged and the lease left to run out', async () => {
    const { delivery, writes, errors } = setup({ send: async () => Promise.reject(new Error('boom')) });
    await expect(delivery.deliver(EMAIL, OWNER)).resolves.toBeUndefined();
    expect(writes.complete).toEqual([]);
    expect(errors).toHaveBeenCalledTimes(1);
  });
});

describe('invitation delivery, a Plex join', () => {
  it('refuses to treat a join as an email when no join steps are wired (it is logged, nothing recorded)', async () => {
    const { delivery, writes, send, errors } = setup();
    await expect(delivery.deliver(JOIN, OWNER)).resolves.toBeUndefined();
    expect(send).not.toHaveBeenCalled();
    expect(writes.complete).toEqual([]);
    expect((errors.mock.calls[0]![0] as { err: Error }).err.message).toMatch(/Plex join without its steps/);
  });

  it('hands the steps the row with nothing missing, and records each step under the lease, renewed', async () => {
    const seen: unknown[] = [];
    const join: PlexJoinSteps = async (row, record) => {
      seen.push(row);
      expect(await record(PROGRESS)).toBe(true);
      return { status: 'accepted', progress: PROGRESS };
    };
    const { delivery, writes } = setup({ join, leaseMs: 90_000 });
    const result = await delivery.deliver(JOIN, OWNER);
    expect(seen).toEqual([{ ...JOIN, plex_share_id: null, sent_at: null, error_kind: null }]);
    expect(writes.steps).toEqual([
      {
        id: 'join-1',
        owner: OWNER,
        step: { join_step: 'accept', plex_share_id: 'share-9', sent_at: T0, libraries: '["1"]', lease_until: '2026-11-24T12:01:30.000Z', updated_at: T0 },
      },
    ]);
    expect(writes.completeJoin).toEqual([{ id: 'join-1', owner: OWNER, result }]);
    expect(result).toMatchObject({ status: 'accepted', accepted_at: T0, plex_share_id: 'share-9' });
    expect(writes.complete).toEqual([]);
  });

  it('keeps what an earlier attempt recorded on the row it hands the steps', async () => {
    const seen: unknown[] = [];
    const join: PlexJoinSteps = async (row) => (seen.push(row), { status: 'accepted', progress: PROGRESS });
    const { delivery } = setup({ join });
    const earlier = { ...JOIN, plex_share_id: 'share-9', sent_at: T0, error_kind: 'plex_unavailable' };
    await delivery.deliver(earlier, OWNER);
    expect(seen).toEqual([earlier]);
  });

  it('renews a step for the default lease when none is configured', async () => {
    const join: PlexJoinSteps = async (_row, record) => (await record(PROGRESS), { status: 'accepted', progress: PROGRESS });
    const { delivery, writes } = setup({ join });
    await delivery.deliver(JOIN, OWNER);
    expect(writes.steps[0]!.step.lease_until).toBe(new Date(Date.parse(T0) + RETRY_POLICY.leaseMs).toISOString());
  });

  it('records nothing when the steps lost their lease, and takes it for no error (it was taken over or revoked)', async () => {
    const { delivery, writes, errors } = setup({ join: async () => ({ status: 'lost' }) });
    await expect(delivery.deliver(JOIN, OWNER)).resolves.toBeUndefined();
    expect(writes.completeJoin).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });

  it('returns nothing and wakes nothing when the outcome could not be recorded', async () => {
    const outcome: JoinOutcome = { ...retry(async () => true), progress: PROGRESS } as JoinOutcome;
    const { delivery, writes } = setup({ recorded: false, join: async () => outcome });
    await expect(delivery.deliver(JOIN, OWNER)).resolves.toBeUndefined();
    expect(writes.completeJoin).toHaveLength(1);
    expect(writes.woken).toEqual([]);
  });

  it('makes a recorded wait due now when the owner ended its cause meanwhile, and only a wait', async () => {
    const waiting: JoinOutcome = { ...retry(async () => true), progress: PROGRESS } as JoinOutcome;
    const woken = setup({ join: async () => waiting });
    await expect(woken.delivery.deliver(JOIN, OWNER)).resolves.toMatchObject({ status: 'pending', next_attempt_at: T0, join_step: 'accept' });
    expect(woken.writes.woken).toEqual([{ id: 'join-1', now: T0 }]);

    const stillWaiting = setup({ join: async () => ({ ...retry(async () => false), progress: PROGRESS }) as JoinOutcome });
    const result = await stillWaiting.delivery.deliver(JOIN, OWNER);
    expect(stillWaiting.writes.woken).toEqual([]);
    expect(Date.parse(result!.next_attempt_at!)).toBeGreaterThan(Date.parse(T0));

    const sent = setup({ join: async () => ({ status: 'sent', kind: 'accept_refused', error: 'cannot accept', progress: PROGRESS }) });
    await expect(sent.delivery.deliver(JOIN, OWNER)).resolves.toMatchObject({ status: 'sent', next_attempt_at: null });
    expect(sent.writes.woken).toEqual([]);
  });
});

describe('invitation delivery leases', () => {
  it('names each lease after this instance and the attempt, for the lease length from now', () => {
    const first = setup({ leaseMs: 45_000 });
    const second = setup();
    const now = new Date(T0);
    const a = first.delivery.newLease(now);
    const b = first.delivery.newLease(now);
    const c = second.delivery.newLease(now);
    const [instanceA, attemptA] = a.owner.split(':');
    const [instanceB, attemptB] = b.owner.split(':');
    expect(instanceA).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(attemptA).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(instanceB).toBe(instanceA);
    expect(attemptB).not.toBe(attemptA);
    expect(c.owner.split(':')[0]).not.toBe(instanceA);
    expect(a.until).toBe('2026-11-24T12:00:45.000Z');
    expect(c.until).toBe(new Date(Date.parse(T0) + RETRY_POLICY.leaseMs).toISOString());
  });
});

describe('what the owner hears of an attempt (notifications outbox)', () => {
  const result = (status: InvitationResult['status'], lastError: string | null = null) => ({ status, last_error: lastError, updated_at: '2026-12-02T10:00:00.000Z' }) as InvitationResult;
  const data = (event: ReturnType<typeof outcomeEvent>) => JSON.parse(event!.data) as Record<string, unknown>;

  it('tells of a sent, an accepted and a failed invite, and of nothing while it waits', () => {
    const email = { id: 'r1', identifier: 'friend@example.com', joined_with: 'email' as const };
    expect(outcomeEvent(email, result('sent'))).toMatchObject({ type: 'invitation.sent', occurred_at: '2026-12-02T10:00:00.000Z' });
    expect(data(outcomeEvent(email, result('sent')))).toEqual({ requestId: 'r1', who: 'friend@example.com', email: 'friend@example.com', via: 'email' });
    expect(data(outcomeEvent(email, result('failed', 'Plex refused it')))).toMatchObject({ reason: 'Plex refused it' });
    expect(outcomeEvent(email, result('failed'))!.type).toBe('invitation.failed');
    for (const status of ['pending', 'already_shared', 'already_invited', 'awaiting_approval'] as const) expect(outcomeEvent(email, result(status)), status).toBeUndefined();
  });

  it('names a Plex join’s account email (its identifier is the username), and no email for a username alone', () => {
    const join = { id: 'r2', identifier: 'friend', joined_with: 'plex' as const, friend_email: 'friend@example.com' };
    expect(outcomeEvent(join, result('accepted'))!.type).toBe('invitation.accepted');
    expect(data(outcomeEvent(join, result('accepted')))).toEqual({ requestId: 'r2', who: 'friend', email: 'friend@example.com', via: 'plex' });
    expect(data(outcomeEvent({ ...join, friend_email: null }, result('accepted'))).email).toBeNull();
  });
});
