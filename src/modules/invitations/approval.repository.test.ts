import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { createAdminInvitationsRepository, type AdminInvitationsRepository } from './admin-invitations.repository.js';
import { createInvitationsRepository } from './invitations.repository.js';

const NOW = '2026-11-24T12:00:00.000Z';
const LATER = '2026-11-24T13:00:00.000Z';
const lease = (owner: string) => ({ owner, until: '2026-11-24T12:01:00.000Z' });

/** Approve and decline are one conditional statement each: whoever comes second changes nothing. */
describeDialects('approving and declining on %s', (dialect) => {
  let database: TestDatabase;
  let repo: AdminInvitationsRepository;
  const waiting = async () => {
    const row = invitationRow({ status: 'awaiting_approval', attempts: 0, next_attempt_at: null, created_at: NOW });
    await createInvitationsRepository(database.db).insert(row);
    return row.id;
  };
  const read = (id: string) => createInvitationsRepository(database.db).findById(id);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    repo = createAdminInvitationsRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.deleteFrom('invitations').execute();
  });

  it('lets exactly one of many approvals at once take the request, with its sending lease', async () => {
    const id = await waiting();
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((owner) => repo.markApproved(id, lease(owner), LATER)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c', 'd'][results.indexOf(true)]!;
    expect(await read(id)).toMatchObject({ status: 'pending', approved_at: LATER, next_attempt_at: LATER, lease_owner: winner, attempts: 1 });
    expect(await repo.markDeclined(id, LATER)).toBe(false);
  });

  it('declines only a request still waiting, and a declined one is never approved or claimed', async () => {
    const id = await waiting();
    expect(await repo.markDeclined(id, LATER)).toBe(true);
    expect(await repo.markDeclined(id, LATER)).toBe(false);
    expect(await repo.markApproved(id, lease('late'), LATER)).toBe(false);
    expect(await read(id)).toMatchObject({ status: 'declined', lease_owner: null, next_attempt_at: null, approved_at: null });
    const invitations = createInvitationsRepository(database.db);
    expect(await invitations.findDue('2027-01-01T00:00:00.000Z', 10)).toEqual([]);
    expect(await invitations.claim(id, 'worker', '2027-01-01T00:01:00.000Z', '2027-01-01T00:00:00.000Z')).toBe(false);

    // Approve and decline at the same moment: one of them wins, the other changes nothing.
    const other = await waiting();
    const outcomes = await Promise.all([repo.markDeclined(other, LATER), repo.markApproved(other, lease('x'), LATER)]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    expect((await read(other))?.status).toBe(outcomes[0] ? 'declined' : 'pending');
  });

  it('leaves a waiting request out of the retry worker: never due, never claimed', async () => {
    const id = await waiting();
    const invitations = createInvitationsRepository(database.db);
    expect(await invitations.findDue('2027-01-01T00:00:00.000Z', 10)).toEqual([]);
    expect(await invitations.claim(id, 'worker', '2027-01-01T00:01:00.000Z', '2027-01-01T00:00:00.000Z')).toBe(false);
    expect(await read(id)).toMatchObject({ status: 'awaiting_approval', attempts: 0, lease_owner: null });
  });
});
