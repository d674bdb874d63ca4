import { describe, expect, it } from 'vitest';
import { useSimulator } from '../helpers/plex-sim.js';
import { submitRequest, textOf } from '../helpers/public-requests.js';
import { useReadyAdmin } from '../helpers/ready-app.js';
import { useReceiver } from '../helpers/receiver.js';

/** Issue 14 in the admin area: add a channel, see the secret once, test it, turn it off, resend what failed. */
const ctx = useSimulator();
const admin = useReadyAdmin(ctx);
const receiving = useReceiver(() => admin.t.deps.database.db);

describe('/admin/notifications', () => {
  it('adds a webhook (its secret shown once), tests it, turns it off and on, and removes it', async () => {
    const { session } = admin;
    const page = await session.get('/admin/notifications');
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('No channel yet: add one below.');
    const form = await session.get('/admin/notifications/new?type=webhook');
    expect(form.body).toContain('name="url"');
    expect(form.body).toMatch(/id="ev-request.received" checked/);

    const refused = await session.post('/admin/notifications', { type: 'webhook', name: 'Hook', url: 'not a url', events: ['request.received'] });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('Enter the webhook URL starting with https:// (or http://).');
    expect(refused.body).toMatch(/id="f-url"[^>]*value="not a url"/);

    const added = await session.post('/admin/notifications', { type: 'webhook', name: 'Hook', url: `${receiving.receiver.url}/in`, events: ['request.received', 'invitation.failed'] });
    expect(added.statusCode).toBe(200);
    const secret = /id="webhook-secret" readonly value="([0-9a-f]{64})"/.exec(added.body)?.[1];
    expect(secret).toBeDefined();
    const listed = await session.get('/admin/notifications');
    expect(listed.body).not.toContain(secret!);
    expect(textOf(listed.body)).toContain('A friend asked for access, An invite failed (needs you)');
    const id = /data-channel-id="([^"]+)"/.exec(listed.body)![1]!;

    expect((await session.post(`/admin/notifications/${id}/test`)).headers.location).toBe('/admin/notifications');
    expect(textOf((await session.get('/admin/notifications')).body)).toContain('Test sent: look for it where this channel delivers.');
    receiving.receiver.state.answer = (_req, res) => res.writeHead(404).end();
    await session.post(`/admin/notifications/${id}/test`);
    expect(textOf((await session.get('/admin/notifications')).body)).toContain('The test did not go through:');

    await session.post(`/admin/notifications/${id}/toggle`, { enabled: '0' });
    expect(textOf((await session.get('/admin/notifications')).body)).toMatch(/Hook is off: it gets nothing until you turn it on\.[\s\S]*Hook Webhook Off/);
    await session.post(`/admin/notifications/${id}/toggle`, { enabled: '1' });
    await session.post(`/admin/notifications/${id}/delete`);
    expect(textOf((await session.get('/admin/notifications')).body)).toContain('Channel removed.');
    expect(await admin.t.deps.services.notifications.list()).toEqual([]);
  });

  it('lists what was not delivered with why, and sends it again', async () => {
    const { session } = admin;
    await session.post('/admin/notifications', { type: 'discord', name: 'Discord', url: `${receiving.receiver.url}/api/webhooks/1/x`, events: ['request.received'] });
    receiving.receiver.state.answer = (_req, res) => res.writeHead(401).end('{"message": "Invalid Webhook Token"}');
    await submitRequest(admin.t.app, { email: 'friend@example.com' });
    await admin.t.deps.services.notificationsPass();
    const dead = await session.get('/admin/notifications?status=dead');
    expect(textOf(dead.body)).toMatch(/Not delivered friend@example.com asked for access To Discord/);
    expect(textOf(dead.body)).toContain('answered 401 (check the token or the address)');
    const deliveryId = /deliveries\/([^/]+)\/resend/.exec(dead.body)![1]!;
    receiving.receiver.state.answer = (_req, res) => res.writeHead(204).end();
    expect((await session.post(`/admin/notifications/deliveries/${deliveryId}/resend`)).headers.location).toBe('/admin/notifications?status=pending');
    await admin.t.deps.services.notificationsPass();
    expect(textOf((await session.get('/admin/notifications?status=delivered')).body)).toContain('Delivered friend@example.com asked for access');
    // A second resend of a delivered message is refused in words, not a 500.
    await session.post(`/admin/notifications/deliveries/${deliveryId}/resend`);
    expect(textOf((await session.get('/admin/notifications')).body)).toContain('Only a message that could not be delivered can be sent again.');
  });

  it('edits the emails to friends, previews them with made-up values, and refuses an empty subject keeping what was typed', async () => {
    const { session } = admin;
    const page = await session.get('/admin/notifications');
    expect(textOf(page.body)).toContain('Add an Email channel above first.');
    // The defaults, previewed: the placeholders filled in.
    expect(textOf(page.body)).toContain('We got your request for Plex invites');
    expect(page.body).toContain('Hi alex@example.com,');
    await session.post('/admin/notifications', { type: 'email', name: 'Mail', host: 'smtp.example.com', tls: 'starttls', from: 'helpr@example.com', to: 'me@example.com', events: ['request.received'] });
    const channelId = (await admin.t.deps.services.notifications.list())[0]!.id;
    const form = { channelId, ownerName: 'Sam', receivedEnabled: 'on', receivedSubject: '', receivedText: 'Hi {name} from {owner}' };
    for (const key of ['joined', 'expiring', 'ended']) Object.assign(form, { [`${key}Subject`]: `${key} on {site}`, [`${key}Text`]: `Until {date}` });
    const refused = await session.post('/admin/notifications/friends', form);
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('Write a subject of 1 to 200 characters.');
    expect(refused.body).toContain('Hi {name} from {owner}</textarea>');
    expect((await session.post('/admin/notifications/friends', { ...form, receivedSubject: 'Got it, {name}' })).headers.location).toBe('/admin/notifications#friends');
    expect(await admin.t.deps.services.friendEmails.get()).toMatchObject({ channelId, ownerName: 'Sam', messages: { received: { enabled: true, subject: 'Got it, {name}' }, joined: { enabled: false } } });
    const saved = await session.get('/admin/notifications');
    expect(textOf(saved.body)).toContain('Got it, alex@example.com');
    expect(textOf(saved.body)).toContain('Hi alex@example.com from Sam');
    expect((await session.post('/admin/notifications/friends', { ...form, receivedSubject: 'x', channelId: 'not-a-channel' })).statusCode).toBe(400);
  });

  it('refuses changes without the CSRF token and anyone not signed in', async () => {
    const { t, session } = admin;
    expect((await t.app.inject({ method: 'POST', url: '/admin/notifications', headers: { cookie: session.cookie }, payload: { type: 'webhook' } })).statusCode).toBe(403);
    const anonymous = await t.app.inject({ url: '/admin/notifications' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/admin\/login/);
    expect((await t.app.inject({ url: '/api/v1/notifications/channels' })).statusCode).toBe(401);
    expect((await admin.session.get('/admin/notifications/new?type=nope')).headers.location).toBe('/admin/notifications');
  });
});
