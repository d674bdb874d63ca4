import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAuth, type TestApp } from '../helpers/app.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Routes whose answers may carry emails, addresses, invite codes or keys. */
const PRIVATE = /^\/(admin|setup|api\/v1)(\/|$)/;

/**
 * Every sign-in, setup, admin and API answer tells browsers and proxies not to keep it: a shared
 * computer's back button or a proxy's disk must not hand out friends' emails or the CSV export.
 */
describe('Cache-Control: no-store on private answers', () => {
  const plex = useSimulator();
  let t: TestApp;
  let session: AdminSession;
  let api: { authorization: string };
  beforeAll(async () => {
    t = await createReadyApp(plex.sim);
    session = await signIn(t.app);
    api = await apiAuth(t);
  });
  afterAll(() => t.close());

  it('is on every admin, setup and API route, signed in, for successes and refusals alike', async () => {
    const routes = t.app.registeredRoutes.filter((route) => PRIVATE.test(route.url));
    expect(routes.length).toBeGreaterThan(60);
    const cached: string[] = [];
    for (const { method, url: pattern } of routes) {
      const url = pattern.replace(/:\w+/g, 'no-such-id');
      // Pages with the session (state changes without a CSRF token, so they are refused and the
      // session survives /admin/logout); the API with a key and an empty body.
      const response = url.startsWith('/api/')
        ? await t.app.inject({ method: method as 'GET', url, headers: api, ...(method === 'GET' || method === 'HEAD' ? {} : { payload: {} }) })
        : await t.app.inject({ method: method as 'GET', url, headers: { cookie: session.cookie } });
      if (response.statusCode >= 500) cached.push(`${method} ${url}: ${response.statusCode}`);
      if (!/\bno-store\b/.test(String(response.headers['cache-control']))) cached.push(`${method} ${url} (${response.statusCode}): ${response.headers['cache-control']}`);
    }
    expect(cached).toEqual([]);
  });

  it('covers the CSV export, an API list with emails and the sign-in page', async () => {
    const csv = await session.get('/admin/invitations.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['cache-control']).toBe('no-store');
    const list = await t.app.inject({ url: '/api/v1/invitations', headers: api });
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    const login = await t.app.inject('/admin/login');
    expect(login.headers['cache-control']).toBe('no-store');
  });

  it('leaves public pages and assets cacheable', async () => {
    expect((await t.app.inject('/')).headers['cache-control']).toBeUndefined();
    expect(String((await t.app.inject('/static/js/theme.js')).headers['cache-control'])).not.toContain('no-store');
  });
});
