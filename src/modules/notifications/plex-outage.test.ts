import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { createPlexOutage } from './plex-outage.js';

const MINUTE = 60_000;

describeDialects('the Plex outage notice on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database?.close());
  beforeEach(async () => {
    await database.db.deleteFrom('notification_events').execute();
    await database.db.deleteFrom('job_leases').execute();
  });
  const events = async () => (await database.db.selectFrom('notification_events').select(['type', 'data']).orderBy('occurred_at').execute()).map((row) => ({ type: row.type, data: JSON.parse(row.data) as Record<string, unknown> }));

  it('tells once after ten minutes without an answer, across instances, and once when Plex answers again', async () => {
    const clock = fixedClock('2026-12-02T10:00:00.000Z');
    const [a, b] = [createPlexOutage({ db: database.db, clock }), createPlexOutage({ db: database.db, clock })];
    a.observe(false, 'reading the account: no answer within 10 s');
    b.observe(false, 'reading the account: no answer within 10 s');
    clock.advance(9 * MINUTE);
    // A blip of nine minutes is no outage.
    expect([await a.check(), await b.check()]).toEqual([undefined, undefined]);
    a.observe(false, 'still down');
    clock.advance(MINUTE);
    expect([await a.check(), await b.check()]).toEqual(['unreachable', undefined]);
    clock.advance(5 * MINUTE);
    expect([await a.check(), await b.check()]).toEqual([undefined, undefined]);
    expect(await events()).toEqual([{ type: 'plex.unreachable', data: { since: '2026-12-02T10:00:00.000Z', minutes: 10, reason: 'still down' } }]);

    // Plex answers: the first instance to see it says so; the other has nothing to add.
    b.observe(true);
    a.observe(true);
    expect(await b.check()).toBe('recovered');
    expect(await a.check()).toBeUndefined();
    expect((await events()).map((event) => event.type)).toEqual(['plex.unreachable', 'plex.recovered']);
  });

  it('says nothing of a Plex that answers, or of an answer between failures', async () => {
    const clock = fixedClock('2026-12-02T10:00:00.000Z');
    const outage = createPlexOutage({ db: database.db, clock });
    outage.observe(true);
    expect(await outage.check()).toBeUndefined();
    outage.observe(false, 'HTTP 503');
    clock.advance(6 * MINUTE);
    outage.observe(true);
    outage.observe(false, 'HTTP 503');
    clock.advance(6 * MINUTE);
    expect(await outage.check()).toBeUndefined();
    expect(await events()).toEqual([]);
  });
});
