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

  it('tells once when failures have gone on for ten minutes, across instances, and once when Plex answers again', async () => {
    const clock = fixedClock('2026-12-02T10:00:00.000Z');
    const [a, b] = [createPlexOutage({ db: database.db, clock }), createPlexOutage({ db: database.db, clock })];
    a.observe(false, 'reading the account: no answer within 10 s');
    b.observe(false, 'reading the account: no answer within 10 s');
    clock.advance(9 * MINUTE);
    a.observe(false, 'still down');
    // Nine minutes of failures are no outage yet.
    expect([await a.check(), await b.check()]).toEqual([undefined, undefined]);
    clock.advance(MINUTE);
    a.observe(false, 'still down');
    // b saw one failure and nothing since: it has no outage to tell.
    expect([await b.check(), await a.check()]).toEqual([undefined, 'unreachable']);
    clock.advance(MINUTE);
    a.observe(false, 'still down');
    expect([await a.check(), await b.check()]).toEqual([undefined, undefined]);
    expect(await events()).toEqual([{ type: 'plex.unreachable', data: { since: '2026-12-02T10:00:00.000Z', minutes: 10, reason: 'still down' } }]);

    // Plex answers: the first instance to see it says so; the other has nothing to add.
    clock.advance(MINUTE);
    b.observe(true);
    a.observe(true);
    expect(await b.check()).toBe('recovered');
    expect(await a.check()).toBeUndefined();
    expect((await events()).map((event) => event.type)).toEqual(['plex.unreachable', 'plex.recovered']);
  });

  it('does not go back and forth between an instance with old failures and one that answers', async () => {
    const clock = fixedClock('2026-12-02T10:00:00.000Z');
    const [stale, healthy] = [createPlexOutage({ db: database.db, clock }), createPlexOutage({ db: database.db, clock })];
    healthy.observe(true);
    stale.observe(false, 'x');
    clock.advance(10 * MINUTE);
    stale.observe(false, 'x');
    expect(await stale.check()).toBe('unreachable');
    // An answer from before the outage was told does not end it.
    expect(await healthy.check()).toBeUndefined();
    clock.advance(6 * MINUTE);
    healthy.observe(true);
    expect(await healthy.check()).toBe('recovered');
    // The stale instance's failures are old now: no new outage from them, again and again.
    for (let i = 0; i < 3; i += 1) {
      clock.advance(MINUTE);
      expect([await stale.check(), await healthy.check()]).toEqual([undefined, undefined]);
    }
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
