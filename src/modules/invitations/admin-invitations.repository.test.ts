import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { insertMany, invitationRow } from '../../../test/helpers/invitation-rows.js';
import { toInvitationQuery, type InvitationFilter } from './admin-invitations.filter.js';
import { createAdminInvitationsRepository, type AdminInvitationsRepository, type ListCursor } from './admin-invitations.repository.js';
import { createInviteCodesRepository } from '../invite-codes/invite-codes.repository.js';

const NOW = '2026-11-24T12:00:00.000Z';

describeDialects('admin invitation queries on %s', (dialect) => {
  let database: TestDatabase;
  let repo: AdminInvitationsRepository;
  const query = (filter: Partial<InvitationFilter>) => toInvitationQuery({ status: 'all', ...filter });
  const ids = async (filter: Partial<InvitationFilter>) => (await repo.list(query(filter), { limit: 100, offset: 0 })).map((r) => r.identifier);

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    repo = createAdminInvitationsRepository(database.db);
  });
  afterAll(() => database.close());
  beforeEach(async () => {
    await database.db.deleteFrom('invitations').execute();
  });

  it('searches case-insensitively, with % and _ taken literally, and counts the same rows', async () => {
    await insertMany(database.db, [
      invitationRow({ identifier: 'Mixed_Case', created_at: '2026-11-01T00:00:00.000Z' }),
      invitationRow({ identifier: 'mixedxcase', created_at: '2026-11-02T00:00:00.000Z' }),
      invitationRow({ identifier: '100%real@example.com', created_at: '2026-11-03T00:00:00.000Z' }),
      invitationRow({ identifier: 'back\\slash', created_at: '2026-11-04T00:00:00.000Z' }),
    ]);
    expect(await ids({ q: 'MIXED_' })).toEqual(['Mixed_Case']);
    expect(await ids({ q: 'mixed' })).toEqual(['mixedxcase', 'Mixed_Case']);
    expect(await ids({ q: '0%r' })).toEqual(['100%real@example.com']);
    expect(await ids({ q: 'k\\s' })).toEqual(['back\\slash']);
    expect(await repo.count(query({ q: 'mixed' }))).toBe(2);
    expect(await repo.count(query({}))).toBe(4);
  });

  it('bounds dates by whole UTC days and filters by status', async () => {
    await insertMany(database.db, [
      invitationRow({ identifier: 'before', created_at: '2026-11-09T23:59:59.999Z' }),
      invitationRow({ identifier: 'first', created_at: '2026-11-10T00:00:00.000Z', status: 'failed' }),
      invitationRow({ identifier: 'last', created_at: '2026-11-11T23:59:59.999Z' }),
      invitationRow({ identifier: 'after', created_at: '2026-11-12T00:00:00.000Z', status: 'failed' }),
    ]);
    expect(await ids({ from: '2026-11-10', to: '2026-11-11' })).toEqual(['last', 'first']);
    expect(await ids({ status: 'failed' })).toEqual(['after', 'first']);
    expect(await ids({ status: 'failed', to: '2026-11-10' })).toEqual(['first']);
  });

  it('pages by keyset with no row twice or missed, ties broken by id', async () => {
    const rows = Array.from({ length: 23 }, (_, i) => invitationRow({ created_at: `2026-11-0${1 + (i % 2)}T00:00:00.000Z` }));
    await insertMany(database.db, rows);
    const seen: string[] = [];
    let cursor: ListCursor | undefined;
    for (let page = await repo.listAfter(query({}), cursor, 5); page.length > 0; page = await repo.listAfter(query({}), cursor, 5)) {
      seen.push(...page.map((r) => r.id));
      cursor = { createdAt: page.at(-1)!.created_at, id: page.at(-1)!.id };
    }
    const offsetOrder = (await repo.list(query({}), { limit: 100, offset: 0 })).map((r) => r.id);
    expect(seen).toEqual(offsetOrder);
    expect(new Set(seen).size).toBe(23);
  });

  it('shows the invite code used', async () => {
    await createInviteCodesRepository(database.db).insert({
      id: 'code-1', code: 'FRIENDS-2026', code_normalized: 'FRIENDS2026', label: null, expires_at: null, max_uses: null, libraries: null, created_by: null, created_at: NOW,
    });
    const row = invitationRow({ code_id: 'code-1' });
    await insertMany(database.db, [row, invitationRow({})]);
    expect((await repo.findView(row.id))?.code).toBe('FRIENDS-2026');
    expect((await repo.list(query({}), { limit: 10, offset: 0 })).map((r) => r.code).sort()).toEqual(['FRIENDS-2026', null]);
  });

  it('makes only free pending or failed invitations due now, and revokes once', async () => {
    const failed = invitationRow({ status: 'failed' });
    const sending = invitationRow({ status: 'pending', lease_owner: 'w1', lease_until: '2026-11-24T12:01:00.000Z' });
    const sent = invitationRow({ status: 'sent' });
    await insertMany(database.db, [failed, sending, sent]);
    expect(await repo.markDueNow(failed.id, NOW)).toBe(true);
    expect(await repo.findView(failed.id)).toMatchObject({ status: 'pending', next_attempt_at: NOW });
    expect(await repo.markDueNow(sending.id, NOW)).toBe(false);
    expect(await repo.markDueNow(sent.id, NOW)).toBe(false);

    expect(await repo.markRevoked(sending.id, NOW)).toBe(true);
    expect(await repo.findView(sending.id)).toMatchObject({ status: 'revoked', lease_owner: null, lease_until: null, next_attempt_at: null });
    expect(await repo.markRevoked(sending.id, NOW)).toBe(false);
  });
});
