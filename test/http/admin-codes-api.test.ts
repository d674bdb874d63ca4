import { afterEach, describe, expect, it } from 'vitest';
import { apiAuth, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

describe('invite codes API', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  let auth: { authorization: string };
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(env: Record<string, string> = { BASE_URL: 'https://invite.example.com' }) {
    t = await createReadyApp(plex.sim, { env });
    auth = await apiAuth(t);
  }

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t!.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload ? { payload } : {}) });

  it('creates random and custom codes (201) and lists them with their links', async () => {
    await start();
    const random = await call('POST', '/codes', {});
    expect(random.statusCode).toBe(201);
    expect(random.json()).toMatchObject({ label: null, maxUses: null, remaining: null, uses: 0, state: 'active', libraries: null, createdBy: 'api key robot' });
    expect(random.json().link).toBe(`https://invite.example.com/join/${random.json().code}`);

    t!.clock.advance(1000);
    const custom = await call('POST', '/codes', { code: 'Book-Club', label: 'Readers', expiresAt: '2026-12-24T18:00:00+01:00', maxUses: 5, libraries: ['3'] });
    expect(custom.statusCode, custom.body).toBe(201);
    expect(custom.json()).toMatchObject({ code: 'Book-Club', label: 'Readers', expiresAt: '2026-12-24T17:00:00.000Z', maxUses: 5, remaining: 5, libraries: ['3'] });

    const list = await call('GET', '/codes');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((code: { code: string; link: string }) => [code.code, code.link])).toEqual([
      ['Book-Club', 'https://invite.example.com/join/Book-Club'],
      [random.json().code, random.json().link],
    ]);
    expect((await call('GET', '/codes?limit=1&offset=1')).json().items.map((code: { id: string }) => code.id)).toEqual([random.json().id]);

    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'code.create' });
    expect(entries.map((entry) => [entry.actor, entry.actorType])).toEqual([['api key robot', 'api'], ['api key robot', 'api']]);
  });

  it('answers 400 naming the field for invalid input, 409 for a taken code', async () => {
    await start();
    const cases: Array<[object, string]> = [
      [{ code: 'no spaces allowed' }, 'code'],
      [{ maxUses: 0 }, 'maxUses'],
      [{ maxUses: 'many' }, 'maxUses'],
      [{ expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [{ libraries: [{ key: '1' }] }, 'libraries.0'],
      [{ libraries: ['Movies', 'Nope'] }, 'libraries'],
      [{ label: 'x'.repeat(150) }, 'label'],
    ];
    for (const [payload, field] of cases) {
      const response = await call('POST', '/codes', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(Object.keys(response.json().error.fields), JSON.stringify(payload)).toEqual([field]);
    }
    expect((await call('POST', '/codes', { code: 'TAKEN' })).statusCode).toBe(201);
    const taken = await call('POST', '/codes', { code: 'taken' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'code.duplicate', fields: { code: expect.stringContaining('already taken') } });
    expect((await call('GET', '/codes')).json().items).toHaveLength(1);
  });

  it('checks library overrides as trimmed, ignores blank ones, and audits a blank code as a random one', async () => {
    await start();
    const spaced = await call('POST', '/codes', { code: '   ', libraries: [' 1 ', ' ', ''] });
    expect(spaced.statusCode, spaced.body).toBe(201);
    expect(spaced.json()).toMatchObject({ libraries: ['1'] });
    expect(spaced.json().code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);
    const blank = await call('POST', '/codes', { libraries: [' ', ''] });
    expect(blank.statusCode, blank.body).toBe(201);
    expect(blank.json().libraries).toBeNull();

    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'code.create' });
    expect(entries.find((entry) => entry.target === spaced.json().id)?.details).toMatchObject({ custom: false, libraries: ['1'] });
  });

  it('names every library the server lacks', async () => {
    await start();
    const response = await call('POST', '/codes', { libraries: ['1', '8', '9'] });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'code.unknown_libraries', fields: { libraries: 'The server has no library 8, 9.' } });
    expect(await t!.deps.services.codes.countCodes()).toBe(0);
  });

  it('answers 503 with the reason when Plex cannot be asked about the libraries, and makes no code', async () => {
    await start();
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const response = await call('POST', '/codes', { libraries: ['9'] });
    expect(response.statusCode).toBe(503);
    const message = 'Helpr could not check the libraries with Plex. This token was revoked: sign in with Plex again.';
    expect(response.json().error).toMatchObject({ code: 'plex.unavailable', message, fields: { libraries: message } });
    expect(await t!.deps.services.codes.countCodes()).toBe(0);
  });

  it('revokes with DELETE (200, then /join/CODE answers 410) and answers 404 for an unknown id', async () => {
    await start();
    const created = (await call('POST', '/codes', { code: 'GOING-AWAY' })).json();
    const revoked = await call('DELETE', `/codes/${created.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: created.id, state: 'revoked', revoked: true, revokedAt: '2026-11-24T12:00:00.000Z', link: created.link });
    expect((await t!.app.inject('/join/GOING-AWAY')).statusCode).toBe(410);
    expect((await call('DELETE', `/codes/${created.id}`)).statusCode).toBe(200);
    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'code.revoke' });
    expect(entries).toHaveLength(1);

    const unknown = await call('DELETE', '/codes/does-not-exist');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('code.not_found');
  });

  it('needs a valid API key and documents the routes', async () => {
    await start();
    const { key, view } = await t!.deps.services.apiKeys.create({ name: 'old', createdBy: 'owner' });
    await t!.deps.services.apiKeys.revoke(view.id, { name: 'owner', type: 'admin', ip: null });
    for (const headers of [{}, { authorization: `Bearer ${key}` }, { authorization: 'Bearer hk_wrong' }]) {
      for (const [method, url] of [['GET', '/codes'], ['POST', '/codes'], ['DELETE', '/codes/x']] as const) {
        const response = await t!.app.inject({ method, url: `/api/v1${url}`, headers, ...(method === 'GET' ? {} : { payload: {} }) });
        expect(response.statusCode, `${method} ${url}`).toBe(401);
      }
    }
    expect(await t!.deps.services.codes.countCodes()).toBe(0);

    const spec = (await t!.app.inject('/api/openapi.json')).json();
    expect(spec.paths['/api/v1/codes'].get.tags).toEqual(['codes']);
    expect(Object.keys(spec.paths['/api/v1/codes'].post.requestBody.content['application/json'].schema.properties)).toEqual(['code', 'label', 'expiresAt', 'maxUses', 'libraries', 'accessDays', 'accessStartsOn', 'permissions']);
    expect(spec.paths['/api/v1/codes/{id}'].delete.summary).toMatch(/Revoke/);
  });
});
