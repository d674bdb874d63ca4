import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadUrl, plexFailure, startSim, useSimulator } from '../../test/helpers/plex-sim.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import type { PlexConnection } from './plex.schemas.js';
import { orderConnections } from './pms.client.js';

const plex = useSimulator({ unreachableConnection: true });

const connection = (uri: string, local = true, relay = false): PlexConnection => ({ uri, local, relay });

/** The server's addresses as plex.tv lists them: a dead local one, the working local one, a relay. */
async function ownedConnections(): Promise<PlexConnection[]> {
  const [server] = await plex.client().tv.getOwnedServers(plex.sim.ownerToken);
  return server!.connections;
}

describe('identity (E4 /identity)', () => {
  it('names the server without a token', async () => {
    const identity = await plex.client().pms.identity(plex.sim.pmsUrl);
    expect(identity.machineIdentifier).toBe(plex.sim.machineIdentifier);
    const [call] = plex.sim.control.requestLog({ target: 'pms', path: '/identity' });
    expect(call!.headers['x-plex-token']).toBeUndefined();
    expect(call!.headers.accept).toBe('application/json');
  });

  it('reports a dead address as a network failure', async () => {
    await plexFailure(plex.client().pms.identity(await deadUrl()), 'network');
  });
});

describe('libraries (E4 /library/sections)', () => {
  it('reads the local keys with the server token', async () => {
    const libraries = await plex.client().pms.libraries(plex.sim.pmsUrl, plex.sim.serverToken);
    expect(libraries).toEqual(plex.sim.libraries.map((lib) => ({ key: String(lib.key), title: lib.title, type: lib.type })));
    const [call] = plex.sim.control.requestLog({ target: 'pms', path: '/library/sections' });
    expect(call!.headers['x-plex-token']).toBe(plex.sim.serverToken);
    expect(Object.keys(call!.query)).toEqual([]);
  });

  it('turns the HTML 401 page for a wrong token into invalid_token', async () => {
    const error = await plexFailure(plex.client().pms.libraries(plex.sim.pmsUrl, 'wrong-token'), 'invalid_token');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Unauthorized');
  });
});

describe('probe (E4 connection test)', () => {
  it('tries the dead address, chooses the working local one and reads the libraries', async () => {
    const connections = await ownedConnections();
    expect(connections.length).toBe(3);
    const probe = await plex.client().pms.probe(connections, plex.sim.machineIdentifier, plex.sim.serverToken, 2000);

    expect(probe.connections).toHaveLength(3);
    const [dead, local, relay] = probe.connections;
    expect(dead).toMatchObject({ local: true, ok: false });
    expect(dead!.error).toMatch(/ECONNREFUSED/);
    expect(local).toMatchObject({ uri: plex.sim.pmsUrl, local: true, relay: false, ok: true, machineIdentifier: plex.sim.machineIdentifier });
    expect(relay).toMatchObject({ relay: true, ok: true });
    expect(probe.chosen).toEqual(local);
    expect(probe.identityMismatch).toBeUndefined();
    expect(probe.libraries?.map((l) => l.key)).toEqual(['1', '2', '3']);
    expect(probe.librariesError).toBeUndefined();
  });

  it('reports how long each address took to answer', async () => {
    plex.sim.control.setLatency(120, 'pms');
    const probe = await plex.client().pms.probe([connection(plex.sim.pmsUrl)], plex.sim.machineIdentifier, plex.sim.serverToken, 2000);
    expect(probe.chosen?.latencyMs).toBeGreaterThanOrEqual(110);
    expect(probe.chosen!.latencyMs).toBeLessThan(1500);
  });

  it('prefers a local address to the relay whatever order plex.tv used', async () => {
    const relayFirst = [connection(`${plex.sim.pmsUrl}/`, false, true), connection(plex.sim.pmsUrl, true)];
    const probe = await plex.client().pms.probe(relayFirst, plex.sim.machineIdentifier, plex.sim.serverToken, 2000);
    expect(probe.connections.map((c) => c.relay)).toEqual([false, true]);
    expect(probe.chosen).toMatchObject({ uri: plex.sim.pmsUrl, relay: false });
  });

  it('reports every address failed within the timeout when the server hangs', async () => {
    plex.sim.control.addFault({ kind: 'hang', target: 'pms' });
    const connections = await ownedConnections();
    const started = performance.now();
    const probe = await plex.client().pms.probe(connections, plex.sim.machineIdentifier, plex.sim.serverToken, 300);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(probe.connections.map((c) => c.ok)).toEqual([false, false, false]);
    expect(probe.chosen).toBeUndefined();
    expect(probe.libraries).toBeUndefined();
    const hung = probe.connections.filter((c) => c.uri === plex.sim.pmsUrl);
    expect(hung[0]!.error).toMatch(/did not answer/);
  });

  it('keeps the address but reports the token when the libraries cannot be read', async () => {
    const probe = await plex.client().pms.probe([connection(plex.sim.pmsUrl)], plex.sim.machineIdentifier, 'wrong-token', 2000);
    expect(probe.chosen?.ok).toBe(true);
    expect(probe.libraries).toBeUndefined();
    expect(probe.librariesError).toMatchObject({ kind: 'invalid_token', status: 401 });
  });

  describe('when an address answers as another server', () => {
    let other: PlexSimulator;
    beforeAll(async () => {
      other = await startSim({ seed: { server: { machineIdentifier: 'a'.repeat(40) } } });
    });
    afterAll(async () => {
      await other.close();
    });

    it('reports the mismatch and does not choose it', async () => {
      const probe = await plex.client().pms.probe([connection(other.pmsUrl)], plex.sim.machineIdentifier, plex.sim.serverToken, 2000);
      expect(probe.connections[0]).toMatchObject({ ok: true, machineIdentifier: 'a'.repeat(40) });
      expect(probe.chosen).toBeUndefined();
      expect(probe.identityMismatch).toEqual({ uri: other.pmsUrl, machineIdentifier: 'a'.repeat(40) });
      expect(other.control.requestLog({ path: '/library' })).toEqual([]);
    });

    it('still chooses the right server when another one also answers', async () => {
      const both = [connection(other.pmsUrl), connection(plex.sim.pmsUrl)];
      const probe = await plex.client().pms.probe(both, plex.sim.machineIdentifier, plex.sim.serverToken, 2000);
      expect(probe.chosen?.uri).toBe(plex.sim.pmsUrl);
      expect(probe.identityMismatch?.uri).toBe(other.pmsUrl);
    });
  });
});

describe('orderConnections', () => {
  it('puts local first, remote next and relay last, keeping plex.tv\'s order within each', () => {
    const list = [connection('r1', false, true), connection('p1', false), connection('l1'), connection('p2', false), connection('l2')];
    expect(orderConnections(list).map((c) => c.uri)).toEqual(['l1', 'l2', 'p1', 'p2', 'r1']);
  });
});
