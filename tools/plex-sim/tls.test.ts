import { Client, request } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { plexHeaders, plexTv } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator({ tls: true });
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.destroy()));
});

/** One connection to plex.tv trusting the simulator's certificate; h2 when `allowH2`, else HTTP/1.1. */
function connection(allowH2: boolean, url = sim.plexTvUrl): Client {
  const client = new Client(url, { allowH2, pipelining: allowH2 ? 100 : 1, connect: { ca: sim.tlsCaPem } });
  clients.push(client);
  return client;
}

async function get(client: Client, path: string, init: { method?: 'GET' | 'POST'; body?: string; headers?: Record<string, string> } = {}) {
  const headers = { ...plexHeaders(sim.ownerToken), ...init.headers };
  const response = await request(`${sim.plexTvUrl}${path}`, { dispatcher: client, ...init, headers, idempotent: true });
  return { status: response.statusCode, text: await response.body.text() };
}

/** Settles every call, then says which failed, for calls expected to fail together. */
const outcomes = (calls: Promise<unknown>[]) =>
  Promise.allSettled(calls).then((results) => results.map((result) => (result.status === 'fulfilled' ? 'answered' : 'failed')));

describe('plex.tv over HTTPS', () => {
  it('has an https URL and a self-signed certificate clients must be told to trust', async () => {
    expect(sim.plexTvUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.clientsPlexTvUrl).toBe(`${sim.plexTvUrl}/clients.plex.tv`);
    expect(sim.pmsUrl).toMatch(/^http:\/\//);
    expect(sim.tlsCaPem).toContain('BEGIN CERTIFICATE');
    await expect(plexTv(sim, '/api/v2/ping')).rejects.toThrow(/fetch failed/);
  });

  it('negotiates HTTP/2 with a client that offers it', async () => {
    const h2 = connection(true);
    expect(await get(h2, '/api/v2/user')).toMatchObject({ status: 200, text: expect.stringContaining('"username":"owner"') });
    expect(sim.control.requestLog()).toMatchObject([{ path: '/api/v2/user', httpVersion: '2.0', status: 200 }]);
    expect(sim.control.counters().plexTv).toMatchObject({ byHttpVersion: { '2.0': 1 }, connectionsOpened: 1 });
  });

  it('still answers HTTP/1.1 clients, and is trusted for localhost too', async () => {
    const h1 = connection(false);
    expect((await get(h1, '/api/v2/user')).status).toBe(200);
    const port = new URL(sim.plexTvUrl).port;
    const local = connection(true, `https://localhost:${port}`);
    const response = await request(`https://localhost:${port}/api/v2/ping`, { dispatcher: local, headers: plexHeaders(sim.ownerToken) });
    await response.body.dump();
    expect(response.statusCode).toBe(200);
    expect(sim.control.counters().plexTv.byHttpVersion).toEqual({ '1.1': 1, '2.0': 1 });
  });

  it('logs an HTTP/2 request with its body and headers of interest', async () => {
    const body = { machineIdentifier: sim.machineIdentifier, invitedEmail: 'friend', librarySectionIds: [35723967] };
    const h2 = connection(true);
    const headers = { 'Content-Type': 'application/json' };
    expect((await get(h2, '/clients.plex.tv/api/v2/shared_servers', { method: 'POST', body: JSON.stringify(body), headers })).status).toBe(201);
    const [entry] = sim.control.requestLog();
    expect(entry).toMatchObject({ method: 'POST', route: '/api/v2/shared_servers', body, status: 201, httpVersion: '2.0' });
    expect(entry?.headers).toMatchObject({ 'x-plex-token': sim.ownerToken, 'content-type': 'application/json' });
    expect(Object.keys(entry?.headers ?? {}).filter((name) => name.startsWith(':'))).toEqual([]);
  });

  it('holds delayed requests in flight together on one multiplexed connection', async () => {
    sim.control.setLatency(200);
    const h2 = connection(true);
    const answers = await Promise.all(Array.from({ length: 30 }, () => get(h2, '/api/v2/user')));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(sim.control.counters().plexTv).toMatchObject({ total: 30, connectionsOpened: 1, maxInFlight: 30, inFlight: 0 });
  });

  it('serves the control API over HTTP/2 without logging or counting it', async () => {
    const h2 = connection(true);
    const counters = JSON.parse((await get(h2, '/__sim/counters')).text) as { plexTv: { total: number } };
    expect(counters.plexTv.total).toBe(0);
    expect((await get(h2, '/__sim/nope')).status).toBe(404);
    expect(sim.control.requestLog()).toEqual([]);
  });
});

describe('faults over HTTP/2', () => {
  it("'reset' fails that request alone: other requests on the connection are answered", async () => {
    sim.control.addLatency({ path: '/api/v2/user', ms: 300 });
    sim.control.addFault({ kind: 'reset', path: '/api/v2/ping', times: 1 });
    const h2 = connection(true);
    const slow = get(h2, '/api/v2/user');
    await expect(get(h2, '/api/v2/ping')).rejects.toMatchObject({ code: 'ERR_HTTP2_STREAM_ERROR' });
    expect((await slow).status).toBe(200);
    expect((await get(h2, '/api/v2/ping')).status).toBe(200);
    expect(sim.control.counters().plexTv).toMatchObject({ connectionsOpened: 1, inFlight: 0 });
    expect(sim.control.requestLog({ path: '/api/v2/ping' }).map((entry) => entry.fault)).toEqual(['reset', undefined]);
  });

  it("'reset-connection' fails every request multiplexed on the connection; the next one reconnects", async () => {
    sim.control.addLatency({ path: '/api/v2/user', ms: 5_000 });
    sim.control.addFault({ kind: 'reset-connection', path: '/api/v2/ping', times: 1 });
    const h2 = connection(true);
    const slow = outcomes([get(h2, '/api/v2/user'), get(h2, '/api/v2/user'), get(h2, '/api/v2/user')]);
    await expect.poll(() => sim.control.counters().plexTv.inFlight).toBe(3);
    await expect(get(h2, '/api/v2/ping')).rejects.toThrow();
    expect(await slow).toEqual(['failed', 'failed', 'failed']);
    expect((await get(h2, '/api/v2/ping')).status).toBe(200);
    // No request was sent twice: three slow ones, the reset ping and the last ping.
    expect(sim.control.counters().plexTv).toMatchObject({ total: 5, connectionsOpened: 2 });
    await expect.poll(() => sim.control.counters().plexTv.inFlight).toBe(0);
  });

  it("'reset' over HTTP/1.1 on TLS resets the TCP connection", async () => {
    sim.control.addFault({ kind: 'reset', path: '/api/v2/ping', times: 1 });
    const h1 = connection(false);
    await expect(get(h1, '/api/v2/ping')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await get(h1, '/api/v2/ping')).status).toBe(200);
    expect(sim.control.counters().plexTv.connectionsOpened).toBe(2);
  });

  it("'hang' keeps the stream open until the client cancels it, and the connection stays usable", async () => {
    sim.control.addFault({ kind: 'hang', path: '/api/v2/resources', times: 1 });
    const h2 = connection(true);
    const hung = request(`${sim.plexTvUrl}/api/v2/resources`, { dispatcher: h2, headers: plexHeaders(sim.ownerToken), signal: AbortSignal.timeout(100) });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    await expect.poll(() => sim.control.counters().plexTv.inFlight).toBe(0);
    expect((await get(h2, '/api/v2/user')).status).toBe(200);
    expect(sim.control.counters().plexTv.connectionsOpened).toBe(1);
  });
});

describe('close over HTTP/2', () => {
  it('cuts hung and delayed HTTP/2 requests', async () => {
    const other = await startPlexSimulator({ tls: true, latencyMs: 60_000 });
    other.control.addFault({ kind: 'hang', path: '/api/v2/resources' });
    const client = new Client(other.plexTvUrl, { allowH2: true, pipelining: 10, connect: { ca: other.tlsCaPem } });
    clients.push(client);
    const call = (path: string) => request(`${other.plexTvUrl}${path}`, { dispatcher: client, headers: plexHeaders(other.ownerToken) });
    const pending = outcomes([call('/api/v2/resources'), call('/api/v2/user')]);
    await expect.poll(() => other.control.counters().plexTv.inFlight).toBe(2);
    await other.close();
    expect(await pending).toEqual(['failed', 'failed']);
  });
});
