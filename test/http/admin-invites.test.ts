import { describe, expect, it } from 'vitest';
import { encodeForm } from '../helpers/admin-session.js';
import { csrfFrom } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { useReadyAdmin } from '../helpers/ready-app.js';

/**
 * Issue 17: an owner invites an admin by a one-time link. The new admin picks their own name and
 * password and is signed in; the link then no longer works, nor after 7 days or once withdrawn.
 */
const ctx = useSimulator();
const PASSWORD = 'the new admin’s password';
const admin = useReadyAdmin(ctx);

async function makeLink(role: string): Promise<string> {
  const made = await admin.session.post('/admin/admins/invites', { role });
  expect(made.statusCode).toBe(200);
  expect(made.headers['cache-control']).toContain('no-store');
  return /id="created-admin-link" value="([^"]+)"/.exec(made.body)![1]!;
}

async function join(link: string, form: Record<string, string>) {
  const path = new URL(link).pathname;
  // The CSRF token is the visitor's, not the page's: the sign-in page gives one even when the link is gone.
  const { cookie, token } = await csrfFrom(admin.t.app, '/admin/login');
  return admin.t.app.inject({ method: 'POST', url: path, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm({ _csrf: token, ...form }) });
}

describe('a one-time admin link', () => {
  it('lets the new admin choose a name and password, signs them in with the link’s role, and works once', async () => {
    const link = await makeLink('viewer');
    expect(link).toMatch(/^http:\/\/localhost:\d+\/admin\/join\/[A-Za-z0-9_-]{43}$/);
    const page = await admin.t.app.inject(new URL(link).pathname);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('owner invited you to look after this Helpr as a viewer');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect((await admin.session.get('/admin/admins')).body).toContain('data-admin-invite=');

    // Mistakes keep the link working.
    const differ = await join(link, { username: 'kim', password: PASSWORD, repeat: 'something else entirely' });
    expect(differ.statusCode).toBe(400);
    expect(differ.body).toContain('The two passwords differ.');
    const taken = await join(link, { username: 'owner', password: PASSWORD, repeat: PASSWORD });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('This username is taken.');

    const joined = await join(link, { username: 'kim', password: PASSWORD, repeat: PASSWORD });
    expect(joined.statusCode).toBe(303);
    expect(joined.headers.location).toBe('/admin');
    const cookie = joined.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const dashboard = await admin.t.app.inject({ url: '/admin', headers: { cookie } });
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain('Welcome, kim. You are a viewer of this Helpr.');
    expect((await admin.t.deps.services.admins.list()).map((a) => `${a.username} ${a.role}`)).toEqual(['kim viewer', 'owner owner']);

    const again = await join(link, { username: 'lee', password: PASSWORD, repeat: PASSWORD });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('This admin link has been used, was withdrawn or has expired.');
    expect((await admin.t.app.inject(new URL(link).pathname)).statusCode).toBe(410);
    expect((await admin.session.get('/admin/admins')).body).not.toContain('data-admin-invite=');
  });

  it('stops working when withdrawn or after 7 days, and an unknown link says the same', async () => {
    const withdrawn = await makeLink('owner');
    const id = /data-admin-invite="([^"]+)"/.exec((await admin.session.get('/admin/admins')).body)![1]!;
    expect((await admin.session.post(`/admin/admins/invites/${id}/revoke`)).statusCode).toBe(303);
    expect((await admin.t.app.inject(new URL(withdrawn).pathname)).statusCode).toBe(410);
    expect((await admin.session.post(`/admin/admins/invites/${id}/revoke`)).statusCode).toBe(410);

    expect((await admin.session.post('/admin/admins/invites', { role: 'boss' })).statusCode).toBe(400);
    const old = await makeLink('owner');
    admin.t.clock.advance(7 * 86_400_000 - 1);
    expect((await admin.t.app.inject(new URL(old).pathname)).statusCode).toBe(200);
    admin.t.clock.advance(1);
    expect((await join(old, { username: 'late', password: PASSWORD, repeat: PASSWORD })).statusCode).toBe(410);
    expect((await admin.t.app.inject('/admin/join/not-a-real-token')).statusCode).toBe(410);

    const entries = (await admin.t.deps.services.audit.list({ page: 1, perPage: 50 })).entries.filter((e) => e.action.startsWith('admin.'));
    expect(entries.map((e) => `${e.actor} ${e.action}`).sort()).toEqual(['kim admin.create', 'owner admin.invite_create', 'owner admin.invite_create', 'owner admin.invite_create', 'owner admin.invite_revoke']);
  });
});
