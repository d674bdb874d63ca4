import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { newEvent } from './notification-events.js';
import { createNotificationsRepository } from './notifications.repository.js';

const T0 = '2026-12-02T10:00:00.000Z';
const LATER = '2026-12-02T10:01:00.000Z';

describeDialects('the notifications outbox on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database?.close());
  beforeEach(async () => {
    await database.db.deleteFrom('notification_deliveries').execute();
    await database.db.deleteFrom('notification_events').execute();
    await database.db.deleteFrom('notification_channels').execute();
  });

  const channel = (id: string, events: string[], patch: object = {}) => ({ id, type: 'webhook', name: id, events: JSON.stringify(events), config: '{}', secret: null, created_at: T0, updated_at: T0, ...patch });

  it('fans each event out once per channel that wants it (twice at once too), the friend apart, a digest channel held', async () => {
    const repo = createNotificationsRepository(database.db);
    await repo.insertChannel(channel('all', ['request.received', 'invitation.sent']));
    await repo.insertChannel(channel('sent-only', ['invitation.sent']));
    await repo.insertChannel(channel('off', ['request.received'], { enabled: 0 }));
    await repo.insertChannel(channel('digest', ['request.received'], { digest: 1 }));
    await repo.addEvent(newEvent('request.received', { who: 'a', email: 'a@example.com' }, T0));
    await repo.addEvent(newEvent('invitation.sent', { who: 'a' }, T0));
    const friends = { channelId: 'all', types: new Set(['request.received']) };
    const fanned = await Promise.all([repo.fanOut(LATER, 10, friends), repo.fanOut(LATER, 10, friends)]);
    expect(fanned.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2);
    const rows = await database.db.selectFrom('notification_deliveries').select(['channel_id', 'recipient', 'status']).execute();
    const seen = rows.map((row) => `${row.channel_id} ${row.recipient} ${row.status}`).sort();
    expect(seen).toEqual(['all friend pending', 'all owner pending', 'all owner pending', 'digest owner held', 'sent-only owner pending']);
    expect(await repo.fanOut(LATER, 10, friends)).toBe(0);
  });

  it('lets one worker claim a delivery, records only for the lease holder, and resends only a dead one', async () => {
    const repo = createNotificationsRepository(database.db);
    await repo.insertChannel(channel('c', ['request.received']));
    await repo.addEvent(newEvent('request.received', { who: 'a' }, T0));
    await repo.fanOut(T0, 10);
    const [id] = await repo.findDue(LATER, 10);
    const claims = await Promise.all([repo.claim(id!, 'w1', '2026-12-02T10:02:00.000Z', LATER), repo.claim(id!, 'w2', '2026-12-02T10:02:00.000Z', LATER)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    const holder = claims[0] ? 'w1' : 'w2';
    expect(claims.find(Boolean)).toMatchObject({ event: { type: 'request.received' }, channel: { id: 'c' } });
    expect(await repo.findDue(LATER, 10)).toEqual([]);
    expect(await repo.record(id!, holder === 'w1' ? 'w2' : 'w1', { status: 'delivered', error: null, nextIso: null, nowIso: LATER })).toBe(false);
    expect(await repo.resend(id!, LATER)).toBe(false);
    expect(await repo.record(id!, holder, { status: 'dead', error: 'gone', nextIso: null, nowIso: LATER })).toBe(true);
    expect(await repo.resend(id!, LATER)).toBe(true);
    expect(await repo.findDue(LATER, 10)).toEqual([id]);
    const [listed] = await repo.listDeliveries({ limit: 10, offset: 0 });
    expect(listed).toMatchObject({ id, status: 'pending', attempts: 0, channel_name: 'c', type: 'request.received' });
  });

  it('claims a digest once per slot, and marks what it held', async () => {
    const repo = createNotificationsRepository(database.db);
    await repo.insertChannel(channel('d', ['request.received'], { digest: 1 }));
    await repo.addEvent(newEvent('request.received', { who: 'a' }, T0));
    await repo.fanOut(T0, 10);
    expect((await repo.digestChannels()).map((row) => row.id)).toEqual(['d']);
    const held = await repo.held('d');
    expect(held).toHaveLength(1);
    const claims = await Promise.all([repo.claimDigest('d', '2026-12-02T08:00:00.000Z', LATER), repo.claimDigest('d', '2026-12-02T08:00:00.000Z', LATER)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    await repo.finishDigest(held.map((row) => row.id), { delivered: true, error: null, nowIso: LATER });
    expect(await repo.digestChannels()).toEqual([]);
    expect(await repo.claimDigest('d', '2026-12-03T08:00:00.000Z', '2026-12-03T08:00:05.000Z')).toBe(true);
  });
});
