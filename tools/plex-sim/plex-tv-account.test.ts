import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { INVALID_TOKEN_BODY } from './responses.js';
import { CLIENT_ID, plexHeaders, plexTv, send } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

describe('E1 /api/v2/user', () => {
  it('answers JSON when asked and XML otherwise', async () => {
    const json = await plexTv(sim, '/api/v2/user');
    expect(json.status).toBe(200);
    expect(json.contentType).toMatch(/^application\/json/);
    expect(json.json()).toMatchObject({ id: 12345, username: 'owner', email: 'owner@example.com' });
    expect(json.json().authToken).toBe('owner-token');

    const xml = await plexTv(sim, '/api/v2/user', { headers: plexHeaders(sim.ownerToken, { json: false }) });
    expect(xml.contentType).toMatch(/^application\/xml/);
    const user = xml.xml().user;
    expect(user).toMatchObject({ id: '12345', username: 'owner', home: '1' });
    expect(user.roles.role[0].id).toBe('plexpass');
  });

  it('takes the token and client identifier from the query string too', async () => {
    const res = await send(`${sim.plexTvUrl}/api/v2/user?X-Plex-Token=friend-token&X-Plex-Client-Identifier=${CLIENT_ID}`, {
      headers: { Accept: 'application/json' },
    });
    expect(res.json().username).toBe('friend');
  });

  it('requires a client identifier (400/1000) before looking at the token', async () => {
    const res = await plexTv(sim, '/api/v2/user', { headers: plexHeaders('bad', { clientId: '' }) });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ errors: [{ code: 1000, message: 'X-Plex-Client-Identifier is missing', status: 400 }] });
  });

  it('answers 401/1001 for a bad or missing token, in JSON or XML', async () => {
    const json = await plexTv(sim, '/api/v2/user', { headers: plexHeaders('nope') });
    expect(json.status).toBe(401);
    expect(json.json()).toEqual({ errors: [{ code: 1001, message: 'User could not be authenticated', status: 401 }] });

    const xml = await plexTv(sim, '/api/v2/user', { headers: plexHeaders(undefined, { json: false }) });
    expect(xml.status).toBe(401);
    expect(xml.xml().errors.error[0]).toEqual({ code: '1001', message: 'User could not be authenticated', status: '401' });
  });

  it('answers 422 "Invalid token" in XML for a revoked token, even when JSON was asked for', async () => {
    sim.control.revokeToken('owner-token');
    const res = await plexTv(sim, '/api/v2/user');
    expect(res.status).toBe(422);
    expect(res.contentType).toMatch(/^application\/xml/);
    expect(res.text).toBe(INVALID_TOKEN_BODY);
    expect(res.text).toContain('<errors>\n  <error>Invalid token</error>\n</errors>');
    expect((await plexTv(sim, '/api/users')).status).toBe(422);
    sim.control.restoreToken('owner-token');
    expect((await plexTv(sim, '/api/v2/user')).status).toBe(200);
  });

  it('answers the ping', async () => {
    expect((await plexTv(sim, '/api/v2/ping')).json()).toEqual({ pong: true });
  });
});

