import crypto from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { signIn } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { submitRequest } from '../helpers/public-requests.js';
import { useReadyAdmin } from '../helpers/ready-app.js';
import { useReceiver } from '../helpers/receiver.js';
import { SMTP_USER, useSmtpServer } from '../helpers/smtp.js';

/**
 * Issue 14: channels from the API, events written with the change that caused them, delivered by
 * the outbox worker to local receivers (an HTTP receiver, an SMTP server), once each, after retries.
 */
const ctx = useSimulator();
const admin = useReadyAdmin(ctx);
const HOUR = 60 * 60_000;
const receiving = useReceiver(() => admin.t.deps.database.db);
beforeEach(() => admin.t.deps.database.db.deleteFrom('invitations').execute());

const pass = () => admin.t.deps.services.notificationsPass();
async function webhook(events = ['request.received', 'invitation.sent']) {
  const created = await admin.api('POST', '/notifications/channels', { type: 'webhook', name: 'My hook', events, config: { url: `${receiving.receiver.url}/hook` } });
  expect(created.statusCode).toBe(201);
  return created.json() as { channel: { id: string; config: Record<string, unknown> }; secret: string };
}
const signatureOf = (secret: string, body: string) => `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

describe('a webhook channel', () => {
  it('answers its secret once; a friend’s request and its invite arrive signed, once each, whatever the passes', async () => {
    const { channel, secret } = await webhook();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    const listed = (await admin.api('GET', '/notifications/channels')).json();
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(listed.items[0]).toMatchObject({ id: channel.id, type: 'webhook', events: ['request.received', 'invitation.sent'], enabled: true, config: { url: `${receiving.receiver.url}/hook`, hasSecret: true } });

    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    expect(await pass()).toBe(2);
    expect(await pass()).toBe(0);
    const types = receiving.receiver.state.received.map((hit) => hit.headers['x-helpr-event']).sort();
    expect(types).toEqual(['invitation.sent', 'request.received']);
    for (const hit of receiving.receiver.state.received) {
      expect(hit.headers['x-helpr-signature']).toBe(signatureOf(secret, hit.body));
      expect(JSON.parse(hit.body)).toMatchObject({ id: expect.any(String), occurredAt: '2026-11-24T12:00:00.000Z', data: { who: 'friend@example.com', via: 'email' } });
    }
    const deliveries = (await admin.api('GET', '/notifications/deliveries?status=delivered')).json();
    expect(deliveries.items).toHaveLength(2);
    expect(deliveries.items[0]).toMatchObject({ status: 'delivered', attempts: 1, channel: { id: channel.id, name: 'My hook', type: 'webhook' } });
  });

  it('delivers each event exactly once to a receiver that fails ten times, after retries with backoff', async () => {
    await webhook(['request.received']);
    let failures = 0;
    receiving.receiver.state.answer = (_req, res) => (failures++ < 10 ? res.writeHead(500).end('down') : res.writeHead(200).end());
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await pass();
    for (let round = 0; round < 12; round += 1) {
      admin.t.clock.advance(HOUR);
      await pass();
    }
    expect(receiving.receiver.state.received).toHaveLength(11);
    expect(new Set(receiving.receiver.state.received.map((hit) => JSON.parse(hit.body).id)).size).toBe(1);
    const [delivery] = (await admin.api('GET', '/notifications/deliveries')).json().items;
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 11, lastError: null });
  });

  it('keeps a refused message as dead with the reason at once, and sends it again on Resend', async () => {
    await webhook(['request.received']);
    receiving.receiver.state.answer = (_req, res) => res.writeHead(410).end('gone');
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await pass();
    const [dead] = (await admin.api('GET', '/notifications/deliveries?status=dead')).json().items;
    expect(dead.lastError).toContain('answered 410 (the webhook or topic does not exist any more?): gone');
    expect((await admin.api('POST', `/notifications/deliveries/${dead.id}/resend`)).statusCode).toBe(202);
    expect((await admin.api('POST', `/notifications/deliveries/${dead.id}/resend`)).statusCode).toBe(409);
    receiving.receiver.state.answer = (_req, res) => res.writeHead(204).end();
    await pass();
    expect((await admin.api('GET', '/notifications/deliveries?status=delivered')).json().items.map((item: { id: string }) => item.id)).toEqual([dead.id]);
  });

  it('gives up after 24 hours of failures', async () => {
    await webhook(['request.received']);
    receiving.receiver.state.answer = (_req, res) => res.writeHead(503).end();
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    for (let round = 0; round < 30; round += 1) {
      await pass();
      admin.t.clock.advance(HOUR);
    }
    const [delivery] = (await admin.api('GET', '/notifications/deliveries')).json().items;
    expect(delivery.status).toBe('dead');
    expect(delivery.attempts).toBeGreaterThan(20);
    expect(delivery.attempts).toBeLessThan(30);
  });

  it('two workers at once deliver each message once', async () => {
    await webhook(['request.received']);
    for (let i = 0; i < 6; i += 1) await submitRequest(admin.t.app, { email: `friend${i}@example.com` }, { ip: `198.51.100.${i + 1}` });
    const { createNotificationsPass } = await import('../../src/modules/notifications/notifications.worker.js');
    const { createNotificationsRepository } = await import('../../src/modules/notifications/notifications.repository.js');
    const { deps } = admin.t;
    const other = createNotificationsPass({ repository: createNotificationsRepository(deps.database.db), box: deps.secretBox, settings: deps.services.settings, baseUrl: async () => undefined, clock: deps.clock, logger: deps.logger });
    await Promise.all([pass(), other(), pass(), other()]);
    const ids = receiving.receiver.state.received.map((hit) => JSON.parse(hit.body).id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  });
});

describe('channels: checked, tested, changed', () => {
  it('refuses bad settings naming the field, and never answers a secret back', async () => {
    const bad = async (body: object, field: string) => {
      const response = await admin.api('POST', '/notifications/channels', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(response.json().error.fields ?? {}), JSON.stringify(response.json())).toContain(field);
    };
    await bad({ type: 'webhook', name: 'x', events: ['request.received'], config: { url: 'ftp://example.com/x' } }, 'url');
    await bad({ type: 'telegram', name: 'x', events: ['request.received'], config: { token: 'nope', chatId: '123' } }, 'token');
    await bad({ type: 'ntfy', name: 'x', events: ['request.received'], config: { topic: 'has space' } }, 'topic');
    await bad({ type: 'email', name: 'x', events: ['request.received'], config: { host: 'smtp.example.com', from: 'not-an-email', to: 'me@example.com' } }, 'from');
    await bad({ type: 'discord', name: 'x', events: ['nope'], config: { url: 'https://discord.com/api/webhooks/1/x' } }, 'events');
    await bad({ type: 'discord', name: ' ', events: ['request.received'], config: { url: 'https://discord.com/api/webhooks/1/x' } }, 'name');

    const discord = (await admin.api('POST', '/notifications/channels', { type: 'discord', name: 'Discord', events: ['invitation.failed'], config: { url: 'https://discord.com/api/webhooks/1/TOKEN' } })).json();
    expect(discord.secret).toBeUndefined();
    expect(discord.channel.config).toEqual({ host: 'discord.com', hasUrl: true });
    const row = await admin.t.deps.database.db.selectFrom('notification_channels').select('secret').where('id', '=', discord.channel.id).executeTakeFirstOrThrow();
    expect(row.secret).not.toContain('TOKEN');

    const changed = await admin.api('PATCH', `/notifications/channels/${discord.channel.id}`, { name: 'Discord #admins', enabled: false });
    expect(changed.json()).toMatchObject({ name: 'Discord #admins', enabled: false, config: { hasUrl: true } });
    expect((await admin.api('DELETE', `/notifications/channels/${discord.channel.id}`)).statusCode).toBe(204);
    expect((await admin.api('DELETE', `/notifications/channels/${discord.channel.id}`)).statusCode).toBe(404);
  });

  it('sends a test and says why it failed, in words', async () => {
    const { channel } = await webhook();
    expect((await admin.api('POST', `/notifications/channels/${channel.id}/test`)).json()).toEqual({ ok: true });
    expect(JSON.parse(receiving.receiver.state.received[0]!.body).data).toMatchObject({ test: true });
    receiving.receiver.state.answer = (_req, res) => res.writeHead(401).end('invalid token');
    const failed = (await admin.api('POST', `/notifications/channels/${channel.id}/test`)).json();
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain('answered 401 (check the token or the address): invalid token');
  });

  it('a channel turned off keeps what was queued for it until it is on again; a digest turned off sends what it held', async () => {
    const { channel } = await webhook(['request.received']);
    receiving.receiver.state.answer = (_req, res) => res.writeHead(503).end();
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await pass();
    await admin.api('PATCH', `/notifications/channels/${channel.id}`, { enabled: false });
    receiving.receiver.reset();
    admin.t.clock.advance(HOUR);
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(0);
    await admin.api('PATCH', `/notifications/channels/${channel.id}`, { enabled: true });
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(1);

    const slack = (await admin.api('POST', '/notifications/channels', { type: 'slack', name: 'Daily', events: ['request.received'], digest: true, config: { url: `${receiving.receiver.url}/slack` } })).json().channel;
    // Its first digest goes out at the next 08:00; the next waits for the day after.
    await submitRequest(admin.t.app, { email: 'one@example.com' }, { ip: '198.51.100.41' });
    await pass();
    admin.t.clock.advance(24 * HOUR);
    await pass();
    await submitRequest(admin.t.app, { email: 'two@example.com' }, { ip: '198.51.100.42' });
    await pass();
    expect((await admin.api('GET', '/notifications/deliveries?status=held')).json().items).toHaveLength(1);
    await admin.api('PATCH', `/notifications/channels/${slack.id}`, { digest: false });
    await pass();
    expect((await admin.api('GET', '/notifications/deliveries?status=held')).json().items).toHaveLength(0);
    expect(receiving.receiver.state.received.filter((hit) => hit.url === '/slack').map((hit) => JSON.parse(hit.body).text)).toEqual([
      expect.stringContaining('1 thing since the last digest'),
      expect.stringContaining('two@example.com asked for access'),
    ]);
  });

  it('a disabled channel gets nothing', async () => {
    const { channel } = await webhook(['request.received']);
    await admin.api('PATCH', `/notifications/channels/${channel.id}`, { enabled: false });
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(0);
  });
});

describe('an email channel', () => {
  const smtp = useSmtpServer();
  const mails = smtp.mails;

  it('sends the owner an email with the event in plain text and HTML, from the site, and says when the password is wrong', async () => {
    const port = smtp.port;
    const config = { host: '127.0.0.1', port: String(port), tls: 'none', user: SMTP_USER.user, password: SMTP_USER.password, from: 'helpr@example.com', to: 'owner@example.com' };
    const created = await admin.api('POST', '/notifications/channels', { type: 'email', name: 'Me', events: ['request.received'], config });
    expect(created.statusCode).toBe(201);
    expect(created.json().channel.config).toEqual({ host: '127.0.0.1', port, tls: 'none', user: 'helpr', from: 'helpr@example.com', to: 'owner@example.com', hasPassword: true });
    await submitRequest(admin.t.app, { email: 'alice@example.com' });
    await pass();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: 'helpr@example.com', to: ['owner@example.com'] });
    expect(mails[0]!.data).toMatch(/^From: "Plex invites \(Helpr\)" <helpr@example.com>/m);
    expect(mails[0]!.data).toContain('Subject: alice@example.com asked for access');
    expect(mails[0]!.data).toContain('Content-Type: text/plain');
    expect(mails[0]!.data).toContain('Content-Type: text/html');

    const id = created.json().channel.id;

    // Emails to friends through the same server: the friend gets theirs, the owner theirs, once each.
    mails.length = 0;
    await admin.t.deps.services.settings.update({ publicAddress: 'https://invite.example.com' });
    const form = { channelId: id, ownerName: 'Sam', receivedEnabled: 'on', receivedSubject: 'We got your request for {site}', receivedText: 'Hi {name}, see {link}\n\n{owner}' };
    for (const key of ['joined', 'expiring', 'ended']) Object.assign(form, { [`${key}Subject`]: `${key} {site}`, [`${key}Text`]: `${key} {date}` });
    // Signed in again: earlier tests moved the clock past the session's limit.
    expect((await (await signIn(admin.t.app)).post('/admin/notifications/friends', form)).statusCode).toBe(303);
    await submitRequest(admin.t.app, { email: 'bob@example.com' }, { ip: '198.51.100.20' });
    await pass();
    await pass();
    expect(mails.map((mail) => mail.to[0]).sort()).toEqual(['bob@example.com', 'owner@example.com']);
    const toFriend = mails.find((mail) => mail.to[0] === 'bob@example.com')!.data;
    expect(toFriend).toMatch(/^From: "Plex invites \(Sam\)" <helpr@example.com>/m);
    expect(toFriend).toContain('Subject: We got your request for Plex invites');
    const requestId = (await admin.t.deps.database.db.selectFrom('invitations').select('id').where('identifier', '=', 'bob@example.com').executeTakeFirstOrThrow()).id;
    expect(toFriend.replace(/=\r?\n/g, '')).toContain(`Hi bob@example.com, see https://invite.example.com/requests/${requestId}`);
    await admin.t.deps.services.settings.update({ publicAddress: null });

    await admin.api('PATCH', `/notifications/channels/${id}`, { config: { password: 'wrong' } });
    const test = (await admin.api('POST', `/notifications/channels/${id}/test`)).json();
    expect(test).toEqual({ ok: false, error: `127.0.0.1:${port} refused the SMTP user or password.` });
  });
});

