import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, encodeForm, signIn } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('admin sign-in and guards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.app.ready();
  });
  afterAll(() => t.close());

  it('refuses every admin page and API route to anonymous requests', async () => {
    const guarded = t.app.registeredRoutes.filter(
      (r) => (r.url.startsWith('/admin') && r.url !== '/admin/login') || r.url.startsWith('/api/v1'),
    );
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS')) {
      const url = route.url.replace(/:(\w+)/g, 'x').replace('*', 'x');
      const response = await t.app.inject({ method: route.method as 'GET', url, payload: route.method === 'GET' ? undefined : {} });
      if (url.startsWith('/api/v1')) {
        expect(response.statusCode, `${route.method} ${url}`).toBe(401);
        expect(response.json().error.code).toBe('auth.api_key_required');
      } else if (route.method === 'GET') {
        expect(response.statusCode, `${route.method} ${url}`).toBe(303);
        expect(response.headers.location).toMatch(/^\/admin\/login\?next=/);
      } else {
        expect(response.statusCode, `${route.method} ${url}`).toBe(401);
      }
    }
  });

  it('signs in under a new session id (no fixation) and signs out', async () => {
    const planted = await t.app.inject({ url: '/admin/login' });
    const session = await signIn(t.app);
    const before = planted.cookies.find((c) => c.name === 'helpr_session')?.value;
    expect(session.cookie).toMatch(/helpr_session=/);
    if (before) expect(session.cookie).not.toContain(before);
    const logout = await session.post('/admin/logout');
    expect(logout.statusCode).toBe(303);
    const after = await session.get('/admin');
    expect(after.statusCode).toBe(303);
  });

  it('keeps an attacker-chosen session id useless', async () => {
    const forged = 'helpr_session=attacker-chosen-id.signature';
    const page = await t.app.inject({ url: '/admin/login', headers: { cookie: forged } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const csrfCookie = page.cookies.find((c) => c.name === 'helpr_csrf')!;
    const login = await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      headers: { cookie: `${forged}; helpr_csrf=${csrfCookie.value}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ username: 'owner', password: ADMIN_PASSWORD, _csrf: token }),
    });
    expect(login.statusCode).toBe(303);
    const issued = login.cookies.find((c) => c.name === 'helpr_session')!;
    expect(issued.value).not.toContain('attacker-chosen-id');
    expect(issued.httpOnly).toBe(true);
    expect(issued.sameSite).toBe('Lax');
  });

  it('answers one generic message for a wrong password and an unknown user, and limits attempts', async () => {
    const attempt = async (username: string, remoteAddress: string) => {
      const page = await t.app.inject({ url: '/admin/login', remoteAddress });
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      return t.app.inject({
        method: 'POST',
        url: '/admin/login',
        remoteAddress,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm({ username, password: 'wrong password!', _csrf: token }),
      });
    };
    const wrong = await attempt('owner', '203.0.113.1');
    const unknown = await attempt('nobody', '203.0.113.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const message = (body: string) => /invalid-feedback[^>]*>([^<]+)</.exec(body)?.[1];
    expect(message(wrong.body)).toBe('Wrong username or password.');
    expect(message(unknown.body)).toBe(message(wrong.body));

    // Per username: 10 failures from many addresses lock that username (any address).
    for (let i = 0; i < 9; i += 1) await attempt('owner', `203.0.113.${10 + i}`);
    const locked = await attempt('owner', '203.0.113.99');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // ...even with the right password.
    await expect(signIn(t.app, 'owner', ADMIN_PASSWORD, '203.0.113.100')).rejects.toThrow(/429/);

    const audit = await t.deps.services.audit.list({ page: 1, perPage: 100 });
    expect(audit.entries.filter((e) => e.action === 'login.failure').length).toBeGreaterThanOrEqual(11);
    expect(audit.entries.some((e) => e.action === 'login.success')).toBe(true);
  });

  it('ends a session after 30 idle minutes', async () => {
    t.clock.advance(16 * 60_000); // let the login limit above run out
    const session = await signIn(t.app, 'owner', ADMIN_PASSWORD, '198.51.100.50');
    t.clock.advance(31 * 60_000);
    const response = await session.get('/admin');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toContain('/admin/login');
  });
});
