import { Agent, request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { plexHeaders, plexTv, sendJson } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

describe('request log and counters', () => {
  it('records method, path, query, headers of interest and body, but not control calls', async () => {
    const body = { machineIdentifier: sim.machineIdentifier, invitedEmail: 'friend', librarySectionIds: [35723967] };
    await sendJson(sim, 'POST', '/api/v2/shared_servers?X-Plex-Product=Helpr', body);
    await fetch(`${sim.plexTvUrl}/__sim/state`);
    const log = sim.control.requestLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      target: 'plex-tv',
      method: 'POST',
      path: '/api/v2/shared_servers',
      route: '/api/v2/shared_servers',
      query: { 'X-Plex-Product': 'Helpr' },
      body,
      status: 201,
    });
    expect(log[0]?.headers).toMatchObject({ 'x-plex-token': sim.ownerToken, accept: 'application/json' });
    expect(log[0]?.headers['x-plex-client-identifier']).toBe('test-client-id');
    expect(log[0]?.headers).not.toHaveProperty('host');
  });

  it('counts per route, per path and per status for each listener', async () => {
    await plexTv(sim, `/api/servers/${sim.machineIdentifier}`);
    await plexTv(sim, `/api/servers/${sim.machineIdentifier}`);
    await plexTv(sim, '/api/servers/other');
    await fetch(`${sim.pmsUrl}/identity`);
    const { plexTv: counts, pms } = sim.control.counters();
    expect(counts.total).toBe(3);
    expect(counts.byRoute).toEqual({ 'GET /api/servers/:mid': 3 });
    expect(counts.byPath[`GET /api/servers/${sim.machineIdentifier}`]).toBe(2);
    expect(counts.byStatus).toEqual({ '200': 2, '404': 1 });
    expect(counts).toMatchObject({ byHttpVersion: { '1.1': 3 }, inFlight: 0, maxInFlight: 1 });
    expect(sim.control.requestLog()[0]?.httpVersion).toBe('1.1');
    expect(pms).toMatchObject({ total: 1, byRoute: { 'GET /identity': 1 } });
    sim.control.clearLog();
    expect(sim.control.counters().plexTv.total).toBe(0);
    expect(sim.control.requestLog()).toEqual([]);
  });

  it('counts TCP connections: one per keep-alive client, one more per new client', async () => {
    const before = sim.control.counters().plexTv.connectionsOpened;
    const headers = plexHeaders(sim.ownerToken);
    const reused = new Agent({ connections: 1 });
    const fresh = new Agent({ connections: 1 });
    try {
      for (let i = 0; i < 5; i += 1) {
        const res = await request(`${sim.plexTvUrl}/api/v2/ping`, { headers, dispatcher: reused });
        await res.body.text();
      }
      expect(sim.control.counters().plexTv.connectionsOpened - before).toBe(1);
      const res = await request(`${sim.plexTvUrl}/api/v2/ping`, { headers, dispatcher: fresh });
      await res.body.text();
      expect(sim.control.counters().plexTv.connectionsOpened - before).toBe(2);
    } finally {
      await Promise.all([reused.close(), fresh.close()]);
    }
  });

  it('keeps at most requestLogLimit entries while counting everything', async () => {
    const small = await startPlexSimulator({ requestLogLimit: 3 });
    try {
      for (let i = 0; i < 6; i += 1) await plexTv(small, '/api/v2/ping');
      expect(small.control.requestLog().map((entry) => entry.seq)).toEqual([4, 5, 6]);
      expect(small.control.counters().plexTv.total).toBe(6);
    } finally {
      await small.close();
    }
  });
});

describe('load', () => {
  it('answers 600 concurrent requests over 600 connections with latency', async () => {
    sim.control.setLatency(100);
    const headers = plexHeaders(sim.ownerToken);
    const agent = new Agent({ connections: 600 });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 600 }, async () => {
          const res = await request(`${sim.plexTvUrl}/api/v2/user`, { headers, dispatcher: agent });
          await res.body.text();
          return res.statusCode;
        }),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(600);
      const counts = sim.control.counters().plexTv;
      expect(counts.byRoute['GET /api/v2/user']).toBe(600);
      expect(counts.connectionsOpened).toBeGreaterThanOrEqual(500);
    } finally {
      await agent.close();
    }
  });
});
