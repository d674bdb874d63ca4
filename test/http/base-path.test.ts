import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm, ADMIN_PASSWORD } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/**
 * Issue 15: Helpr under a path of a domain (BASE_PATH=/helpr). A proxy may pass the path as it came
 * (/helpr/admin) or strip it (/admin): both reach the same pages, and everything Helpr hands out
 * (links, forms, assets, redirects, cookies, paths in JSON) carries the prefix. The browser test
 * through nginx is test/e2e/base-path.spec.ts.
 */
const ctx = useSimulator();
const BASE = '/helpr';
let t: TestApp;
beforeAll(async () => {
  t = await createReadyApp(ctx.sim, { env: { BASE_PATH: BASE } });
});
afterAll(() => t.close());

/** Every link, form, asset and script URL in a page that is a path on this site. */
function sitePaths(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|action|formaction|poster|data-[a-z-]*url)="([^"]*)"/g)].map((match) => match[1]!).filter((value) => value.startsWith('/') && !value.startsWith('//'));
}
function expectAllUnderBase(page: LightMyRequestResponse, url: string) {
  expect(page.statusCode, `${url}: ${page.body.slice(0, 200)}`).toBeLessThan(400);
  const paths = sitePaths(page.body);
  expect(paths.length, url).toBeGreaterThan(2);
  expect(paths.filter((path) => !path.startsWith(`${BASE}/`) && path !== BASE), url).toEqual([]);
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
function keep(jar: Map<string, string>, response: LightMyRequestResponse) {
  for (const cookie of response.cookies) jar.set(cookie.name, cookie.value);
}

/** Signs in through the prefixed sign-in page, as a browser behind the proxy would. */
async function signInUnderBase(prefix: string) {
  const jar = new Map<string, string>();
  const page = await t.app.inject({ url: `${prefix}/admin/login` });
  keep(jar, page);
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
  const login = await t.app.inject({ method: 'POST', url: `${prefix}/admin/login`, headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm({ username: 'owner', password: ADMIN_PASSWORD, _csrf: token, next: '/admin/codes' }) });
  keep(jar, login);
  return { jar, page, login, get: (url: string) => t.app.inject({ url, headers: { cookie: cookieHeader(jar) } }) };
}

describe.each([
  ['passed as it came', BASE],
  ['stripped by the proxy', ''],
])('Helpr under /helpr, the path %s', (_variant, prefix) => {
  it('serves the friend’s page with every link, form and asset under /helpr, and its CSRF cookie there', async () => {
    const page = await t.app.inject({ url: `${prefix}/` });
    expectAllUnderBase(page, '/');
    expect(sitePaths(page.body)).toEqual(expect.arrayContaining([`${BASE}/`, expect.stringMatching(/^\/helpr\/static\/css\/app\.css\?v=/)]));
    expect(page.cookies.find((cookie) => cookie.name === 'helpr_csrf')).toMatchObject({ path: BASE });
    const css = sitePaths(page.body).find((path) => path.includes('app.css'))!;
    expect((await t.app.inject({ url: prefix === '' ? css.slice(BASE.length) : css })).statusCode).toBe(200);
  });

  it('signs the owner in with cookies under /helpr, redirects under /helpr, and every admin page links under /helpr', async () => {
    const { page, login, get } = await signInUnderBase(prefix);
    expectAllUnderBase(page, 'sign-in');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe(`${BASE}/admin/codes`);
    expect(login.cookies.map((cookie) => `${cookie.name} ${cookie.path}`).sort()).toEqual([`helpr_device ${BASE}/admin/login`, `helpr_session ${BASE}`]);
    for (const url of ['/admin', '/admin/invitations', '/admin/users', '/admin/codes', '/admin/libraries', '/admin/plex', '/admin/settings', '/admin/notifications', '/admin/audit']) {
      expectAllUnderBase(await get(`${prefix}${url}`), url);
    }
  });

  it('sends a visitor who is not signed in to the sign-in page under /helpr, and answers the API, health and its description there', async () => {
    const away = await t.app.inject({ url: `${prefix}/admin/users?page=2` });
    expect(away.statusCode).toBe(303);
    expect(away.headers.location).toBe(`${BASE}/admin/login?next=%2Fadmin%2Fusers%3Fpage%3D2`);
    expect((await t.app.inject({ url: `${prefix}/healthz` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `${prefix}/api/v1/stats` })).statusCode).toBe(401);
    expect((await t.app.inject({ url: `${prefix}/api/openapi.json` })).json().servers).toEqual([{ url: BASE }]);
    expectAllUnderBase(await t.app.inject({ url: `${prefix}/api/docs` }), 'API docs');
  });
});

describe('a friend’s request under /helpr', () => {
  it('posts to /helpr, lands on its page under /helpr, and the page polls its status there', async () => {
    const jar = new Map<string, string>();
    const form = await t.app.inject({ url: `${BASE}/` });
    keep(jar, form);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const action = /<form[^>]*action="([^"]+)"[^>]*>(?:(?!<\/form>)[\s\S])*name="email"/.exec(form.body)![1]!;
    expect(action).toBe(`${BASE}/`);
    const sent = await t.app.inject({ method: 'POST', url: action, headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm({ _csrf: token, email: 'friend@example.com' }) });
    expect(sent.statusCode, sent.body).toBe(303);
    expect(sent.headers.location).toMatch(/^\/helpr\/requests\/[A-Za-z0-9_-]{22}$/);
    const page = await t.app.inject({ url: String(sent.headers.location) });
    expectAllUnderBase(page, 'request page');
  });

  it('answers a path outside /helpr that is not one of its own with the not-found page, its links under /helpr', async () => {
    const missing = await t.app.inject({ url: '/helprx/admin' });
    expect(missing.statusCode).toBe(404);
    expect(sitePaths(missing.body).filter((path) => !path.startsWith(`${BASE}/`))).toEqual([]);
  });

  it('gives the sign-in with Plex script its paths under /helpr', async () => {
    await t.deps.services.settings.update({ joinWays: 'both' } as never);
    const jar = new Map<string, string>();
    const form = await t.app.inject({ url: `${BASE}/` });
    keep(jar, form);
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const started = await t.app.inject({ method: 'POST', url: `${BASE}/join-with-plex`, headers: { cookie: cookieHeader(jar), accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm({ _csrf: token }) });
    expect(started.statusCode, started.body).toBe(201);
    const { statusUrl, cancelUrl, returnUrl } = started.json();
    for (const path of [statusUrl, cancelUrl, returnUrl]) expect(path).toMatch(/^\/helpr\/join-with-plex\//);
    // Without the script: off to Plex, which sends the friend back under /helpr too (the address
    // worked out from the connection here).
    const plain = await t.app.inject({ method: 'POST', url: `${BASE}/join-with-plex`, headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, payload: encodeForm({ _csrf: token }) });
    expect(plain.statusCode, plain.body).toBe(303);
    expect(decodeURIComponent(String(plain.headers.location))).toMatch(/forwardUrl=http:\/\/[^/&]+\/helpr\/join-with-plex\/[^/]+\/return/);
  });
});