describe('events from who has access', () => {
  const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };
  const eventsReceived = () => receiving.receiver.state.received.map((hit) => JSON.parse(hit.body) as { type: string; data: Record<string, unknown> });

  it('tells of an invite accepted in Plex, an access that ran out, access removed in Plex, and a sync not trusted (once while it lasts)', async () => {
    const { deps, clock } = admin.t;
    await deps.database.db.deleteFrom('user_actions').execute();
    await deps.database.db.deleteFrom('plex_users').execute();
    await deps.repositories.settings.delete('users.sync');
    await webhook(['invitation.accepted', 'access.expired', 'access.removed', 'sync.warning']);
    await deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    await deps.services.adminInvitations.invite({ email: 'bob@example.com' }, OWNER, 'admin');
    // A third friend keeps plex.tv's list from being empty (an empty list is never trusted).
    await deps.services.adminInvitations.invite({ email: 'friend@example.com' }, OWNER, 'admin');
    await deps.services.usersSync.run();
    await ctx.client().sharing.acceptInvite('alice-token', 'owner');
    await ctx.client().sharing.acceptInvite('bob-token', 'owner');
    await deps.services.usersSync.run();
    await pass();
    // friend has not accepted: nothing about them.
    expect(eventsReceived().map((event) => `${event.type} ${event.data.who}`).sort()).toEqual(['invitation.accepted alice', 'invitation.accepted bob']);

    receiving.receiver.reset();
    const alice = (await deps.services.users.list({ q: 'alice' }, 1, 1)).items[0]!.id;
    await deps.services.userActions.setExpiry(alice, new Date(clock.now().getTime() + 60_000).toISOString(), OWNER);
    clock.advance(60_000);
    await deps.services.userActionsPass();
    const bobShare = ctx.sim.control.state().shares.find((share) => share.invitedUsername === 'bob')!;
    await ctx.client().sharing.removeShare(ctx.sim.ownerToken, String(bobShare.v2Id));
    await deps.services.usersSync.run();
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: '/api/v2/shared_servers/owned/accepted', times: 2 });
    await deps.services.usersSync.run({});
    await deps.services.usersSync.run({});
    await pass();
    expect(eventsReceived().map((event) => `${event.type} ${event.data.who ?? event.data.kind}`).sort()).toEqual(['access.expired alice', 'access.removed bob', 'sync.warning failed']);
    expect(eventsReceived().find((event) => event.type === 'access.removed')!.data).toMatchObject({ inPlex: true, userId: expect.any(String) });
  });
});

