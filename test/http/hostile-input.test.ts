import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OFFSET, MAX_PAGE } from '../../src/paging.js';
import { ADMIN_PASSWORD, encodeForm, signIn, type AdminSession } from '../helpers/admin-session.js';
import { apiAuth, createTestApp, type TestApp } from '../helpers/app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';

const SECURITY_HEADERS = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'];

function expectSecurityHeaders(response: LightMyRequestResponse): void {
  for (const name of SECURITY_HEADERS) expect(response.headers[name], name).toBeTruthy();
}

/** A Location header Node could send: visible ASCII, a path on this site. */
function expectSafeLocation(response: LightMyRequestResponse, within: string): void {
  expect(response.statusCode).toBe(303);
  const location = String(response.headers.location);
  expect(location).toMatch(/^\/[\x21-\x7e]*$/);
  expect(location.startsWith(within)).toBe(true);
  expect(location.startsWith('//')).toBe(false);
}

// Raw query values as an attacker's link carries them (percent-encoded once). NUL is refused before
// any redirect is built (see the NUL tests below).
const HOSTILE_TARGETS = ['/admin%0a', '/admin/%0d%0aSet-Cookie:x=1', '/admin/%1b%7f', '/admin/%C4%80', '/admin/%F0%9F%98%80', '//evil.example', '/%5Cevil.example', 'https://evil.example', '/admin/..%2F..%2F%2Fevil.example'];

