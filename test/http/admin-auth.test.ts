import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { LOGIN_LIMITS } from '../../src/modules/auth/auth.service.js';
import { ADMIN_PASSWORD, encodeForm, signIn } from '../helpers/admin-session.js';
import { testAppOf, testConfig, type TestApp } from '../helpers/app.js';

describe('admin sign-in and guards', () => {
  let t: TestApp;
  /** The sign-in slow-downs asked for, instead of waiting them (the clock moves on as if waited). */
  const sleeps: number[] = [];
  beforeAll(async () => {
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const sleep = async (ms: number) => void (sleeps.push(ms), clock.advance(ms));
    const deps = await createDeps(testConfig(), { clock, logger: pino({ level: 'silent' }), sleep });
    await migrateToLatest(deps.database);
    t = await testAppOf(deps, clock);
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.app.ready();
  });
  afterAll(() => t.close());

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
  const message = (body: string) => /invalid-feedback[^>]*>([^<]+)</.exec(body)?.[1];

  it('refuses every admin page and API route to anonymous requests', async () => {
    const guarded = t.app.registeredRoutes.filter(
      // The sign-in page and a new admin's one-time link are for people not signed in yet.
      (r) => (r.url.startsWith('/admin') && r.url !== '/admin/login' && r.url !== '/admin/join/:token') || r.url.startsWith('/api/v1'),
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

  it('answers one generic message for a wrong password and an unknown user', async () => {
    const wrong = await attempt('owner', '203.0.113.1');
    const unknown = await attempt('nobody', '203.0.113.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(message(wrong.body)).toBe('Wrong username or password.');
    expect(message(unknown.body)).toBe(message(wrong.body));
  });

  it('never locks the owner out: failures from many addresses only slow the username down', async () => {
    sleeps.length = 0;
    // An attacker with an address per guess: every guess is answered (slowly), none refused.
    const statuses = [];
    for (let i = 0; i < 15; i += 1) statuses.push((await attempt('owner', `203.0.113.${10 + i}`)).statusCode);
    expect(statuses).toEqual(Array(15).fill(401));
    // The slow-down grows with failures and stops at a few seconds (recorded here, not waited).
    expect(sleeps.length).toBeGreaterThan(5);
    expect(sleeps).toEqual([...sleeps].sort((a, b) => a - b));
    expect(Math.max(...sleeps)).toBe(LOGIN_LIMITS.maxDelayMs);

    // The owner, from an address with no failures, gets in with the right password.
    sleeps.length = 0;
    const session = await signIn(t.app, 'owner', ADMIN_PASSWORD, '198.51.100.7');
    expect((await session.get('/admin')).statusCode).toBe(200);
    expect(sleeps).toEqual([LOGIN_LIMITS.maxDelayMs]); // slowed, never refused
  });

  it('refuses one address after too many failures for one username, with the same words for any username', async () => {
    for (const username of ['owner', 'nobody']) {
      const address = username === 'owner' ? '192.0.2.10' : '192.0.2.11';
      for (let i = 0; i < LOGIN_LIMITS.perUsernameAndAddress; i += 1) expect((await attempt(username, address)).statusCode).toBe(401);
      const refused = await attempt(username, address);
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toMatch(/Too many sign-in attempts for this account from your network\. Wait \d+ minutes\./);
    }
    // Refused there even with the right password; the right password elsewhere still works.
    await expect(signIn(t.app, 'owner', ADMIN_PASSWORD, '192.0.2.10')).rejects.toThrow(/429/);
    await expect(signIn(t.app, 'owner', ADMIN_PASSWORD, '192.0.2.99')).resolves.toBeDefined();

    const audit = await t.deps.services.audit.list({ page: 1, perPage: 100 });
    expect(audit.entries.filter((e) => e.action === 'login.failure').length).toBeGreaterThanOrEqual(20);
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
