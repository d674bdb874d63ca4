import { afterEach, describe, expect, it } from 'vitest';
import { apiAuth, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharedLibraryIds, sharePosts } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

describe('libraries API', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  let auth: { authorization: string };
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(options: { plexPageWaitMs?: number } = {}) {
    t = await createReadyApp(plex.sim, options);
    auth = await apiAuth(t);
  }

  const call = (method: 'GET' | 'PUT', payload?: unknown) =>
    t!.app.inject({ method, url: '/api/v1/libraries', headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('waits for a slow Plex (pages give up sooner; an API caller would rather have the list)', async () => {
    await start({ plexPageWaitMs: 100 });
    plex.sim.control.addLatency({ path: `/api/servers/${plex.sim.machineIdentifier}`, ms: 600, times: 1 });
    const response = await call('GET');
    expect(response.statusCode).toBe(200);
    expect(response.json().libraries).toHaveLength(3);
  });

  it('lists the libraries with what is selected and what is missing', async () => {
    await start();
    const response = await call('GET');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      libraries: [
        { key: '1', title: 'Movies', type: 'movie', selected: true },
        { key: '2', title: 'TV Shows', type: 'show', selected: true },
        { key: '3', title: 'Music', type: 'artist', selected: false },
      ],
      missing: [],
    });

    plex.sim.control.removeLibrary(35723967);
    t!.deps.services.libraryMapping.invalidate();
    expect((await call('GET')).json()).toMatchObject({ libraries: [{ key: '2' }, { key: '3' }], missing: ['1'] });
  });

  it('saves a selection with PUT, and invites then carry exactly those libraries', async () => {
    await start();
    const response = await call('PUT', { selected: ['3'] });
    expect(response.statusCode).toBe(200);
    expect(response.json().libraries.map((library: { selected: boolean }) => library.selected)).toEqual([false, false, true]);
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['3']);
    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'libraries.update' });
    expect(entries).toEqual([expect.objectContaining({ actor: 'api key robot', actorType: 'api' })]);

    plex.sim.control.clearLog();
    await t!.deps.services.invitations.submit({ email: 'alice@example.com', clientIp: '10.0.0.2', userAgent: undefined });
    expect(sharePosts(plex.sim).map(sharedLibraryIds)).toEqual([[35723970]]);
  });

  it('answers 400 naming `selected` for an unknown key, a missing or a malformed list', async () => {
    await start();
    for (const payload of [{ selected: ['1', '99'] }, {}, { selected: [{ key: '1' }] }, { chosen: ['1'] }]) {
      const response = await call('PUT', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(Object.keys(response.json().error.fields)[0], JSON.stringify(payload)).toMatch(/^selected(\.|$)/);
    }
    const empty = await t!.app.inject({ method: 'PUT', url: '/api/v1/libraries', headers: auth });
    expect(empty.statusCode).toBe(400);
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });

  it('answers 503 with the reason when Plex cannot be reached', async () => {
    await start();
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const response = await call('GET');
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatchObject({ code: 'plex.unavailable', message: expect.stringContaining('This token was revoked') });
    const save = await call('PUT', { selected: ['3'] });
    expect(save.statusCode).toBe(503);
    expect(save.json().error.code).toBe('plex.unavailable');
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });

  it('needs a valid API key and documents the routes', async () => {
    await start();
    for (const headers of [{}, { authorization: 'Bearer hk_wrong' }, { authorization: 'Basic b3duZXI6cHc=' }]) {
      expect((await t!.app.inject({ method: 'GET', url: '/api/v1/libraries', headers })).statusCode).toBe(401);
      expect((await t!.app.inject({ method: 'PUT', url: '/api/v1/libraries', headers, payload: { selected: ['3'] } })).statusCode).toBe(401);
    }
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
    const spec = (await t!.app.inject('/api/openapi.json')).json();
    expect(spec.paths['/api/v1/libraries'].get.tags).toEqual(['libraries']);
    expect(spec.paths['/api/v1/libraries'].put.requestBody.content['application/json'].schema.properties.selected.type).toBe('array');
  });
});
