import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireCsrf } from '../../src/plugins/csrf.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('web app', () => {
  let t: TestApp;
  const changes: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    // A state-changing form of the kind every module adds, behind the same CSRF hook.
    await t.app.register(async (pages) => {
      pages.addHook('preHandler', requireCsrf);
      pages.get('/test/form', async (_req, reply) => reply.type('text/html').send(`<input name="_csrf" value="${reply.csrfToken()}">`));
      pages.post('/test/form', async (request) => {
        changes.push((request.body as { value: string }).value);
        return { ok: true };
      });
    });
    t.app.get('/test/boom', async () => {
      throw new Error('secret internal detail at /srv/app.ts:42');
    });
    t.app.get('/api/test/boom', async () => {
      throw new Error('secret internal detail');
    });
    await t.app.ready();
  });
  afterAll(() => t.close());

  it('serves the placeholder home page with strict security headers', async () => {
    const response = await t.app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('Helpr is not set up yet');
    expect(response.body).toContain('href="/admin"');
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    // No inline script anywhere in the page.
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // Public pages make no session: nothing is written for visitors.
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('serves Bootstrap and its own assets locally with long cache lifetimes', async () => {
    const page = await t.app.inject('/');
    const css = /href="(\/vendor\/bootstrap\/css\/bootstrap\.min\.css\?v=[0-9a-f]+)"/.exec(page.body)?.[1];
    expect(css).toBeDefined();
    const response = await t.app.inject(css!);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('immutable');
    expect(response.headers['cache-control']).toContain('max-age=31536000');
    expect((await t.app.inject('/static/js/theme.js')).statusCode).toBe(200);
  });

  it('answers health and readiness', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok' } });
  });

  it('rejects a POST without a valid CSRF token with 403 and changes nothing', async () => {
    const missing = await t.app.inject({ method: 'POST', url: '/test/form', payload: { value: 'a' } });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('This form has expired');

    const form = await t.app.inject('/test/form');
    const cookie = form.cookies.find((c) => c.name === 'helpr_csrf')!;
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Lax');
    const token = /value="([^"]+)"/.exec(form.body)![1]!;

    const forged = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      cookies: { helpr_csrf: cookie.value },
      payload: { value: 'b', _csrf: `${token}x` },
    });
    expect(forged.statusCode).toBe(403);
    const noCookie = await t.app.inject({ method: 'POST', url: '/test/form', payload: { value: 'c', _csrf: token } });
    expect(noCookie.statusCode).toBe(403);
    expect(changes).toEqual([]);

    const ok = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      cookies: { helpr_csrf: cookie.value },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `value=d&_csrf=${encodeURIComponent(token)}`,
    });
    expect(ok.statusCode).toBe(200);
    expect(changes).toEqual(['d']);
  });

  it('gives a first visit one signed secret cookie, keeps it on later visits, and replaces a forged one', async () => {
    const first = await t.app.inject('/test/form');
    const set = first.cookies.filter((c) => c.name === 'helpr_csrf');
    expect(set).toHaveLength(1);
    expect(set[0]!.path).toBe('/');
    expect(set[0]!.value).toMatch(/^[A-Za-z0-9_-]{24}\.[A-Za-z0-9_+/=-]+$/); // secret.signature
    const token = /value="([^"]+)"/.exec(first.body)![1]!;

    const again = await t.app.inject({ url: '/test/form', cookies: { helpr_csrf: set[0]!.value } });
    expect(again.cookies.filter((c) => c.name === 'helpr_csrf')).toHaveLength(0);
    const laterToken = /value="([^"]+)"/.exec(again.body)![1]!;
    for (const _csrf of [token, laterToken]) {
      const ok = await t.app.inject({ method: 'POST', url: '/test/form', cookies: { helpr_csrf: set[0]!.value }, payload: { value: 'e', _csrf } });
      expect(ok.statusCode).toBe(200);
    }

    const forgedSecret = `${set[0]!.value.split('.')[0]}.forgedsignature`;
    const replaced = await t.app.inject({ url: '/test/form', cookies: { helpr_csrf: forgedSecret } });
    expect(replaced.cookies.filter((c) => c.name === 'helpr_csrf')).toHaveLength(1);
    const forgedPost = await t.app.inject({ method: 'POST', url: '/test/form', cookies: { helpr_csrf: forgedSecret }, payload: { value: 'f', _csrf: token } });
    expect(forgedPost.statusCode).toBe(403);
  });

  it('refuses oversized form bodies with 413', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/form',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `value=${'x'.repeat(20_000)}`,
    });
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('too large');
  });

  it('shows error pages in the layout and JSON under /api/, never internals', async () => {
    const notFound = await t.app.inject('/no/such/page');
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toContain('Page not found');
    expect(notFound.body).toContain('bootstrap.min.css');

    const apiNotFound = await t.app.inject('/api/v1/nothing');
    expect(apiNotFound.statusCode).toBe(404);
    expect(apiNotFound.json()).toEqual({ error: { code: 'request.not_found', message: 'There is nothing at this address.' } });

    const boom = await t.app.inject('/test/boom');
    expect(boom.statusCode).toBe(500);
    expect(boom.body).toContain('Something went wrong');
    expect(boom.body).not.toContain('secret internal detail');
    expect(boom.body).not.toContain('/srv/app.ts');

    const apiBoom = await t.app.inject('/api/test/boom');
    expect(apiBoom.statusCode).toBe(500);
    expect(apiBoom.json().error.code).toBe('internal');
    expect(apiBoom.body).not.toContain('secret');
  });

  it('rate-limits 404s per address with 429 and Retry-After', async () => {
    const from = { remoteAddress: '203.0.113.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 31; i += 1) statuses.push((await t.app.inject({ url: `/scan/${i}`, ...from })).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 404)).toBe(true);
    const limited = await t.app.inject({ url: '/scan/again', ...from });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toContain('Too many requests');
    // Another address is not affected.
    expect((await t.app.inject({ url: '/scan/x', remoteAddress: '203.0.113.10' })).statusCode).toBe(404);
  });
});
