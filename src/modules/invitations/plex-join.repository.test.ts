import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import type { InvitationStatus } from '../../db/schema.js';
import { createFriendTokensRepository, type FriendTokensRepository } from './friend-tokens.repository.js';
import { createInvitationsRepository, type InvitationResult, type InvitationRow, type InvitationsRepository } from './invitations.repository.js';

const NOW = '2026-11-24T12:00:00.000Z';
const LATER = '2026-11-24T12:05:00.000Z';
const LEASE_UNTIL = '2026-11-24T12:01:00.000Z';

const joinRow = (overrides: Partial<InvitationRow> = {}): InvitationRow =>
  invitationRow({
    identifier: 'friend',
    status: 'pending',
    joined_with: 'plex',
    plex_account_id: '22526914',
    join_step: 'share',
    next_attempt_at: NOW,
    created_at: NOW,
    sent_at: null,
    ...overrides,
  });

const ended = (status: InvitationStatus): InvitationResult => ({
  status,
  last_error: null,
  error_kind: null,
  plex_share_id: null,
  sent_at: null,
  next_attempt_at: null,
  libraries: '["1"]',
  updated_at: LATER,
  unconfirmed_since: null,
  join_step: null,
  accepted_at: status === 'accepted' ? LATER : null,
});

/** The join job's statements: each conditional on the lease (or on the row still running), on both dialects. */
describeDialects('Plex join rows and friend tokens on %s', (dialect) => {
  let database: TestDatabase;
  let invitations: InvitationsRepository;
  let tokens: FriendTokensRepository;
  const read = (id: string) => invitations.findById(id);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    invitations = createInvitationsRepository(database.db);
    tokens = createFriendTokensRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.deleteFrom('friend_tokens').execute();
    await database.db.deleteFrom('invitations').execute();
  });

  it('records a step only for the lease holder of a pending row, renewing its lease', async () => {
    const row = joinRow({ lease_owner: 'a', lease_until: LEASE_UNTIL });
    await invitations.insert(row);
    const step = { join_step: 'accept' as const, plex_share_id: '77', sent_at: NOW, libraries: '["1","2"]', lease_until: LATER, updated_at: NOW };
    expect(await invitations.recordJoinStep(row.id, 'b', step)).toBe(false);
    expect(await read(row.id)).toMatchObject({ join_step: 'share', plex_share_id: null });
    expect(await invitations.recordJoinStep(row.id, 'a', step)).toBe(true);
    expect(await read(row.id)).toMatchObject({ join_step: 'accept', plex_share_id: '77', sent_at: NOW, lease_owner: 'a', lease_until: LATER, status: 'pending' });

    // Revoked meanwhile (the revoke drops the lease, but even a kept one must not write).
    await database.db.updateTable('invitations').set({ status: 'revoked' }).where('id', '=', row.id).execute();
    expect(await invitations.recordJoinStep(row.id, 'a', { ...step, join_step: 'verify' })).toBe(false);
    expect((await read(row.id))?.join_step).toBe('accept');
  });

  it('a crashed step is taken over once its lease ran out, and the old holder can record nothing after', async () => {
    const row = joinRow({ lease_owner: 'a', lease_until: LEASE_UNTIL, join_step: 'accept' });
    await invitations.insert(row);
    expect(await invitations.claim(row.id, 'b', LATER, NOW)).toBe(false);
    expect(await invitations.claim(row.id, 'b', LATER, LEASE_UNTIL)).toBe(true);
    expect(await read(row.id)).toMatchObject({ join_step: 'accept', lease_owner: 'b', unconfirmed_since: LEASE_UNTIL });
    const step = { join_step: 'verify' as const, plex_share_id: null, sent_at: NOW, libraries: '[]', lease_until: LATER, updated_at: NOW };
    expect(await invitations.recordJoinStep(row.id, 'a', step)).toBe(false);
    expect(await invitations.completeJoin(row.id, 'a', ended('accepted'))).toBe(false);
  });

  it('deletes the token in the same transaction as any end, and keeps it while the job goes on', async () => {
    for (const status of ['accepted', 'sent', 'failed'] as const) {
      const row = joinRow({ lease_owner: 'a', lease_until: LEASE_UNTIL });
      await invitations.insert(row);
      await tokens.insert(row.id, 'v1.sealed', NOW);
      expect(await invitations.completeJoin(row.id, 'a', { ...ended('pending'), next_attempt_at: LATER })).toBe(true);
      expect(await tokens.find(row.id)).toBe('v1.sealed');
      await database.db.updateTable('invitations').set({ lease_owner: 'a' }).where('id', '=', row.id).execute();
      expect(await invitations.completeJoin(row.id, 'other', ended(status))).toBe(false);
      expect(await tokens.find(row.id)).toBe('v1.sealed');
      expect(await invitations.completeJoin(row.id, 'a', ended(status))).toBe(true);
      expect(await tokens.find(row.id)).toBeUndefined();
      expect(await read(row.id)).toMatchObject({ status, join_step: null, lease_owner: null });
    }
  });

  it('replaces the token only of a request whose job may still run', async () => {
    const pending = joinRow();
    const waiting = joinRow({ status: 'awaiting_approval', next_attempt_at: null });
    const done = joinRow({ status: 'accepted' });
    for (const row of [pending, waiting, done]) await invitations.insert(row);
    await tokens.insert(pending.id, 'old', NOW);
    expect(await tokens.replace(pending.id, 'new', LATER)).toBe(true);
    expect(await tokens.find(pending.id)).toBe('new');
    expect(await tokens.replace(waiting.id, 'fresh', LATER)).toBe(true);
    expect(await tokens.find(waiting.id)).toBe('fresh');
    expect(await tokens.replace(done.id, 'late', LATER)).toBe(false);
    expect(await tokens.find(done.id)).toBeUndefined();
    expect(await tokens.replace('no-such-request', 'x', LATER)).toBe(false);
  });

  it('a newer token stored while the job ends is not left behind the end', async () => {
    // The job's end (status and token deletion, one transaction) is under way when the friend's
    // second sign-in stores its token: on PostgreSQL the store waits for it, then must store nothing.
    const row = joinRow({ lease_owner: 'a', lease_until: LEASE_UNTIL });
    await invitations.insert(row);
    await tokens.insert(row.id, 'old', NOW);
    let replaced: Promise<boolean> | undefined;
    await database.db.transaction().execute(async (trx) => {
      await trx.updateTable('invitations').set({ status: 'accepted', lease_owner: null }).where('id', '=', row.id).execute();
      await trx.deleteFrom('friend_tokens').where('invitation_id', '=', row.id).execute();
      replaced = tokens.replace(row.id, 'new', LATER);
      // SQLite has one connection: the store runs after the commit. PostgreSQL: once it waits on a lock.
      if (dialect === 'postgres') {
        await vi.waitFor(async () => {
          const waiting = await sql<{ n: string }>`select count(*) as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%"invitations"%'`.execute(database.db);
          expect(Number(waiting.rows[0]!.n)).toBeGreaterThan(0);
        });
      }
    });
    expect(await replaced).toBe(false);
    expect(await tokens.find(row.id)).toBeUndefined();
  });

  it('the sweep deletes every token whose request ended, and only those', async () => {
    const keep = [joinRow(), joinRow({ status: 'awaiting_approval', next_attempt_at: null })];
    const drop = (['accepted', 'sent', 'failed', 'declined', 'revoked'] as const).map((status) => joinRow({ status }));
    for (const row of [...keep, ...drop]) {
      await invitations.insert(row);
      await tokens.insert(row.id, `sealed-${row.id}`, NOW);
    }
    expect(await tokens.sweep()).toBe(drop.length);
    expect(await tokens.sweep()).toBe(0);
    for (const row of keep) expect(await tokens.find(row.id)).toBe(`sealed-${row.id}`);
    for (const row of drop) expect(await tokens.find(row.id)).toBeUndefined();
    expect(await tokens.delete(keep[0]!.id)).toBe(true);
    expect(await tokens.delete(keep[0]!.id)).toBe(false);
  });

  it('finds the latest Plex join of an account within the window, not email requests or revoked ones', async () => {
    // Ended ones (a running one is found whatever its age: the next test).
    await invitations.insert(joinRow({ created_at: '2026-11-24T11:00:00.000Z', status: 'sent' }));
    const latest = joinRow({ created_at: '2026-11-24T11:50:00.000Z', status: 'accepted' });
    await invitations.insert(latest);
    await invitations.insert(joinRow({ created_at: '2026-11-24T11:55:00.000Z', status: 'revoked' }));
    await invitations.insert(joinRow({ created_at: '2026-11-24T11:56:00.000Z', joined_with: 'email' }));
    await invitations.insert(joinRow({ created_at: '2026-11-24T11:57:00.000Z', plex_account_id: '999' }));
    expect((await invitations.findRecentPlexJoin('22526914', '2026-11-24T11:30:00.000Z'))?.id).toBe(latest.id);
    expect(await invitations.findRecentPlexJoin('22526914', '2026-11-24T11:51:00.000Z')).toBeUndefined();
  });

  it("finds the account's join whose job may still run whatever its age, before a newer one that ended", async () => {
    // A friend whose email was unconfirmed for an hour signs in again: their waiting job, not a second one.
    const waiting = joinRow({ created_at: '2026-11-24T10:00:00.000Z', error_kind: 'friend_unconfirmed' });
    const approval = joinRow({ created_at: '2026-11-24T09:00:00.000Z', plex_account_id: '777', status: 'awaiting_approval', next_attempt_at: null });
    await invitations.insert(waiting);
    await invitations.insert(approval);
    await invitations.insert(joinRow({ created_at: '2026-11-24T11:55:00.000Z', status: 'failed' }));
    await invitations.insert(joinRow({ created_at: '2026-11-24T08:00:00.000Z', plex_account_id: '888', status: 'accepted' }));
    const since = '2026-11-24T11:50:00.000Z';
    expect((await invitations.findRecentPlexJoin('22526914', since))?.id).toBe(waiting.id);
    expect((await invitations.findRecentPlexJoin('777', since))?.id).toBe(approval.id);
    expect(await invitations.findRecentPlexJoin('888', since)).toBeUndefined();
  });

  it('"Try again" makes a waiting Plex join due now, and nothing else', async () => {
    const waiting = joinRow({ next_attempt_at: LATER, error_kind: 'friend_unconfirmed' });
    const running = joinRow({ next_attempt_at: LATER, lease_owner: 'a', lease_until: LEASE_UNTIL });
    const email = joinRow({ next_attempt_at: LATER, joined_with: 'email' });
    const sent = joinRow({ status: 'sent', next_attempt_at: null });
    for (const row of [waiting, running, email, sent]) await invitations.insert(row);
    expect(await invitations.wakeJoin(waiting.id, NOW)).toBe(true);
    expect(await read(waiting.id)).toMatchObject({ next_attempt_at: NOW, updated_at: NOW });
    expect(await invitations.wakeJoin(waiting.id, NOW)).toBe(false);
    expect(await invitations.wakeJoin(running.id, NOW)).toBe(false);
    expect(await invitations.wakeJoin(email.id, NOW)).toBe(false);
    expect(await invitations.wakeJoin(sent.id, NOW)).toBe(false);
    expect(await invitations.findDue(NOW, 10)).toEqual([waiting.id]);
  });
});
