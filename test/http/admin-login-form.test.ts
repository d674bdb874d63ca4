import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, encodeForm, signIn } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

// The sign-in form's own edges: what it shows, what a form with fields missing or too long gets, a
// form sent with its token in a header and no body, and the audit of a sign-out.

describe('the admin sign-in form', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.app.ready();
  });
  afterAll(() => t.close());

  /** The sign-in page's CSRF token and cookies, as a browser has them before sending the form. */
  async function loginPage(remoteAddress: string) {
    const page = await t.app.inject({ url: '/admin/login', remoteAddress });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    return { page, token, cookie };
  }
  /** Sends the sign-in form from `remoteAddress` with these fields (its CSRF token added). */
  async function sendForm(remoteAddress: string, fields: Record<string, string>) {
    const { token, cookie } = await loginPage(remoteAddress);
    return t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ _csrf: token, ...fields }),
    });
  }
  const usernameValue = (body: string) => /id="username"[^>]*value="([^"]*)"/.exec(body)?.[1];

  it('is titled Sign in, also when it comes back with a mistake', async () => {
    const { page } = await loginPage('192.0.2.10');
    expect(page.body).toMatch(/<title>Sign in\b/);
    const wrong = await sendForm('192.0.2.10', { username: 'owner', password: 'not the password' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toMatch(/<title>Sign in\b/);
    expect(wrong.body).toContain('Wrong username or password.');
  });

  it('answers a form with no username or password with the usual mistake, the username field left empty', async () => {
    const response = await sendForm('192.0.2.11', {});
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('Wrong username or password.');
    expect(usernameValue(response.body)).toBe('');
  });

  it('answers a sign-in sent with no body at all (token in a header) with the usual mistake, not an error', async () => {
    const { token, cookie } = await loginPage('192.0.2.12');
    const response = await t.app.inject({ method: 'POST', url: '/admin/login', remoteAddress: '192.0.2.12', headers: { cookie, 'x-csrf-token': token } });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('Wrong username or password.');
  });

  it('keeps at most 200 characters of a username typed into the form', async () => {
    const response = await sendForm('192.0.2.13', { username: 'o'.repeat(300), password: 'not the password' });
    expect(response.statusCode).toBe(401);
    expect(usernameValue(response.body)).toBe('o'.repeat(200));
  });

  it('records a sign-out in the audit log, by the admin who signed out', async () => {
    const session = await signIn(t.app, 'owner', ADMIN_PASSWORD, '192.0.2.14');
    expect((await session.post('/admin/logout')).statusCode).toBe(303);
    const entries = await t.deps.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'logout').execute();
    expect(entries).toMatchObject([{ actor: 'owner', actor_type: 'admin', ip: '192.0.2.14' }]);
  });
});
