import { describe, expect, it } from 'vitest';
import { signIn } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { useReadyAdmin } from '../helpers/ready-app.js';

/**
 * Issue 17: several admins with roles. The owner adds a viewer on the admins page; the viewer sees
 * every page and is refused every changing route (walked over the registered routes, like the
 * guard test), except their own sign-out and password. Every change is in the audit log.
 */
const ctx = useSimulator();
const VIEWER_PASSWORD = 'a viewer password of length';
const admin = useReadyAdmin(ctx);

const adminIdOf = async (username: string) => (await admin.t.deps.services.admins.list()).find((a) => a.username === username)!.id;

describe('the admins page', () => {
  it('lets an owner add a viewer, refusing a taken name, a short password or no role, with the reason beside the field', async () => {
    const page = await admin.session.get('/admin/admins');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Add an admin');
    const taken = await admin.session.post('/admin/admins', { username: 'owner', password: VIEWER_PASSWORD, role: 'viewer' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('This username is taken.');
    const short = await admin.session.post('/admin/admins', { username: 'sam', password: 'short', role: 'viewer' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toMatch(/id="admin-password-error">[^<]*12/);
    expect(short.body).toContain('value="sam"');
    const noRole = await admin.session.post('/admin/admins', { username: 'sam', password: VIEWER_PASSWORD, role: 'boss' });
    expect(noRole.statusCode).toBe(400);
    expect(noRole.body).toContain('Choose owner or viewer.');

    const added = await admin.session.post('/admin/admins', { username: 'sam', password: VIEWER_PASSWORD, role: 'viewer' });
    expect(added.statusCode).toBe(303);
    expect((await admin.session.get('/admin/admins')).body).toContain('sam can sign in now, as a viewer.');
    expect((await admin.t.deps.services.admins.list()).map((a) => `${a.username} ${a.role}`)).toEqual(['owner owner', 'sam viewer']);
  });

  it('shows a viewer every page and refuses every changing route but their own sign-out and password', async () => {
    const viewer = await signIn(admin.t.app, 'sam', VIEWER_PASSWORD);
    for (const url of ['/admin', '/admin/invitations', '/admin/users', '/admin/codes', '/admin/libraries', '/admin/plex', '/admin/settings', '/admin/notifications', '/admin/audit', '/admin/admins']) {
      expect((await viewer.get(url)).statusCode, url).toBe(200);
    }
    // Nothing to change on the admins page for a viewer.
    expect((await viewer.get('/admin/admins')).body).not.toContain('Add an admin');

    const changing = admin.t.app.registeredRoutes.filter((r) => r.url.startsWith('/admin') && !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && r.url !== '/admin/login' && r.url !== '/admin/join/:token');
    expect(changing.length).toBeGreaterThan(30);
    const allowed = new Set(['/admin/logout', '/admin/settings/password', '/admin/sessions/:ref/revoke', '/admin/sessions/revoke-others']);
    for (const route of changing.filter((r) => !allowed.has(r.url))) {
      const url = route.url.replace(/:(\w+)/g, 'x');
      const response = await admin.t.app.inject({ method: route.method as 'POST', url, headers: { cookie: viewer.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(viewer.csrf)}` });
      expect(response.statusCode, `${route.method} ${url}`).toBe(403);
      expect(response.body, `${route.method} ${url}`).toContain('can look at everything here but not change it');
    }
    // Their own password: allowed (refused here only for the wrong current password).
    const password = await viewer.post('/admin/settings/password', { current: 'wrong', next: 'another long password', repeat: 'another long password' });
    expect(password.statusCode).toBe(400);
    expect((await viewer.post('/admin/logout')).statusCode).toBe(303);
  });

  it('keeps at least one owner, never lets an owner remove themselves, and audits every change with who made it', async () => {
    const me = await adminIdOf('owner');
    const sam = await adminIdOf('sam');
    expect((await admin.session.post(`/admin/admins/${me}/role`, { role: 'viewer' })).statusCode).toBe(409);
    expect((await admin.session.post(`/admin/admins/${me}/remove`)).statusCode).toBe(409);
    expect((await admin.session.post(`/admin/admins/${sam}/role`, { role: 'owner' })).statusCode).toBe(303);
    const samAsOwner = await signIn(admin.t.app, 'sam', VIEWER_PASSWORD);
    // Now two owners: either may step down, and sam may remove the first owner.
    expect((await samAsOwner.post(`/admin/admins/${sam}/role`, { role: 'viewer' })).statusCode).toBe(303);
    expect((await admin.session.post(`/admin/admins/${sam}/remove`)).statusCode).toBe(303);
    expect((await samAsOwner.get('/admin')).statusCode).toBe(303);
    expect((await admin.session.post('/admin/admins/not-an-id/remove')).statusCode).toBe(404);
    const entries = (await admin.t.deps.services.audit.list({ page: 1, perPage: 50 })).entries.filter((e) => e.action.startsWith('admin.'));
    // The test clock stands still: entries of the same moment come in any order.
    expect(entries.map((e) => `${e.actor} ${e.action} ${e.target} ${JSON.stringify(e.details)}`).sort()).toEqual([
      'owner admin.create sam {"role":"viewer"}',
      'owner admin.remove sam {"role":"viewer"}',
      'owner admin.role_change sam {"from":"viewer","to":"owner"}',
      'sam admin.role_change sam {"from":"owner","to":"viewer"}',
    ]);
  });
});
