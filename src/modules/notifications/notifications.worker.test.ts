import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { startReceiver } from '../../../test/helpers/receiver.js';
import { bodyText, useSmtpServer } from '../../../test/helpers/smtp.js';
import { fixedClock } from '../../clock.js';
import { createSecretBox } from '../../security/crypto.js';
import { DEFAULT_SETTINGS, type AppSettings } from '../settings/settings.service.js';
import { DEFAULT_FRIEND_EMAILS, type FriendEmailSettings } from './friend-emails.js';
import { newEvent, type EventType } from './notification-events.js';
import { createNotificationsRepository, type NotificationsRepository } from './notifications.repository.js';
import { createNotificationsPass } from './notifications.worker.js';

/**
 * The outbox worker's own rules, one pass at a time on a real outbox (SQLite), a local SMTP server
 * and a local HTTP receiver: what a friend's email says, when a failure is tried again or given up,
 * how many go out at once, and the daily digest's failures. test/http/notifications.test.ts covers
 * the same worker through the app (events written by real requests).
 */
const T0 = '2026-12-02T10:00:00.000Z';
const HOUR = 60 * 60_000;
const box = createSecretBox('worker-test-secret-key-of-32-chars!!');
const smtp = useSmtpServer();
let database: TestDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  database = await createTestDatabase('sqlite');
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await database.close();
});
beforeEach(async () => {
  receiver.reset();
  smtp.mails.length = 0;
  for (const table of ['notification_deliveries', 'notification_events', 'notification_channels'] as const) await database.db.deleteFrom(table).execute();
});

/** A worker with a log that can be read, on the test's clock; `options` replace its settings and friends. */
function worker(options: { settings?: Partial<AppSettings>; friends?: FriendEmailSettings; baseUrl?: string; repository?: NotificationsRepository } = {}) {
  const clock = fixedClock(T0);
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(JSON.parse(chunk.toString()))) }));
  const settings = { ...DEFAULT_SETTINGS, ...options.settings } as AppSettings;
  const repository = options.repository ?? createNotificationsRepository(database.db);
  const pass = createNotificationsPass({
    repository,
    box,
    settings: { get: async () => settings } as never,
    baseUrl: async () => options.baseUrl,
    clock,
    logger,
    random: () => 0.5,
    friendEmails: options.friends ? async () => options.friends! : undefined,
  });
  return { pass, clock, lines, repository };
}

const repo = () => createNotificationsRepository(database.db);
async function channel(id: string, type: string, config: object, patch: object = {}) {
  await repo().insertChannel({ id, type, name: id, events: JSON.stringify(['request.received', 'invitation.accepted', 'access.expiring', 'access.expired', 'invitation.failed']), config: JSON.stringify(config), secret: type === 'webhook' ? box.encrypt('signing-secret') : null, created_at: T0, updated_at: T0, ...patch });
}
const event = (type: EventType, data: Record<string, unknown>) => repo().addEvent(newEvent(type, data, T0));
const deliveries = () => database.db.selectFrom('notification_deliveries').select(['recipient', 'status', 'attempts', 'last_error', 'next_attempt_at']).orderBy('created_at').execute();
const emailChannel = () => channel('mail', 'email', { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'helpr@example.com', to: 'owner@example.com' });
/** Every friend email on, each text naming every placeholder, so a wrong value shows. */
const allPlaceholders = (ownerName: string): FriendEmailSettings => ({
  channelId: 'mail',
  ownerName,
  messages: Object.fromEntries(Object.keys(DEFAULT_FRIEND_EMAILS.messages).map((key) => [key, { enabled: true, subject: `${key} at {site}`, text: '[{name}][{site}][{owner}][{link}][{date}][{guide}]' }])) as FriendEmailSettings['messages'],
});
const friendMails = () =>
  smtp.mails
    .filter((mail) => mail.to[0] !== 'owner@example.com')
    .map((mail) => ({ to: mail.to[0], from: /^From: (.*)$/m.exec(mail.data)![1]!.trim(), subject: /^Subject: (.*)$/m.exec(mail.data)![1]!.trim(), text: /\[.*\]/.exec(bodyText(mail))![0] }))
    .sort((a, b) => a.to!.localeCompare(b.to!));

