import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { PMS_401_HTML } from './pms-app.js';
import { plexHeaders, plexTv, send, sendJson } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const pms = (path: string, token?: string, json = true) =>
  send(`${sim.pmsUrl}${path}`, {
    headers: { ...(token ? { 'X-Plex-Token': token } : {}), ...(json ? { Accept: 'application/json' } : {}) },
  });

describe('media server', () => {
  it('answers /identity without a token, in JSON and XML', async () => {
    expect((await pms('/identity')).json()).toEqual({
      MediaContainer: { size: 0, claimed: true, machineIdentifier: sim.machineIdentifier, version: '1.41.0.8992-8463ad060' },
    });
    const xml = await pms('/identity', undefined, false);
    expect(xml.contentType).toMatch(/^application\/xml/);
    expect(xml.xml().MediaContainer).toMatchObject({ claimed: '1', machineIdentifier: sim.machineIdentifier });
  });

  it('answers 401 text/html with X-Plex-Protocol for a missing or wrong token', async () => {
    for (const token of [undefined, 'wrong', 'friend-token']) {
      const res = await pms('/library/sections', token);
      expect(res.status).toBe(401);
      expect(res.contentType).toMatch(/^text\/html/);
      expect(res.headers.get('x-plex-protocol')).toBe('1.0');
      expect(res.text).toBe(PMS_401_HTML);
    }
    const root = await pms('/');
    expect(root.status).toBe(401);
    expect(root.text).toContain("'web/index.html'");
  });

  it('lists sections by local key with the server token or the owner token', async () => {
    const sections = (await pms('/library/sections', sim.serverToken)).json().MediaContainer;
    expect(sections.size).toBe(3);
    expect(sections.Directory.map((d: { key: string; title: string }) => [d.key, d.title])).toEqual([
      ['1', 'Movies'],
      ['2', 'TV Shows'],
      ['3', 'Music'],
    ]);
    const xml = (await pms('/library/sections?X-Plex-Token=owner-token', undefined, false)).xml().MediaContainer;
    expect(xml.Directory[0]).toMatchObject({ key: '1', type: 'movie', agent: 'tv.plex.agents.movie' });
    expect(xml.Directory[0].Location[0].path).toBe('/data/movies');
  });

  it('answers / with the server name and machine id', async () => {
    const root = (await pms('/', sim.serverToken)).json().MediaContainer;
    expect(root).toMatchObject({ friendlyName: 'Home PMS', machineIdentifier: sim.machineIdentifier });
    expect(root.myPlexUsername).toBe('owner@example.com');
  });

  it('shows a friend only the libraries of their accepted share', async () => {
    const body = { machineIdentifier: sim.machineIdentifier, invitedEmail: 'friend', librarySectionIds: [35723970] };
    const { id } = (await sendJson(sim, 'POST', '/api/v2/shared_servers', body)).json();
    await plexTv(sim, `/api/v2/shared_servers/${id}/accept`, { method: 'POST', headers: plexHeaders('friend-token') });
    const resources = await plexTv(sim, '/api/v2/resources', { headers: plexHeaders('friend-token') });
    const sections = await pms('/library/sections', resources.json()[0].accessToken);
    const titles = sections.json().MediaContainer.Directory.map((d: { title: string }) => d.title);
    expect(titles).toEqual(['Music']);
  });

  it('follows library changes made through the control API', async () => {
    sim.control.removeLibrary(35723967);
    sim.control.addLibrary({ id: 35723999, key: 7, title: 'Kids & Family', type: 'movie' });
    const sections = await pms('/library/sections', sim.serverToken);
    const keys = sections.json().MediaContainer.Directory.map((d: { key: string }) => d.key);
    expect(keys).toEqual(['2', '3', '7']);
    expect(() => sim.control.removeLibrary(35723967)).toThrow(/no library/);
  });

  it('answers an unknown path with an HTML 404', async () => {
    const res = await pms('/nope', sim.serverToken);
    expect(res.status).toBe(404);
    expect(res.contentType).toMatch(/^text\/html/);
  });
});
