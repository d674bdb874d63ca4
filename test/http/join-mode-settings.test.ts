import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsRepository } from '../../src/modules/settings/settings.repository.js';
import { createSettingsService } from '../../src/modules/settings/settings.service.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { submitAndFollow, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Who may join: stored, shown and changed (settings page, API), and what each mode asks of a friend. */
const ctx = useSimulator();
let t: TestApp;
let admin: AdminSession;
let key: string;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim, { joinMode: 'open' });
  admin = await signIn(t.app);
  key = (await t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
  await t.deps.services.settings.updateLimits({ invitesPerWindow: 1000 });
});
afterAll(() => t.close());

const api = (method: 'GET' | 'PUT', url: string, payload?: object) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${key}` }, ...(payload ? { payload } : {}) });
const setMode = (joinMode: 'open' | 'code' | 'approval') => t.deps.services.settings.update({ joinMode });

describe('the join mode setting', () => {
  it('reads what an older Helpr stored: requireCode true is the code mode, false the open one', async () => {
    const repository = createSettingsRepository(t.deps.database.db);
    const fresh = () => createSettingsService({ settings: repository, clock: t.clock, ttlMs: 0 }).get();
    await t.deps.database.db.deleteFrom('settings').where('key', 'in', ['joinMode', 'requireCode']).execute();
    expect((await fresh()).joinMode).toBe('open');
    await repository.set('requireCode', true, '2026-01-01T00:00:00.000Z');
    expect((await fresh()).joinMode).toBe('code');
    await repository.set('requireCode', false, '2026-01-01T00:00:00.000Z');
    expect((await fresh()).joinMode).toBe('open');
    // Once chosen, the join mode wins over the old flag.
    await repository.set('requireCode', true, '2026-01-01T00:00:00.000Z');
    await repository.set('joinMode', 'approval', '2026-01-01T00:00:00.000Z');
    expect((await fresh()).joinMode).toBe('approval');
    await t.deps.database.db.deleteFrom('settings').where('key', '=', 'requireCode').execute();
    await setMode('open');
  });

  it('is shown on the dashboard at all times, with a link to change it', async () => {
    for (const [mode, words] of [['open', 'Anyone with the address'], ['code', 'Only with an invite code'], ['approval', 'You approve each request']] as const) {
      await setMode(mode);
      const page = await admin.get('/admin');
      expect(textOf(page.body)).toContain(`Who may join: ${words}`);
      expect(page.body).toMatch(/id="join-mode"[\s\S]*?href="\/admin\/settings#invites">Change<\/a>/);
    }
    await setMode('open');
    expect(textOf((await admin.get('/admin')).body)).toContain('Anyone who finds the public address gets your libraries.');
  });

  it('is changed on the settings page, with each choice spelled out', async () => {
    const page = await admin.get('/admin/settings');
    const text = textOf(page.body);
    expect(text).toContain('How do friends get in?');
    expect(text).toContain('Anyone who finds this address gets your libraries at once, without asking you.');
    expect(text).toContain('Only with an invite code (suggested)');
    expect(text).toContain('Nothing is shared until you approve the request on the dashboard');
    expect(page.body).toMatch(/<input[^>]*id="joinMode-open"[^>]*checked/);

    const form = { duplicateWindowMinutes: '10' };
    expect((await admin.post('/admin/settings/invites', { ...form, joinMode: 'approval' })).statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).joinMode).toBe('approval');
    const refused = await admin.post('/admin/settings/invites', { ...form, joinMode: 'everyone' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('id="joinMode-error">Choose how friends get in.<');
    expect((await t.deps.services.settings.get()).joinMode).toBe('approval');
    await setMode('open');
  });

  it('is read and changed through the API, audited when it changes', async () => {
    expect((await api('GET', '/settings/join-mode')).json()).toEqual({ joinMode: 'open' });
    // Audit entries sort by time: this change comes a second after the settings page's.
    t.clock.advance(1000);
    const changed = await api('PUT', '/settings/join-mode', { joinMode: 'code' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toEqual({ joinMode: 'code' });
    expect((await t.deps.services.settings.get()).joinMode).toBe('code');
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 5, action: 'settings' });
    expect(audit.entries[0]).toMatchObject({ action: 'settings.update', actor: 'api key ci', actorType: 'api', target: 'invites', details: { fields: ['joinMode'] } });
    expect((await api('PUT', '/settings/join-mode', { joinMode: 'anyone' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/settings/join-mode' })).statusCode).toBe(401);

    const openapi = (await t.app.inject('/api/openapi.json')).json();
    const path = openapi.paths['/api/v1/settings/join-mode'];
    expect(path.get.tags).toEqual(['settings']);
    expect(path.put.requestBody.content['application/json'].schema.properties.joinMode.enum).toEqual(['open', 'code', 'approval']);
    await setMode('open');
  });
});

describe('what each mode asks of a friend', () => {
  it('open: no code field, sent at once; code: a code is needed; approval: the owner decides', async () => {
    await setMode('open');
    expect((await t.app.inject('/')).body).not.toContain('name="code"');
    expect(textOf((await submitAndFollow(t.app, { email: 'alice' })).page.body)).toContain('Invite sent to alice.');

    await setMode('code');
    expect((await t.app.inject('/')).body).toContain('name="code"');
    const refused = await submitRequest(t.app, { email: 'bob' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Type your invite code.');

    await setMode('approval');
    const waiting = await submitAndFollow(t.app, { email: 'bob' });
    expect(textOf(waiting.page.body)).toContain('The owner of this server will look at it.');
    await setMode('open');
  });

  it('answers the waiting page its status as JSON, and 404 for an unknown request', async () => {
    await setMode('approval');
    const { id } = await submitAndFollow(t.app, { email: 'status-check@example.com' });
    const answer = await t.app.inject(`/requests/${id}/status`);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.json()).toEqual({ status: 'awaiting_approval' });
    expect((await t.app.inject('/requests/AAAAAAAAAAAAAAAAAAAAAA/status')).statusCode).toBe(404);
    await setMode('open');
  });
});

describe('invite codes while anyone may join', () => {
  it('warns that codes are optional right now, with a link to change who may join', async () => {
    await setMode('open');
    const page = await admin.get('/admin/codes');
    expect(page.body).toContain('id="codes-optional"');
    expect(textOf(page.body)).toContain('Codes are optional right now. Anyone with the public address can ask for access without one');
    expect(page.body).toMatch(/id="codes-optional"[\s\S]*?href="\/admin\/settings#invites">Change who may join<\/a>/);

    await setMode('code');
    expect((await admin.get('/admin/codes')).body).not.toContain('id="codes-optional"');
    await setMode('open');
  });
});