describe('a friend’s email', () => {
  it('fills in their name, the site, the owner, the link to their request, the end date in the owner’s zone and the guide where each belongs', async () => {
    await emailChannel();
    await event('request.received', { who: 'alice', email: 'alice@example.com', requestId: 'r1' });
    await event('invitation.accepted', { who: 'bob', email: 'bob@example.com', requestId: 'r2' });
    await event('access.expiring', { who: 'carol', email: 'carol@example.com', expiresAt: '2026-12-05T08:00:00.000Z' });
    await event('access.expired', { email: 'dan@example.com' });
    const { pass } = worker({ settings: { siteTitle: 'Movies', timeZone: 'Europe/Berlin', guide: 'Open Plex' }, friends: allPlaceholders('Sam'), baseUrl: 'https://invite.example.com' });
    expect(await pass()).toBe(8);
    expect(friendMails()).toEqual([
      { to: 'alice@example.com', from: '"Movies (Sam)" <helpr@example.com>', subject: 'received at Movies', text: '[alice][Movies][Sam][https://invite.example.com/requests/r1][][]' },
      { to: 'bob@example.com', from: '"Movies (Sam)" <helpr@example.com>', subject: 'joined at Movies', text: '[bob][Movies][Sam][https://invite.example.com/requests/r2][][Open Plex]' },
      { to: 'carol@example.com', from: '"Movies (Sam)" <helpr@example.com>', subject: 'expiring at Movies', text: '[carol][Movies][Sam][][2026-12-05 09:00 CET][]' },
      // No name in the event: none in the email (never "undefined").
      { to: 'dan@example.com', from: '"Movies (Sam)" <helpr@example.com>', subject: 'ended at Movies', text: '[][Movies][Sam][][][]' },
    ]);
  });

  it('signs with the site title when the owner gave no name, has no link without a public address, and dates in UTC without a zone', async () => {
    await emailChannel();
    await event('request.received', { who: 'alice', email: 'alice@example.com', requestId: 'r1' });
    await event('access.expiring', { who: 'carol', email: 'carol@example.com', expiresAt: '2026-12-05T08:00:00.000Z' });
    const { pass } = worker({ settings: { siteTitle: 'Movies', timeZone: null }, friends: allPlaceholders('') });
    await pass();
    expect(friendMails()).toEqual([
      { to: 'alice@example.com', from: 'Movies <helpr@example.com>', subject: 'received at Movies', text: '[alice][Movies][Movies][][][]' },
      { to: 'carol@example.com', from: 'Movies <helpr@example.com>', subject: 'expiring at Movies', text: '[carol][Movies][Movies][][2026-12-05 08:00 UTC][]' },
    ]);
  });

  it('is sent only for the messages the owner turned on', async () => {
    await emailChannel();
    const friends = allPlaceholders('Sam');
    friends.messages.ended.enabled = false;
    await event('access.expired', { who: 'dan', email: 'dan@example.com' });
    await event('request.received', { who: 'alice', email: 'alice@example.com' });
    await worker({ friends }).pass();
    expect(friendMails().map((mail) => mail.to)).toEqual(['alice@example.com']);
  });

  it('is dead at once, with why, when friend emails were turned off or their channel is no longer an email channel', async () => {
    await emailChannel();
    await event('request.received', { who: 'alice', email: 'alice@example.com' });
    // Queued while friend emails were on; sent by a worker that has none.
    await repo().fanOut(T0, 100, { channelId: 'mail', types: new Set(['request.received']) });
    await worker().pass();
    const off = 'Emails to friends are off now, or their channel is not an email channel any more.';
    expect((await deliveries()).filter((row) => row.recipient === 'friend')).toEqual([{ recipient: 'friend', status: 'dead', attempts: 1, last_error: off, next_attempt_at: null }]);

    await database.db.deleteFrom('notification_deliveries').execute();
    await database.db.deleteFrom('notification_events').execute();
    await event('request.received', { who: 'bob', email: 'bob@example.com' });
    await repo().fanOut(T0, 100, { channelId: 'mail', types: new Set(['request.received']) });
    await repo().updateChannel('mail', { type: 'webhook', config: JSON.stringify({ url: `${receiver.url}/hook` }), secret: box.encrypt('x') });
    await worker({ friends: allPlaceholders('Sam') }).pass();
    expect((await deliveries()).find((row) => row.recipient === 'friend')).toMatchObject({ status: 'dead', last_error: off });
    expect(friendMails()).toEqual([]);
  });
});

