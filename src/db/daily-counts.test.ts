import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../test/helpers/database.js';
import type { InvitationStatus } from './schema.js';

/** The per-day counts kept by triggers always equal counting the invitations themselves. */
describeDialects('invitation daily counts on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.close());

  const insert = (id: string, created: string, status: InvitationStatus) =>
    database.db
      .insertInto('invitations')
      .values({ id, identifier: id, identifier_normalized: id, identifier_kind: 'email', source: 'public', libraries: '[]', status, created_at: created, updated_at: created })
      .execute();
  const setStatus = (id: string, status: InvitationStatus) => database.db.updateTable('invitations').set({ status }).where('id', '=', id).execute();

  async function expectConsistent(): Promise<void> {
    const rollup = await database.db.selectFrom('invitation_daily_counts').select(['day', 'status', 'count']).where('count', '!=', 0).execute();
    const direct = await database.db
      .selectFrom('invitations')
      .select([sql<string>`substr(created_at, 1, 10)`.as('day'), 'status', (eb) => eb.fn.countAll<string>().as('count')])
      .groupBy([sql`substr(created_at, 1, 10)`, 'status'])
      .execute();
    const key = (r: { day: string; status: string; count: number | string }) => `${r.day} ${r.status} ${Number(r.count)}`;
    expect(rollup.map(key).sort()).toEqual(direct.map(key).sort());
  }

  it('follows inserts, status changes and deletes', async () => {
    await insert('a', '2026-11-20T10:00:00.000Z', 'pending');
    await insert('b', '2026-11-20T23:59:59.999Z', 'pending');
    await insert('c', '2026-11-21T00:00:00.000Z', 'sent');
    await expectConsistent();
    await setStatus('a', 'sent');
    await setStatus('b', 'failed');
    await setStatus('b', 'pending');
    await setStatus('c', 'sent'); // no change
    await setStatus('c', 'revoked');
    await expectConsistent();
    await database.db.deleteFrom('invitations').where('id', '=', 'a').execute();
    await expectConsistent();
    expect(await database.db.selectFrom('invitation_daily_counts').selectAll().where('day', '=', '2026-11-20').where('status', '=', 'pending').executeTakeFirst()).toMatchObject({ count: 1 });
  });

  it('stays right under concurrent changes in opposite directions', async () => {
    for (let i = 0; i < 40; i += 1) await insert(`x${i}`, '2026-11-22T12:00:00.000Z', i % 2 ? 'pending' : 'failed');
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        database.db.transaction().execute(async (trx) => {
          await trx.updateTable('invitations').set({ status: i % 2 ? 'failed' : 'pending' }).where('id', '=', `x${i}`).execute();
          await trx.updateTable('invitations').set({ updated_at: '2026-11-22T12:00:01.000Z' }).where('id', '=', `x${i}`).execute();
        }),
      ),
    );
    await expectConsistent();
  });
});
