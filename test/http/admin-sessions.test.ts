import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/**
 * Issue 17: an admin sees where they are signed in (device, address, when) under Settings >
 * Sessions and signs one or every other browser out. Sessions are named by a reference: a
 * session's id is its secret and never appears in a page.
 */
const ctx = useSimulator();
let t: TestApp;
beforeAll(async () => {
  t = await createReadyApp(ctx.sim);
});
afterAll(() => t.close());

const refsIn = (html: string) => [...html.matchAll(/data-session="([^"]+)"/g)].map((match) => match[1]!);
const sessionIdOf = (cookie: string) => decodeURIComponent(/helpr_session=([^;.]+)/.exec(cookie)![1]!);

describe('an admin’s sessions', () => {
  it('lists each browser with its address and times, this one first, and never shows a session id', async () => {
    const here = await signIn(t.app, 'owner', ADMIN_PASSWORD, '192.0.2.10');
    t.clock.advance(60_000);
    const phone = await signIn(t.app, 'owner', ADMIN_PASSWORD, '198.51.100.7');
    const page = await here.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    const section = page.body.slice(page.body.indexOf('id="sessions"'), page.body.indexOf('id="api-keys"'));
    expect(refsIn(section)).toHaveLength(2);
    expect(section.indexOf('192.0.2.10')).toBeLessThan(section.indexOf('198.51.100.7'));
    expect(section).toContain('This browser');
    expect(section).toContain('lightMyRequest');
    expect(section).toContain('Sign out everywhere else');
    for (const session of [here, phone]) expect(page.body).not.toContain(sessionIdOf(session.cookie));

    // Signing the phone out: its next page asks it to sign in again; this one stays.
    const phoneRef = refsIn(section)[1]!;
    const revoked = await here.post(`/admin/sessions/${phoneRef}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/admin/settings#sessions');
    expect((await phone.get('/admin')).statusCode).toBe(303);
    const after = await here.get('/admin/settings');
    expect(after.body).toContain('That browser is signed out.');
    expect(refsIn(after.body)).toHaveLength(1);
    expect((await here.post(`/admin/sessions/${phoneRef}/revoke`)).statusCode).toBe(404);
    expect((await here.post(`/admin/sessions/${refsIn(after.body)[0]}/revoke`)).statusCode).toBe(409);
  });

  it('signs every other browser out at once, viewers too, and audits it', async () => {
    await t.deps.repositories.sessions.deleteForAdmin((await t.deps.services.admins.list())[0]!.id);
    const here = await signIn(t.app);
    const others = [await signIn(t.app), await signIn(t.app)];
    const done = await here.post('/admin/sessions/revoke-others');
    expect(done.statusCode).toBe(303);
    expect((await here.get('/admin/settings')).body).toContain('2 other browsers are signed out.');
    for (const other of others) expect((await other.get('/admin')).statusCode).toBe(303);
    expect((await here.get('/admin/settings')).body).not.toContain('Sign out everywhere else');

    await t.deps.services.admins.createAdmin({ username: 'sam', password: 'a viewer password!', role: 'viewer' });
    const viewer = await signIn(t.app, 'sam', 'a viewer password!');
    await signIn(t.app, 'sam', 'a viewer password!');
    expect((await viewer.post('/admin/sessions/revoke-others')).statusCode).toBe(303);
    expect((await viewer.get('/admin/settings')).body).toContain('One other browser is signed out.');

    const entries = (await t.deps.services.audit.list({ page: 1, perPage: 20, action: 'session.revoke' })).entries;
    expect(entries.map((e) => `${e.actor} ${JSON.stringify(e.details)}`).sort()).toEqual(['owner {"sessions":1}', 'owner {"sessions":2}', 'sam {"sessions":1}']);
  });
});
