import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

const STEP_NAMES = ['token', 'server', 'reachable', 'libraries', 'mapping'];

describe('/admin/plex: the connection test, sign in again, change server', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function ready() {
    t = await createReadyApp(plex.sim);
    return { ...t, session: await signIn(t.app) };
  }

  it('shows the steps, runs "Test now" without JavaScript and keeps the result', async () => {
    const { session, deps } = await ready();
    const before = await session.get('/admin/plex');
    expect(before.statusCode).toBe(200);
    expect(before.body).toContain('No test has run yet');
    for (const name of STEP_NAMES) expect(before.body).toContain(`data-step="${name}"`);
    expect(before.body).toContain('href="/admin/plex/connect"');
    expect(before.body).toContain('href="/admin/plex/server"');
    expect(before.body).toContain('/static/js/plex-status.js');

    const run = await session.post('/admin/plex/test');
    expect(run.statusCode).toBe(303);
    expect(run.headers.location).toBe('/admin/plex');
    const after = await session.get('/admin/plex');
    expect(after.body).toContain('Every check passed.');
    expect(after.body).toContain('Last run <time datetime="2026-11-24T12:00:00.000Z">2026-11-24 12:00 UTC</time>: every check passed.');
    expect(after.body.match(/>OK</g)).toHaveLength(5);
    expect(after.body).toContain('Signed in as owner (owner@example.com)');
    expect((await deps.services.connectionTests.load())?.ok).toBe(true);
  });

  it('tells how to fix a revoked token', async () => {
    const { session } = await ready();
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    await session.post('/admin/plex/test');
    const page = await session.get('/admin/plex');
    expect(page.body).toContain('A check failed: see the fix below.');
    expect(page.body).toContain('→ This token was revoked: sign in with Plex again.');
    expect(page.body.match(/>Skipped</g)).toHaveLength(4);
  });

  it('streams one JSON line per step as it completes, then the report', async () => {
    const { session, deps } = await ready();
    const response = await session.post('/admin/plex/test/stream', {}, { headers: { 'x-csrf-token': session.csrf } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const lines = response.body.trim().split('\n').map((line) => JSON.parse(line) as { type: string; step?: { name: string; status: string }; report?: { ok: boolean } });
    expect(lines.map((l) => l.step?.name ?? l.type)).toEqual([...STEP_NAMES, 'report']);
    expect(lines.slice(0, 5).every((l) => l.type === 'step' && l.step!.status === 'ok')).toBe(true);
    expect(lines[5]!.report!.ok).toBe(true);
    expect((await deps.services.connectionTests.load())?.ok).toBe(true);
  });

  it('refuses the test forms without a CSRF token', async () => {
    const { app, session } = await ready();
    for (const url of ['/admin/plex/test', '/admin/plex/test/stream', '/admin/plex/connect/pin', '/admin/plex/connect/token', '/admin/plex/server']) {
      const response = await app.inject({ method: 'POST', url, headers: { cookie: session.cookie } });
      expect(response.statusCode, url).toBe(403);
    }
  });

  it('runs the test from the API with a key, and documents it', async () => {
    const { app, deps } = await ready();
    const { key } = await deps.services.apiKeys.create({ name: 'monitor', createdBy: null });
    expect((await app.inject({ method: 'POST', url: '/api/v1/plex/test' })).statusCode).toBe(401);
    const response = await app.inject({ method: 'POST', url: '/api/v1/plex/test', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(200);
    const report = response.json();
    expect(report.ok).toBe(true);
    expect(report.startedAt).toBe('2026-11-24T12:00:00.000Z');
    expect(report.steps.map((s: { name: string }) => s.name)).toEqual(STEP_NAMES);
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const failed = (await app.inject({ method: 'POST', url: '/api/v1/plex/test', headers: { authorization: `Bearer ${key}` } })).json();
    expect(failed.ok).toBe(false);
    expect(failed.steps[0]).toMatchObject({ status: 'failed', hint: 'This token was revoked: sign in with Plex again.' });

    const doc = (await app.inject({ url: '/api/openapi.json' })).json();
    const operation = doc.paths['/api/v1/plex/test'].post;
    expect(operation.tags).toEqual(['plex']);
    expect(operation.summary).toBe('Test the Plex connection');
    expect(operation.responses['200'].content['application/json'].schema.required).toEqual(['ok', 'startedAt', 'steps']);
  });

  it('shows the token and server as fixed when the environment sets them', async () => {
    const { session } = await ready();
    const connect = await session.get('/admin/plex/connect');
    expect(connect.body).toContain('comes from <code>PLEX_TOKEN</code>');
    expect(connect.body).not.toContain('action="/admin/plex/connect/pin"');
    const refused = await session.post('/admin/plex/connect/pin');
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('The Plex token comes from PLEX_TOKEN');
    const server = await session.get('/admin/plex/server');
    expect(server.body).toContain('<code>PLEX_SERVER_ID</code> in the environment sets the server');
    expect(server.body).not.toContain('type="radio"');
  });

  it('signs in with Plex again and changes the server from the admin area', async () => {
    t = await createTestApp({ PLEX_TV_URL: plex.sim.plexTvUrl, PLEX_CLIENTS_URL: plex.sim.clientsPlexTvUrl });
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    const session = await signIn(t.app);
    expect((await session.get('/admin/plex/server')).headers.location).toBe('/admin/plex/connect');

    expect((await session.post('/admin/plex/connect/pin')).headers.location).toBe('/admin/plex/connect/wait');
    const wait = await session.get('/admin/plex/connect/wait');
    expect(wait.body).not.toContain('Step 2 of ');
    const [pin] = plex.sim.control.state().pins;
    plex.sim.control.approvePin({ id: pin!.id });
    const done = await session.post('/admin/plex/connect/wait');
    expect(done.headers.location).toBe('/admin/plex/server');

    const servers = await session.get('/admin/plex/server');
    expect(servers.body).toContain('Home PMS');
    const saved = await session.post('/admin/plex/server', { server: plex.sim.machineIdentifier });
    expect(saved.headers.location).toBe('/admin/plex');
    expect((await session.get('/admin/plex')).body).toContain('Helpr now uses the server Home PMS.');
    expect((await t.deps.services.plexConnection.state()).serverId).toBe(plex.sim.machineIdentifier);
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 20 });
    expect(audit.entries.find((e) => e.target === 'plex.server')).toMatchObject({ action: 'settings.update', details: { serverId: plex.sim.machineIdentifier, name: 'Home PMS' } });
  });

  it('lists a server that does not answer as not reachable, with the fix', async () => {
    t = await createTestApp({ PLEX_TV_URL: plex.sim.plexTvUrl, PLEX_CLIENTS_URL: plex.sim.clientsPlexTvUrl });
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.deps.services.plexConnection.saveToken(plex.sim.ownerToken);
    const session = await signIn(t.app);
    plex.sim.control.addFault({ kind: 'reset', target: 'pms', path: '/identity' });
    const page = await session.get('/admin/plex/server');
    expect(page.body).toContain('Home PMS');
    expect(page.body).toContain('Not reachable.');
    expect(page.body).toContain('check that Plex Media Server is running and that this machine can reach it');
    expect(page.body).not.toContain('Reachable at');
  });

  it('says what is wrong when plex.tv cannot list the servers', async () => {
    t = await createTestApp({ PLEX_TV_URL: plex.sim.plexTvUrl, PLEX_CLIENTS_URL: plex.sim.clientsPlexTvUrl });
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.deps.services.plexConnection.saveToken(plex.sim.ownerToken);
    const session = await signIn(t.app);
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const page = await session.get('/admin/plex/server');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This token was revoked: sign in with Plex again.');
    expect(page.body).toContain('href="/admin/plex/connect"');
  });
});
