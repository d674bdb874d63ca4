import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { fixedClock } from '../../clock.js';
import { createInvitationDelivery } from './invitation-delivery.js';
import type { SendOutcome } from './invitation-sender.js';
import { createInvitationsRepository, type InvitationRow } from './invitations.repository.js';
import { trackSends } from './send-tracker.js';

const T0 = '2026-11-24T12:00:00.000Z';
const LEASE = { owner: 'instance-a:lease-1', until: '2026-11-24T12:01:00.000Z' };

/** A promise the test opens when it is ready. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves "waiting" when `promise` has not settled once pending callbacks have run. */
const stateOf = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => 'settled'), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);

describe('send tracker (stopping with invites being sent)', () => {
  let database: TestDatabase;
  afterEach(() => database?.close());

  /** A pending request whose lease this instance holds, and a Plex that answers when the test says. */
  async function setup() {
    database = await createTestDatabase('sqlite');
    const invitations = createInvitationsRepository(database.db);
    const row = invitationRow({ status: 'pending', attempts: 1, next_attempt_at: T0, created_at: T0, lease_owner: LEASE.owner, lease_until: LEASE.until });
    await invitations.insert(row);
    const plexAnswers = gate();
    const sent: string[] = [];
    const send = async (invitation: Pick<InvitationRow, 'identifier'>): Promise<SendOutcome> => {
      await plexAnswers.opened;
      sent.push(invitation.identifier);
      return { status: 'sent', shareId: 'share-1', libraries: ['1', '2'] };
    };
    // Opened once the send has tried to record its outcome.
    const recorded = gate();
    const recording = {
      ...invitations,
      complete: (...args: Parameters<typeof invitations.complete>) => invitations.complete(...args).finally(recorded.open),
    };
    const clock = fixedClock(T0);
    const logger = pino({ level: 'silent' });
    const tracker = trackSends(createInvitationDelivery({ invitations: recording, send, clock, logger }), { invitations, clock, logger });
    return { invitations, row, tracker, plexAnswers, recorded, sent, clock };
  }

  it('waits for a send under way (and for requests still running) before letting the database close', async () => {
    const { invitations, row, tracker, plexAnswers } = await setup();
    const delivered = tracker.deliver(row, LEASE.owner);
    const requestsDone = gate();
    const draining = tracker.drain(60_000, requestsDone.opened);
    expect(await stateOf(draining)).toBe('waiting');
    plexAnswers.open();
    await delivered;
    // The send is done, but a request may still start one: the drain waits for the requests too.
    expect(await stateOf(draining)).toBe('waiting');
    requestsDone.open();
    expect(await draining).toBe(0);
    expect(await delivered).toMatchObject({ status: 'sent', plex_share_id: 'share-1' });
    expect(await invitations.findById(row.id)).toMatchObject({ status: 'sent', lease_owner: null, plex_share_id: 'share-1' });
  });

  it('gives back a send still under way at the bound, marked unconfirmed, so another instance takes it at once', async () => {
    const { invitations, row, tracker, plexAnswers, recorded, clock } = await setup();
    const delivered = tracker.deliver(row, LEASE.owner);
    clock.advance(2000);
    expect(await tracker.drain(20)).toBe(1);
    // The caller (a friend's request, the retry worker) goes on as if the outcome was not recorded.
    expect(await delivered).toBeUndefined();
    const given = await invitations.findById(row.id);
    expect(given).toMatchObject({ status: 'pending', lease_owner: null, lease_until: null, attempts: 1, unconfirmed_since: '2026-11-24T12:00:02.000Z' });
    expect(await invitations.findDue('2026-11-24T12:00:02.000Z', 10)).toEqual([row.id]);
    // Plex answers after all: the lease is gone, so nothing is recorded over the next attempt's claim.
    plexAnswers.open();
    await recorded.opened;
    expect(await invitations.findById(row.id)).toMatchObject({ status: 'pending', lease_owner: null });
  });

  it('after the bound, a send asked for gives its lease back without reaching Plex', async () => {
    const { invitations, row, tracker, sent } = await setup();
    expect(await tracker.drain(0)).toBe(0);
    expect(await tracker.deliver(row, LEASE.owner)).toBeUndefined();
    expect(sent).toEqual([]);
    // The attempt the lease counted did not happen.
    expect(await invitations.findById(row.id)).toMatchObject({ status: 'pending', lease_owner: null, attempts: 0, unconfirmed_since: null });
  });
});
