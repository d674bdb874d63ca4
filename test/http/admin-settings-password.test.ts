import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(body)?.[1];
const NEW_PASSWORD = 'a brand new long password';

describe('changing the admin password in settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
  });
  afterAll(() => t.close());

  it('refuses a wrong current password, a short one and a mistyped repeat, echoing no password', async () => {
    const session = await signIn(t.app);
    const wrong = await session.post('/admin/settings/password', { current: 'not the password', next: NEW_PASSWORD, repeat: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'password-current')).toBe('The current password is wrong.');
    expect(wrong.body).not.toContain(NEW_PASSWORD);

    const short = await session.post('/admin/settings/password', { current: ADMIN_PASSWORD, next: 'too short', repeat: 'too short' });
    expect(short.statusCode).toBe(400);
    expect(fieldError(short.body, 'password-next')).toBe('Use at least 12 characters.');

    const mismatch = await session.post('/admin/settings/password', { current: ADMIN_PASSWORD, next: NEW_PASSWORD, repeat: `${NEW_PASSWORD}!` });
    expect(mismatch.statusCode).toBe(400);
    expect(fieldError(mismatch.body, 'password-repeat')).toBe('The two new passwords differ.');
    expect(mismatch.body).not.toContain(ADMIN_PASSWORD);

    expect((await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'password' })).total).toBe(0);
  });

  it('changes it, ends every other session and keeps this one', async () => {
    const current = await signIn(t.app);
    const other = await signIn(t.app, 'owner', ADMIN_PASSWORD, '198.51.100.7');
    expect((await other.get('/admin/settings')).statusCode).toBe(200);

    const changed = await current.post('/admin/settings/password', { current: ADMIN_PASSWORD, next: NEW_PASSWORD, repeat: NEW_PASSWORD });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/admin/settings#password');

    const page = await current.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Password changed. Every other signed-in session has ended.');
    const ended = await other.get('/admin/settings');
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/admin/login?next=%2Fadmin%2Fsettings');

    await expect(signIn(t.app, 'owner', ADMIN_PASSWORD)).rejects.toThrow(/401/);
    await expect(signIn(t.app, 'owner', NEW_PASSWORD)).resolves.toBeTruthy();
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'password' });
    expect(audit.entries).toMatchObject([{ action: 'password.change', actor: 'owner', actorType: 'admin', ip: '127.0.0.1', details: null }]);
  });
});