describe('Plex refusing Helpr’s token', () => {
  it('tells the owner once, however many requests meet the refusal', async () => {
    await webhook(['plex.token_refused', 'request.received']);
    ctx.sim.control.revokeToken(ctx.sim.ownerToken);
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await submitRequest(admin.t.app, { email: 'alice@example.com' }, { ip: '198.51.100.9' });
    await pass();
    const types = receiving.receiver.state.received.map((hit) => hit.headers['x-helpr-event']).sort();
    expect(types).toEqual(['plex.token_refused', 'request.received', 'request.received']);
    const refused = receiving.receiver.state.received.find((hit) => hit.headers['x-helpr-event'] === 'plex.token_refused')!;
    expect(JSON.parse(refused.body).id).toMatch(/^plex\.token_refused:[0-9a-f]{16}$/);
    ctx.sim.control.restoreToken(ctx.sim.ownerToken);
  });
});

describe('an end of access coming', () => {
  it('tells the owner three days before, once per end date, and again for a new end', async () => {
    const { deps, clock } = admin.t;
    const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };
    await deps.database.db.deleteFrom('user_actions').execute();
    await deps.database.db.deleteFrom('plex_users').execute();
    await webhook(['access.expiring']);
    await deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    await ctx.client().sharing.acceptInvite('alice-token', 'owner');
    await deps.services.usersSync.run();
    const alice = (await deps.services.users.list({ q: 'alice' }, 1, 1)).items[0]!.id;
    const inDays = (days: number) => new Date(clock.now().getTime() + days * 86_400_000).toISOString();
    await deps.services.userActions.setExpiry(alice, inDays(5), OWNER);
    await deps.services.userActionsPass();
    clock.advance(2 * 86_400_000 + 60_000);
    await Promise.all([deps.services.userActionsPass(), deps.services.userActionsPass()]);
    await deps.services.userActionsPass();
    await pass();
    expect(receiving.receiver.state.received.map((hit) => JSON.parse(hit.body).data)).toEqual([expect.objectContaining({ who: 'alice', days: 3 })]);
    // Extended: a new end, told again when it comes near.
    await deps.services.userActions.setExpiry(alice, inDays(2), OWNER);
    await deps.services.userActionsPass();
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(2);
  });
});

