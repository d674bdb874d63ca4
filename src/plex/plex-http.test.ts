import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deadUrl, plexFailure, useSimulator } from '../../test/helpers/plex-sim.js';
import { createPlexHttp, type PlexHttp } from './plex-http.js';

const plex = useSimulator();

let http: PlexHttp | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

const headers = () => ({ 'X-Plex-Token': plex.sim.ownerToken, 'X-Plex-Client-Identifier': 'http-test', Accept: 'application/json' });

describe('createPlexHttp', () => {
  it('answers the status, content type and body of a 2xx', async () => {
    http = createPlexHttp();
    const answer = await http.send({ what: 'reading the account', url: `${plex.sim.plexTvUrl}/api/v2/user`, headers: headers() });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('application/json');
    expect(JSON.parse(answer.text)).toMatchObject({ username: 'owner' });
  });

  it('throws a classified PlexError for a non-2xx, with Retry-After', async () => {
    plex.sim.control.addFault({ kind: 'rate-limit', retryAfterSeconds: 12, path: '/api/v2/user' });
    http = createPlexHttp();
    const error = await plexFailure(http.send({ what: 'reading the account', url: `${plex.sim.plexTvUrl}/api/v2/user`, headers: headers() }), 'rate_limited');
    expect(error).toMatchObject({ status: 429, retryAfterSeconds: 12 });
  });

  it('uses the per-call timeout over the default one', async () => {
    plex.sim.control.addFault({ kind: 'hang', path: '/api/v2/user' });
    http = createPlexHttp({ timeoutMs: 10_000 });
    const started = performance.now();
    const error = await plexFailure(
      http.send({ what: 'reading the account', url: `${plex.sim.plexTvUrl}/api/v2/user`, headers: headers(), timeoutMs: 250 }),
      'timeout',
    );
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error.message).toBe('Plex did not answer within 0.25 s while reading the account');
  });

  it('uses the default timeout when the call names none', async () => {
    plex.sim.control.addFault({ kind: 'hang', path: '/api/v2/user' });
    http = createPlexHttp({ timeoutMs: 250 });
    const started = performance.now();
    await plexFailure(http.send({ what: 'reading the account', url: `${plex.sim.plexTvUrl}/api/v2/user`, headers: headers() }), 'timeout');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(230);
    expect(elapsed).toBeLessThan(1500);
  });

  it('times out on an answer slower than the timeout', async () => {
    plex.sim.control.addLatency({ path: '/api/v2/user', ms: 1000 });
    http = createPlexHttp({ timeoutMs: 200 });
    await plexFailure(http.send({ what: 'reading the account', url: `${plex.sim.plexTvUrl}/api/v2/user`, headers: headers() }), 'timeout');
  });

  it('times out when the answer stops halfway through the body', async () => {
    // The simulator answers whole or not at all, so a bare server sends the headers and half a body.
    const stalling = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"id":');
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    try {
      http = createPlexHttp({ timeoutMs: 250 });
      const { port } = stalling.address() as AddressInfo;
      const started = performance.now();
      await plexFailure(http.send({ what: 'reading the account', url: `http://127.0.0.1:${port}/api/v2/user`, headers: headers() }), 'timeout');
      expect(performance.now() - started).toBeLessThan(1500);
    } finally {
      stalling.closeAllConnections();
      await new Promise((resolve) => stalling.close(resolve));
    }
  });

  it('reports nothing listening as network with the host in the message', async () => {
    http = createPlexHttp();
    const url = await deadUrl();
    const error = await plexFailure(http.send({ what: 'reading the account', url: `${url}/api/v2/user`, headers: headers() }), 'network');
    expect(error.message).toContain(new URL(url).host);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('keeps working after a timeout and after a reset connection', async () => {
    const { control } = plex.sim;
    control.addFault({ kind: 'hang', path: '/api/v2/user', times: 1 });
    control.addFault({ kind: 'reset', path: '/api/v2/ping', times: 1 });
    http = createPlexHttp({ timeoutMs: 250 });
    const send = (path: string) => http!.send({ what: 'calling', url: `${plex.sim.plexTvUrl}${path}`, headers: headers() });
    await plexFailure(send('/api/v2/user'), 'timeout');
    await plexFailure(send('/api/v2/ping'), 'network');
    expect((await send('/api/v2/user')).status).toBe(200);
    expect((await send('/api/v2/ping')).status).toBe(200);
  });
});

describe('keep-alive connection pool', () => {
  it('reuses its connections for sequential calls to plex.tv and clients.plex.tv', async () => {
    const client = plex.client();
    for (let i = 0; i < 20; i += 1) {
      await client.tv.getAccount(plex.sim.ownerToken);
      await client.sharing.listAcceptedShares(plex.sim.ownerToken);
    }
    const counters = plex.sim.control.counters().plexTv;
    expect(counters.total).toBe(40);
    // undici hands back the body a tick before it marks a brand-new connection idle, so the second
    // call may open one more; after that both are reused. Without keep-alive this would be 40.
    expect(counters.connectionsOpened).toBeGreaterThanOrEqual(1);
    expect(counters.connectionsOpened).toBeLessThanOrEqual(2);
  });

  it('opens at most connectionsPerOrigin connections for a burst of 200 invites', async () => {
    // A little latency keeps requests in flight, so an unbounded pool would open far more than 16.
    plex.sim.control.setLatency(25);
    const client = plex.client({ connectionsPerOrigin: 16, timeoutMs: 20_000 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.sharing.inviteFriend(plex.sim.ownerToken, {
          machineIdentifier: plex.sim.machineIdentifier,
          invitee: `burst-${i}@example.com`,
          librarySectionIds: [plex.sim.libraries[0]!.id],
          sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
        }),
      ),
    );
    expect(results.every((r) => r.outcome === 'sent')).toBe(true);
    expect(plex.sim.control.state().shares).toHaveLength(200);
    const { connectionsOpened } = plex.sim.control.counters().plexTv;
    expect(connectionsOpened).toBeGreaterThan(1);
    expect(connectionsOpened).toBeLessThanOrEqual(16);
  });
});
