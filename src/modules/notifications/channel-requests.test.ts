import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../test/helpers/receiver.js';
import { createSimCertificate } from '../../../tools/plex-sim/tls-cert.js';
import { discordRequest, ntfyRequest, slackRequest, telegramRequest, webhookRequest, webhookSignature } from './channel-requests.js';
import { describeEvent, EVENT_TYPES, type HelprEvent } from './notification-events.js';
import type { DeliveryError} from './notification-http.js';
import { postRequest } from './notification-http.js';

// A local receiver (no internet): records each request and answers what the test says.
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let base: string;
const state = () => receiver.state;

beforeAll(async () => {
  receiver = await startReceiver();
  base = receiver.url;
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

const event: HelprEvent = { id: 'evt_1', type: 'invitation.failed', occurredAt: '2026-12-02T10:00:00.000Z', data: { requestId: 'r1', who: 'alice <b>&</b>', reason: 'Plex answered 400' } };
const message = describeEvent(event, 'https://invite.example.com');

describe('each channel speaks its service’s documented format', () => {
  it('generic webhook: the event as JSON, its type in X-Helpr-Event, and an HMAC-SHA256 of the raw body the receiver can check', async () => {
    await postRequest(webhookRequest(message, { url: `${base}/hook` }, 'shh-secret'));
    const [hit] = state().received;
    expect(hit).toMatchObject({ method: 'POST', url: '/hook' });
    expect(JSON.parse(hit!.body)).toEqual({ id: 'evt_1', type: 'invitation.failed', occurredAt: '2026-12-02T10:00:00.000Z', data: event.data });
    expect(hit!.headers['x-helpr-event']).toBe('invitation.failed');
    const expected = `sha256=${crypto.createHmac('sha256', 'shh-secret').update(hit!.body).digest('hex')}`;
    expect(hit!.headers['x-helpr-signature']).toBe(expected);
    expect(webhookSignature('other', hit!.body)).not.toBe(expected);
  });

  it('Discord: one embed with a title, a description, a link, a colour number and an ISO timestamp; no mentions', async () => {
    await postRequest(discordRequest({ ...message, title: 'x'.repeat(300) }, { url: `${base}/api/webhooks/1/abc` }));
    const body = JSON.parse(state().received[0]!.body);
    expect(state().received[0]!.headers['content-type']).toBe('application/json');
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.embeds).toHaveLength(1);
    const [embed] = body.embeds;
    expect(embed.title).toHaveLength(256);
    expect(embed).toMatchObject({ description: message.text, url: 'https://invite.example.com/admin/invitations?q=alice%20%3Cb%3E%26%3C%2Fb%3E', color: 0xdc3545, timestamp: event.occurredAt });
  });

  it('Slack-compatible: a plain text fallback and a mrkdwn section with <, > and & escaped and the link', async () => {
    await postRequest(slackRequest(message, { url: `${base}/services/T/B/X` }));
    const body = JSON.parse(state().received[0]!.body);
    expect(body.text).toBe(`${message.title}: ${message.text}`);
    expect(body.blocks[0].type).toBe('section');
    expect(body.blocks[0].text.type).toBe('mrkdwn');
    expect(body.blocks[0].text.text).toContain('alice &lt;b&gt;&amp;&lt;/b&gt;');
    expect(body.blocks[0].text.text).toContain('|Open in Helpr>');
  });

  it('ntfy: JSON published to the server’s root (its own path kept) with topic, title, message, tags, priority and click; a token or user:password', async () => {
    await postRequest(ntfyRequest(message, { server: `${base}/ntfy`, topic: 'helpr-owner' }, 'tk_abc'));
    await postRequest(ntfyRequest({ ...message, level: 'success' }, { server: base, topic: 'helpr-owner' }, 'me:pw'));
    expect(state().received[0]!.url).toBe('/ntfy/');
    expect(state().received[1]!.url).toBe('/');
    expect(JSON.parse(state().received[0]!.body)).toEqual({ topic: 'helpr-owner', title: message.title, message: message.text, tags: ['rotating_light'], priority: 4, click: message.url });
    expect(state().received[0]!.headers.authorization).toBe('Bearer tk_abc');
    expect(state().received[1]!.headers.authorization).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
    expect(JSON.parse(state().received[1]!.body)).toMatchObject({ tags: ['white_check_mark'], priority: 3 });
  });

  it('Telegram: sendMessage under /bot<token>/ with the chat id and HTML with everything but <b> and <a> escaped', async () => {
    await postRequest(telegramRequest(message, { chatId: '-1001234', apiUrl: `${base}/` }, '123:ABC'));
    expect(state().received[0]!.url).toBe('/bot123:ABC/sendMessage');
    const body = JSON.parse(state().received[0]!.body);
    expect(body).toMatchObject({ chat_id: '-1001234', parse_mode: 'HTML', disable_web_page_preview: true });
    expect(body.text.startsWith('<b>The invite for alice &lt;b&gt;&amp;&lt;/b&gt; failed</b>\n')).toBe(true);
    expect(body.text).toContain('<a href="https://invite.example.com/admin/invitations?q=alice%20%3Cb%3E%26%3C%2Fb%3E">Open in Helpr</a>');
  });

  it('keeps long texts within Slack’s and Telegram’s limits without splitting an escaped character', async () => {
    const long = { ...message, text: '<&>'.repeat(2000) };
    await postRequest(slackRequest(long, { url: `${base}/s` }));
    await postRequest(telegramRequest(long, { chatId: '1', apiUrl: base }, '123:ABC'));
    const slack = JSON.parse(state().received[0]!.body);
    expect(slack.text.length).toBeLessThanOrEqual(3000);
    expect(slack.blocks[0].text.text.length).toBeLessThanOrEqual(3000);
    expect(slack.blocks[0].text.text).toMatch(/(&amp;|&lt;|&gt;)…\n<https:[^>]+\|Open in Helpr>$/);
    const telegram = JSON.parse(state().received[1]!.body).text as string;
    expect(telegram.length).toBeLessThanOrEqual(4096);
    expect(telegram).toMatch(/…\n<a href="[^"]+">Open in Helpr<\/a>$/);
    expect(telegram.replace(/<\/?b>|<a href="[^"]+">|<\/a>/g, '')).not.toMatch(/&(?!amp;|lt;|gt;|quot;)/);
  });

  it('has words and a link for every event type', () => {
    for (const type of EVENT_TYPES) {
      const described = describeEvent({ ...event, type, data: { who: 'bob', userId: 'u1' } }, 'https://h.example');
      expect(described.title.length, type).toBeGreaterThan(5);
      expect(described.text, type).not.toContain('undefined');
      expect(described.url, type).toMatch(/^https:\/\/h\.example\/admin\//);
    }
    expect(describeEvent(event).url).toBeUndefined();
  });
});

describe('delivery failures, in words', () => {
  const hook = (path = '/hook') => webhookRequest(message, { url: `${base}${path}` }, 's');
  const failure = (promise: Promise<void>) => promise.then(() => undefined, (error: unknown) => error as DeliveryError);

  it('a 500 is worth another try; a 404 or 401 is not; a 429 says when to come back', async () => {
    state().answer = (_req, res) => res.writeHead(500).end('oops\n  busy');
    expect(await failure(postRequest(hook()))).toMatchObject({ message: `127.0.0.1:${new URL(base).port} answered 500: oops busy`, permanent: false });
    state().answer = (_req, res) => res.writeHead(404).end();
    expect(await failure(postRequest(hook()))).toMatchObject({ permanent: true });
    expect((await failure(postRequest(hook())))?.message).toContain('does not exist any more');
    state().answer = (_req, res) => res.writeHead(401).end('bad token');
    expect((await failure(postRequest(hook())))?.message).toContain('answered 401 (check the token or the address): bad token');
    state().answer = (_req, res) => res.writeHead(429, { 'retry-after': '30' }).end();
    expect(await failure(postRequest(hook()))).toMatchObject({ permanent: false, retryAfterSeconds: 30 });
  });

  it('follows a redirect on the same host, and refuses one to another host', async () => {
    state().answer = (req, res) => (req.url === '/old' ? res.writeHead(308, { location: '/new' }).end() : res.writeHead(200).end());
    await postRequest(hook('/old'));
    expect(state().received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /old', 'POST /new']);
    expect(state().received[1]!.body).toBe(state().received[0]!.body);
    state().answer = (_req, res) => res.writeHead(302, { location: 'http://elsewhere.example/steal' }).end();
    const refused = await failure(postRequest(hook('/old')));
    expect(refused).toMatchObject({ permanent: true });
    expect(refused?.message).toContain('redirected to another host (elsewhere.example)');
  });

  it('says when a receiver hangs, refuses the connection, is not in DNS, or has a certificate nobody trusts', async () => {
    state().answer = () => undefined; // never answers
    expect((await failure(postRequest(hook(), { timeoutMs: 200 })))?.message).toBe(`127.0.0.1:${new URL(base).port} did not answer within 0.2 s.`);

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect((await failure(postRequest(webhookRequest(message, { url: `http://127.0.0.1:${port}/` }, 's'))))?.message).toBe(`127.0.0.1:${port} refused the connection; is the service running there?`);

    const noDns = new Agent({ connect: { lookup: (_host, _options, callback) => callback(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), '', 4) } });
    expect((await failure(postRequest(webhookRequest(message, { url: 'http://hooks.example.net/x' }, 's'), { dispatcher: noDns })))?.message).toBe('DNS: hooks.example.net was not found; check the address.');
    await noDns.close();

    const cert = await createSimCertificate();
    const tls = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const tlsPort = (tls.address() as AddressInfo).port;
    const untrusted = await failure(postRequest(webhookRequest(message, { url: `https://127.0.0.1:${tlsPort}/` }, 's')));
    expect(untrusted?.message).toMatch(new RegExp(`^TLS error with 127\\.0\\.0\\.1:${tlsPort} \\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\\): its certificate is not trusted\\.$`));
    tls.closeAllConnections();
    await new Promise<void>((resolve) => tls.close(() => resolve()));
  });
});