describe('a daily digest', () => {
  it('holds a chat channel’s messages and sends them in one message at 08:00, once, whatever the instances', async () => {
    const { deps, clock } = admin.t;
    const created = await admin.api('POST', '/notifications/channels', { type: 'slack', name: 'Team', events: ['request.received'], digest: true, config: { url: `${receiving.receiver.url}/slack` } });
    expect(created.json().channel).toMatchObject({ digest: true });
    expect((await admin.api('POST', '/notifications/channels', { type: 'webhook', name: 'x', events: ['request.received'], digest: true, config: { url: 'https://example.com/h' } })).statusCode).toBe(400);
    // Nothing before the next 08:00 (the channel is new), then everything held until then in one message.
    await submitRequest(admin.t.app, { email: 'one@example.com' }, { ip: '198.51.100.31' });
    await submitRequest(admin.t.app, { email: 'two@example.com' }, { ip: '198.51.100.32' });
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(0);
    expect((await admin.api('GET', '/notifications/deliveries?status=held')).json().items).toHaveLength(2);
    clock.advance(24 * 60 * 60_000);
    const { createNotificationsPass } = await import('../../src/modules/notifications/notifications.worker.js');
    const { createNotificationsRepository } = await import('../../src/modules/notifications/notifications.repository.js');
    const other = createNotificationsPass({ repository: createNotificationsRepository(deps.database.db), box: deps.secretBox, settings: deps.services.settings, baseUrl: async () => undefined, clock, logger: deps.logger });
    await Promise.all([pass(), other()]);
    expect(receiving.receiver.state.received).toHaveLength(1);
    const digest = JSON.parse(receiving.receiver.state.received[0]!.body);
    expect(digest.text).toBe(`Plex invites: 2 things since the last digest: ${digest.blocks[0].text.text.split('\n').slice(1).join('\n')}`);
    expect(digest.blocks[0].text.text).toMatch(/one@example\.com asked for access\n• .*two@example\.com asked for access/);
    expect((await admin.api('GET', '/notifications/deliveries?status=delivered')).json().items).toHaveLength(2);

    // Later the same day: held until tomorrow 08:00.
    await submitRequest(admin.t.app, { email: 'three@example.com' }, { ip: '198.51.100.33' });
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(1);
    expect((await admin.api('GET', '/notifications/deliveries?status=held')).json().items).toHaveLength(1);
    clock.advance(24 * 60 * 60_000);
    await pass();
    expect(receiving.receiver.state.received).toHaveLength(2);
    expect(JSON.parse(receiving.receiver.state.received[1]!.body).text).toContain('1 thing since the last digest');
  });
});
