import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { plexFailure, useSimulator } from '../../test/helpers/plex-sim.js';
import { createSimCertificate } from '../../tools/plex-sim/tls-cert.js';
import { createPlexHttp, type PlexHttp } from './plex-http.js';

// plex.tv as it really is: HTTPS, HTTP/2 by ALPN. The media server stays plain HTTP/1.1.
const plex = useSimulator({ tls: true });

const opened: PlexHttp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((http) => http.close()));
});
const httpClient = (options: Parameters<typeof createPlexHttp>[0] = {}) => {
  const http = createPlexHttp({ ca: plex.sim.tlsCaPem, ...options });
  opened.push(http);
  return http;
};

const headers = () => ({ 'X-Plex-Token': plex.sim.ownerToken, 'X-Plex-Client-Identifier': 'h2-test', Accept: 'application/json' });
const call = (http: PlexHttp, path: string, timeoutMs?: number) =>
  http.send({ what: 'calling plex.tv', url: `${plex.sim.plexTvUrl}${path}`, headers: headers(), timeoutMs });

const invite = (i: number) => ({
  machineIdentifier: plex.sim.machineIdentifier,
  invitee: `h2-friend-${i}@example.com`,
  librarySectionIds: [plex.sim.libraries[0]!.id],
  sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
});

const settle = (calls: Promise<unknown>[]) => Promise.allSettled(calls);

describe('HTTP/2 to plex.tv', () => {
  it('multiplexes a cold burst of 100 invites on one connection, all in flight at once', async () => {
    plex.sim.control.setLatency(300);
    const client = plex.client({ timeoutMs: 20_000 });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.sharing.inviteFriend(plex.sim.ownerToken, invite(i))));
    expect(results.every((result) => result.outcome === 'sent')).toBe(true);
    const counters = plex.sim.control.counters().plexTv;
    expect(counters.byHttpVersion).toEqual({ '2.0': 100 });
    expect(counters.maxInFlight).toBe(100);
    expect(counters.connectionsOpened).toBeLessThanOrEqual(2);
  });

  it('opens one more connection per streamsPerConnection requests, not one per request', async () => {
    plex.sim.control.setLatency(200);
    const client = plex.client({ timeoutMs: 20_000, streamsPerConnection: 10 });
    const results = await Promise.all(Array.from({ length: 35 }, (_, i) => client.sharing.inviteFriend(plex.sim.ownerToken, invite(i))));
    expect(results.every((result) => result.outcome === 'sent')).toBe(true);
    const counters = plex.sim.control.counters().plexTv;
    expect(counters.maxInFlight).toBe(35);
    expect(counters.connectionsOpened).toBe(4);
  });

  it('reads the status, content type and Retry-After of HTTP/2 answers', async () => {
    const http = httpClient();
    const answer = await call(http, '/api/v2/user');
    expect(answer).toMatchObject({ status: 200, contentType: expect.stringContaining('application/json') });
    plex.sim.control.addFault({ kind: 'rate-limit', retryAfterSeconds: 9, path: '/api/v2/user', times: 1 });
    expect(await plexFailure(call(http, '/api/v2/user'), 'rate_limited')).toMatchObject({ status: 429, retryAfterSeconds: 9 });
    expect(plex.sim.control.counters().plexTv).toMatchObject({ byHttpVersion: { '2.0': 2 }, connectionsOpened: 1 });
  });

  it('times out a hung stream and keeps using its connection', async () => {
    plex.sim.control.addFault({ kind: 'hang', path: '/api/v2/resources', times: 1 });
    const http = httpClient({ timeoutMs: 250 });
    const error = await plexFailure(call(http, '/api/v2/resources'), 'timeout');
    expect(error.message).toBe('Plex did not answer within 0.25 s while calling plex.tv');
    expect((await call(http, '/api/v2/user')).status).toBe(200);
    expect(plex.sim.control.counters().plexTv.connectionsOpened).toBe(1);
  });

  it('reports a reset stream as a network failure and keeps the connection', async () => {
    plex.sim.control.addFault({ kind: 'reset', path: '/api/v2/ping', times: 1 });
    const http = httpClient();
    const error = await plexFailure(call(http, '/api/v2/ping'), 'network');
    expect(error.message).toContain('ERR_HTTP2_STREAM_ERROR');
    expect((await call(http, '/api/v2/ping')).status).toBe(200);
    expect(plex.sim.control.counters().plexTv.connectionsOpened).toBe(1);
  });

  it('fails every call on a dropped connection as network, sends none twice, and reuses the next connection', async () => {
    plex.sim.control.addLatency({ path: '/api/v2/user', ms: 5_000 });
    plex.sim.control.addFault({ kind: 'reset-connection', path: '/api/v2/ping', times: 1 });
    const http = httpClient();
    const slow = settle([call(http, '/api/v2/user'), call(http, '/api/v2/user')]);
    await expect.poll(() => plex.sim.control.counters().plexTv.inFlight).toBe(2);
    await plexFailure(call(http, '/api/v2/ping'), 'network');
    const failed = (await slow).map((result) => (result.status === 'rejected' ? (result.reason as { kind: string }).kind : 'answered'));
    expect(failed).toEqual(['network', 'network']);
    // undici's Agent would now open a connection per call (nodejs/undici#5022); ours reuses one.
    for (let i = 0; i < 5; i += 1) expect((await call(http, '/api/v2/ping')).status).toBe(200);
    expect(plex.sim.control.counters().plexTv).toMatchObject({ total: 8, connectionsOpened: 2 });
  });

  it('lets close() cut a hung HTTP/2 call after its grace', async () => {
    plex.sim.control.addFault({ kind: 'hang', path: '/api/v2/resources' });
    const http = createPlexHttp({ ca: plex.sim.tlsCaPem, timeoutMs: 60_000 });
    const hung = settle([call(http, '/api/v2/resources')]);
    await expect.poll(() => plex.sim.control.counters().plexTv.inFlight).toBe(1);
    await http.close();
    const [result] = await hung;
    expect(result).toMatchObject({ status: 'rejected', reason: { kind: 'network' } });
    await plexFailure(call(http, '/api/v2/user'), 'network');
  });
});