describe('E2 resources', () => {
  it('lists the owned server with working local connections first and relay last', async () => {
    const res = await plexTv(sim, '/api/v2/resources?includeHttps=1&includeRelay=1');
    const devices = res.json<Record<string, any>[]>(); // eslint-disable-line @typescript-eslint/no-explicit-any
    const server = devices.find((device) => device.provides === 'server' && device.owned);
    expect(server).toMatchObject({ clientIdentifier: sim.machineIdentifier, name: 'Home PMS' });
    expect(server?.accessToken).toBe(sim.serverToken);
    expect(server?.connections.map((c: { local: boolean; relay: boolean }) => [c.local, c.relay])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(server?.connections[0].uri).toBe(sim.pmsUrl);
    expect(devices.some((device) => device.provides === 'client,player')).toBe(true);
    const identity = await send(`${server?.connections[0].uri}/identity`, { headers: { Accept: 'application/json' } });
    expect(identity.json().MediaContainer.machineIdentifier).toBe(sim.machineIdentifier);
  });

  it('leaves relay connections out unless includeRelay=1, and answers XML without Accept', async () => {
    const res = await plexTv(sim, '/api/v2/resources', { headers: plexHeaders(sim.ownerToken, { json: false }) });
    const resource = res.xml().MediaContainer.resource[0];
    expect(resource.clientIdentifier).toBe(sim.machineIdentifier);
    expect(resource.connections.connection.map((c: { relay: string }) => c.relay)).toEqual(['0']);
  });

  it('can list a dead local connection first to exercise fallback', async () => {
    const other = await startPlexSimulator({ unreachableConnection: true });
    try {
      const res = await plexTv(other, '/api/v2/resources');
      const uris: string[] = res.json()[0].connections.map((c: { uri: string }) => c.uri);
      expect(uris).toHaveLength(2);
      expect(uris[1]).toBe(other.pmsUrl);
      await expect(fetch(`${uris[0]}/identity`)).rejects.toThrow();
    } finally {
      await other.close();
    }
  });
});

describe('E3 server sections', () => {
  it('v1 answers XML with global ids next to local keys, whatever Accept says', async () => {
    const res = await plexTv(sim, `/api/servers/${sim.machineIdentifier}`);
    expect(res.contentType).toMatch(/^application\/xml/);
    const sections = res.xml().MediaContainer.Server[0].Section;
    expect(sections.map((s: { id: string; key: string }) => [s.id, s.key])).toEqual([
      ['35723967', '1'],
      ['35723968', '2'],
      ['35723970', '3'],
    ]);
  });

  it('v1 answers 401 as a Response element and an unknown machine id as an HTML 404', async () => {
    const unauthorised = await plexTv(sim, `/api/servers/${sim.machineIdentifier}`, { headers: {} });
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.xml().Response).toEqual({ code: '401', status: 'Unauthorized' });
    const unknown = await plexTv(sim, '/api/servers/0000000000000000000000000000000000000000');
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toMatch(/^text\/html/);
  });

  it('v2 lists librarySections, and can be made to return an empty list (Wizarr flakiness)', async () => {
    const path = `/api/v2/servers/${sim.machineIdentifier}`;
    const movies = { id: 35723967, key: 1, title: 'Movies', type: 'movie' };
    expect((await plexTv(sim, path)).json().librarySections).toContainEqual(movies);
    sim.control.emptyV2ServerSections(1);
    expect((await plexTv(sim, path)).json().librarySections).toEqual([]);
    expect((await plexTv(sim, path)).json().librarySections).toHaveLength(3);
  });

  it('reflects a removed library', async () => {
    sim.control.removeLibrary(35723968);
    const sections = (await plexTv(sim, `/api/servers/${sim.machineIdentifier}`)).xml().MediaContainer.Server[0].Section;
    expect(sections.map((s: { title: string }) => s.title)).toEqual(['Movies', 'Music']);
  });
});

describe('unknown and removed routes', () => {
  it('answers 404/1002 for an unknown v2 route and Rails HTML for an unknown v1 path', async () => {
    const v2 = await plexTv(sim, '/api/v2/no_such_thing');
    expect(v2.status).toBe(404);
    expect(v2.json().errors[0]).toMatchObject({ code: 1002, status: 404 });
    const v1 = await plexTv(sim, '/api/no_such_thing');
    expect(v1.status).toBe(404);
    expect(v1.contentType).toMatch(/^text\/html/);
    expect(v1.text).toContain("The page you were looking for doesn't exist");
  });

  it.each([
    ['GET', '/api/invites/requested'],
    ['DELETE', '/api/invites/requested/22526914?friend=0&server=1&home=0'],
    ['GET', '/api/invites/requests'],
    ['PUT', '/api/invites/requests/5?friend=1&server=1&home=0'],
    ['DELETE', '/api/friends/22526914'],
  ])('%s %s answers 410 Gone', async (method, path) => {
    const res = await plexTv(sim, path, { method });
    expect(res.status).toBe(410);
    expect(res.text).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response code="410" status="This endpoint was deprecated and removed"/>\n',
    );
  });
});