describe('a delivery that fails', () => {
  it('is tried again after 30 s, then 60 s, and given up at exactly 24 hours after it was queued, logged once then', async () => {
    receiver.state.answer = (_req, res) => res.writeHead(500).end();
    await channel('hook', 'webhook', { url: `${receiver.url}/hook` });
    await event('invitation.failed', { who: 'alice', reason: 'x' });
    const { pass, clock, lines } = worker();
    await pass();
    const first = (await deliveries())[0]!;
    expect(first).toMatchObject({ status: 'pending', attempts: 1, next_attempt_at: new Date(Date.parse(T0) + 30_000).toISOString() });
    expect(first.last_error).toMatch(/500/);
    clock.advance(30_000);
    await pass();
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', attempts: 2, next_attempt_at: new Date(Date.parse(T0) + 90_000).toISOString() });

    clock.set(new Date(Date.parse(T0) + 24 * HOUR - 1));
    await pass();
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', attempts: 3 });
    expect(lines).toHaveLength(0);
    clock.set(new Date(Date.parse(T0) + 24 * HOUR));
    await database.db.updateTable('notification_deliveries').set({ next_attempt_at: clock.now().toISOString() }).execute();
    await pass();
    expect((await deliveries())[0]).toMatchObject({ status: 'dead', attempts: 4, next_attempt_at: null });
    expect(lines.map((line) => line.msg)).toEqual(['a notification could not be delivered; it is kept as dead for the owner to resend']);
    expect(receiver.state.received).toHaveLength(4);
  });

  it('names an unexpected error (a channel whose stored settings cannot be read) and tries again', async () => {
    await channel('broken', 'webhook', { url: 'x' }, { config: '{not json' });
    await event('invitation.failed', { who: 'alice' });
    await worker().pass();
    let parseError = '';
    try {
      JSON.parse('{not json');
    } catch (error) {
      parseError = (error as Error).message;
    }
    expect((await deliveries())[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: `Unexpected error: ${parseError}` });
  });
});

describe('a pass', () => {
  it('sends at most four at once, and fails after every lane ended when one could not record', async () => {
    let open = 0;
    let most = 0;
    receiver.state.answer = (_req, res) => {
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => {
        open -= 1;
        res.writeHead(204).end();
      }, 30);
    };
    await channel('hook', 'webhook', { url: `${receiver.url}/hook` });
    for (let n = 0; n < 10; n += 1) await event('invitation.failed', { who: `friend${n}` });
    expect(await worker().pass()).toBe(10);
    expect(most).toBe(4);
    expect(await worker().pass()).toBe(0);

    await database.db.deleteFrom('notification_deliveries').execute();
    await database.db.deleteFrom('notification_events').execute();
    for (let n = 0; n < 6; n += 1) await event('invitation.failed', { who: `friend${n}` });
    const real = repo();
    let records = 0;
    const failing: NotificationsRepository = {
      ...real,
      record: async (...args) => {
        records += 1;
        if (records === 1) throw new Error('the database went away');
        return real.record(...args);
      },
    };
    await expect(worker({ repository: failing }).pass()).rejects.toThrow('the database went away');
    // The other lanes went on to the end: every delivery but the one that failed to record is delivered.
    expect((await deliveries()).filter((row) => row.status === 'delivered')).toHaveLength(5);
  });
});

describe('the daily digest', () => {
  it('keeps its messages held with the reason when it cannot be sent, and sends them the next day', async () => {
    receiver.state.answer = (_req, res) => res.writeHead(500).end();
    await channel('team', 'slack', {}, { digest: 1, secret: box.encrypt(`${receiver.url}/slack`) });
    await event('request.received', { who: 'alice' });
    const { pass, clock } = worker({ settings: { timeZone: 'UTC' } });
    // 10:00 UTC: today's 08:00 digest is due (the channel never sent one).
    await pass();
    expect(receiver.state.received).toHaveLength(1);
    const held = await deliveries();
    expect(held).toEqual([expect.objectContaining({ status: 'held', attempts: 1 })]);
    expect(held[0]!.last_error).toMatch(/500/);
    // Later the same day: nothing more (the day's digest was taken).
    clock.advance(HOUR);
    await pass();
    expect(receiver.state.received).toHaveLength(1);
    receiver.reset();
    clock.advance(23 * HOUR);
    await pass();
    expect(receiver.state.received).toHaveLength(1);
    expect(await deliveries()).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2, last_error: null })]);
  });

  it('names an unexpected error, and keeps the messages for the next one', async () => {
    await channel('team', 'slack', {}, { digest: 1, config: '{not json' });
    await event('request.received', { who: 'alice' });
    await worker().pass();
    expect((await deliveries())[0]).toMatchObject({ status: 'held', last_error: expect.stringMatching(/^Unexpected error: .*JSON/) });
  });
});