describe('hostile input', () => {
  let t: TestApp;
  let session: AdminSession;
  let api: { authorization: string };

  beforeAll(async () => {
    t = await createTestApp();
    // A route whose header comes out wrong, standing for any bug that lets input reach a header.
    t.app.get('/admin-test/bad-header', async (_request, reply) => reply.header('x-test', 'a\nb').send('never sent'));
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    session = await signIn(t.app);
    api = await apiAuth(t);
    await t.deps.database.db.transaction().execute(async (trx) => insertMany(trx, Array.from({ length: 30 }, () => invitationRow())));
  });
  afterAll(() => t.close());

  describe('redirect targets', () => {
    it.each(HOSTILE_TARGETS)('GET /admin/login?next=%s, signed in, redirects within the admin area', async (target) => {
      expectSafeLocation(await session.get(`/admin/login?next=${target}`), '/admin');
    });

    it.each(HOSTILE_TARGETS)('GET /admin/login?next=%s, signed out, puts a safe target in the form', async (target) => {
      const page = await t.app.inject(`/admin/login?next=${target}`);
      expect(page.statusCode).toBe(200);
      expect(/name="next" value="([^"]*)"/.exec(page.body)?.[1]).toMatch(/^\/admin[\x21-\x7e]*$/);
    });

    it('a POST to the login form with a poisoned hidden field signs in and redirects within the admin area', async () => {
      for (const target of HOSTILE_TARGETS) {
        const form = await t.app.inject({ url: '/admin/login', remoteAddress: '192.0.2.50' });
        const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
        const cookie = form.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
        const login = await t.app.inject({
          method: 'POST',
          url: '/admin/login',
          remoteAddress: '192.0.2.50',
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `${encodeForm({ _csrf: csrf, username: 'owner', password: ADMIN_PASSWORD })}&next=${target}`,
        });
        expectSafeLocation(login, '/admin');
      }
    });

    it('back= on the invitation actions stays on the invitations list', async () => {
      for (const back of [...HOSTILE_TARGETS, '/admin/invitations%0a', '/admin/invitations?page=%C4%80', '/admin/invitations?q=%F0%9F%98%80%0d%0a']) {
        const response = await t.app.inject({
          method: 'POST',
          url: '/admin/invitations',
          headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          payload: `${encodeForm({ _csrf: session.csrf, email: 'not an address' })}&back=${back}`,
        });
        expectSafeLocation(response, '/admin/invitations');
      }
    });

    it('the sign-in guard keeps a hostile address out of its redirect', async () => {
      const response = await t.app.inject('/admin/codes/%C4%80%0a');
      expect(response.statusCode).toBe(303);
      expect(String(response.headers.location)).toMatch(/^\/admin\/login\?next=[\x21-\x7e]+$/);
    });

    it('a header that cannot be sent becomes an error page, and the server goes on answering', async () => {
      const response = await session.get('/admin-test/bad-header');
      expect(response.statusCode).toBe(500);
      expect(response.headers['x-test']).toBeUndefined();
      expect(response.body).toContain('Something went wrong');
      expectSecurityHeaders(response);
      expect((await t.app.inject('/healthz')).statusCode).toBe(200);
    });
  });

  describe('numbers in addresses', () => {
    const HUGE = ['1e309', '99999999999999999999', '-5', 'abc', '', '2.5', 'Infinity', '0x10'];

    it.each(['/admin/invitations', '/admin/codes', '/admin/audit'])('%s shows the nearest page that exists', async (path) => {
      for (const page of HUGE) {
        const response = await session.get(`${path}?page=${page}`);
        expect(response.statusCode, `${path}?page=${page}`).toBe(200);
      }
      expect((await session.get(`${path}?page=1&page=2`)).statusCode).toBe(200);
    });

    it('a page past the last shows the last page of invitations', async () => {
      for (const page of ['3', '1e309', '99999999999999999999', String(MAX_PAGE + 1)]) {
        const response = await session.get(`/admin/invitations?page=${page}`);
        expect(response.body, page).toContain('Showing 26–30 of 30');
      }
    });

    it.each([
      ['/api/v1/invitations?page=1e309', 'page'],
      ['/api/v1/invitations?page=99999999999999999999', 'page'],
      [`/api/v1/invitations?page=${MAX_PAGE + 1}`, 'page'],
      ['/api/v1/invitations?page=-1', 'page'],
      ['/api/v1/invitations?page=abc', 'page'],
      ['/api/v1/invitations?page=1&page=2', 'page'],
      ['/api/v1/invitations?perPage=1e309', 'perPage'],
      ['/api/v1/codes?offset=99999999999999999999', 'offset'],
      ['/api/v1/codes?offset=1e308', 'offset'],
      [`/api/v1/codes?offset=${MAX_OFFSET + 1}`, 'offset'],
      ['/api/v1/codes?limit=1e309', 'limit'],
    ])('the API answers %s with 400 naming %s', async (url, field) => {
      const response = await t.app.inject({ url, headers: api });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('request.invalid');
      expect(Object.keys(response.json().error.fields)).toEqual([field]);
    });

    it('the API still takes the largest numbers it allows', async () => {
      expect((await t.app.inject({ url: `/api/v1/invitations?page=${MAX_PAGE}`, headers: api })).statusCode).toBe(200);
      expect((await t.app.inject({ url: `/api/v1/codes?offset=${MAX_OFFSET}`, headers: api })).statusCode).toBe(200);
    });
  });

  describe('NUL characters (PostgreSQL cannot store or compare them)', () => {
    it.each([
      ['GET', '/api/v1/invitations?q=a%00b', undefined, 'q'],
      ['POST', '/api/v1/codes', { label: 'a\u0000' }, 'label'],
      ['POST', '/api/v1/invitations', { email: 'a@example.com', libraries: ['1', '\u0000'] }, 'libraries.1'],
      ['DELETE', '/api/v1/codes/%00', undefined, 'id'],
    ] as const)('the API refuses %s %s with 400 naming the field', async (method, url, payload, field) => {
      const response = await t.app.inject({ method, url, headers: api, ...(payload ? { payload } : {}) });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'request.invalid_character', fields: { [field]: 'contains an invisible character that cannot be used: please type it again' } });
    });

    it('pages and forms refuse them with an error page', async () => {
      const search = await session.get('/admin/invitations?q=%00');
      expect(search.statusCode).toBe(400);
      expect(search.body).toContain('invisible character that cannot be used');
      expectSecurityHeaders(search);
      const login = await t.app.inject({ method: 'POST', url: '/admin/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=owner%00&password=x' });
      expect(login.statusCode).toBe(400);
    });
  });

  describe('errors from the router and the body parsers', () => {
    it.each([
      ['/join/%ZZ', '/join/%ZZ', 400],
      ['/requests/%E0%A4%A', '/requests/%E0%A4%A', 400],
      ['a code of 200 characters', `/join/${'a'.repeat(200)}`, 414],
      ['/admin/codes/%ZZ', '/admin/codes/%ZZ', 400],
    ])('%s gets Helpr’s error page with the security headers', async (_label, url, status) => {
      const response = await t.app.inject(url);
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain('bootstrap.min.css');
      expect(response.body).not.toContain('FST_ERR');
      expectSecurityHeaders(response);
    });

    it.each([
      ['POST', '/api/v1/invitations/%ZZ/retry', 400, 'request.bad_address'],
      ['DELETE', `/api/v1/codes/${'x'.repeat(200)}`, 414, 'request.address_too_long'],
    ] as const)('%s %# gets a JSON error with the security headers', async (method, url, status, code) => {
      const response = await t.app.inject({ method, url, headers: api });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toEqual({ error: { code, message: expect.any(String) } });
      expectSecurityHeaders(response);
    });

    it.each([
      ['application/json', '{"email":', 400],
      ['application/json', '{"__proto__":{"admin":true},"email":"a@example.com"}', 400],
      ['application/json', '{"constructor":{"prototype":{"admin":true}},"email":"a@example.com"}', 400],
      ['text/xml', '<email/>', 415],
      ['application/json', JSON.stringify({ email: 'x'.repeat(70_000) }), 413],
    ])('a %s body %# is refused cleanly', async (type, payload, status) => {
      const response = await t.app.inject({ method: 'POST', url: '/api/v1/invitations', headers: { ...api, 'content-type': type }, payload });
      expect(response.statusCode).toBe(status);
      expect(response.json().error.code).toMatch(/^request\./);
      expectSecurityHeaders(response);
    });
  });
});