describe('trust', () => {
  it('refuses the self-signed plex.tv unless told to trust it', async () => {
    const http = createPlexHttp();
    opened.push(http);
    const error = await plexFailure(call(http, '/api/v2/user'), 'network');
    expect(error.message).toContain('self-signed certificate');
    expect(plex.sim.control.counters().plexTv.total).toBe(0);
  });
});

describe('HTTPS origins that speak HTTP/1.1 only', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.close();
    server = undefined;
  });

  it('gives every concurrent request a connection of its own, never pipelining', async () => {
    const { certPem, keyPem } = await createSimCertificate();
    const sockets = new Set<Socket>();
    const waiting: Array<() => void> = [];
    // Answers once 20 requests are waiting together, which pipelining or a single connection would never reach.
    const https = createHttpsServer({ key: keyPem, cert: certPem }, (request, response) => {
      sockets.add(request.socket);
      waiting.push(() => response.end('{}'));
      if (waiting.length === 20) waiting.splice(0).forEach((answer) => answer());
    });
    server = https;
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const http = createPlexHttp({ ca: certPem, timeoutMs: 5_000 });
    opened.push(http);
    const url = `https://127.0.0.1:${(https.address() as AddressInfo).port}/identity`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => http.send({ what: 'probing', url, headers: {} })));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(sockets.size).toBe(20);
  });

  it('times out calls waiting on a TLS handshake that never ends', async () => {
    const silent = createTcpServer(() => {});
    server = silent;
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    // The connect timeout (the default call timeout) is longer, so the calls give up while waiting.
    const http = createPlexHttp({ ca: plex.sim.tlsCaPem, timeoutMs: 1_000 });
    opened.push(http);
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/api/v2/user`;
    const calls = [1, 2, 3].map(() => plexFailure(http.send({ what: 'reading the account', url, headers: {}, timeoutMs: 200 }), 'timeout'));
    expect((await Promise.all(calls)).map((error) => error.message)).toEqual(
      Array(3).fill('Plex did not answer within 0.2 s while reading the account'),
    );
  });
});
