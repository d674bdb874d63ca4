import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInTestApp, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';

describe('API keys from the settings page', () => {
  let t: TestApp;
  let session: AdminSession;
  beforeAll(async () => ({ t, session } = await signedInTestApp()));
  afterAll(() => t.close());

  const stats = (key: string) => t.app.inject({ url: '/api/v1/stats', headers: { authorization: `Bearer ${key}` } });

  it('creates a key, shows it once, lets it call the API, and stops it when revoked', async () => {
    const created = await session.post('/admin/settings/api-keys', { name: 'Home Assistant' });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toContain('Copy your new API key now');
    const key = /id="new-api-key"[^>]*>(hk_[\w-]+)</.exec(created.body)?.[1];
    expect(key).toMatch(/^hk_[\w-]{43}$/);

    // Stored only as a hash, and never put in the session (no flash carries it).
    const rows = await t.deps.database.db.selectFrom('api_keys').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key!);
    const sessions = await t.deps.database.db.selectFrom('sessions').selectAll().execute();
    expect(JSON.stringify(sessions)).not.toContain(key!.slice(10));

    // Listed by name and prefix; the full key is never shown again.
    const settings = await session.get('/admin/settings');
    expect(settings.body).toContain('Home Assistant');
    expect(settings.body).toContain(`${key!.slice(0, 10)}…`);
    expect(settings.body).not.toContain(key!);
    expect(settings.body).toContain('never used');

    expect((await stats(key!)).statusCode).toBe(200);
    expect((await stats(`${key!.slice(0, -1)}x`)).statusCode).toBe(401);
    expect((await session.get('/admin/settings')).body).toContain('last used <time datetime="2026-11-24T12:00:00.000Z">2026-11-24 12:00 UTC</time>');

    const revoked = await session.post(`/admin/settings/api-keys/${rows[0]!.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe('/admin/settings#api-keys');
    const afterRevoke = await stats(key!);
    expect(afterRevoke.statusCode).toBe(401);
    expect(afterRevoke.json().error.code).toBe('auth.api_key_required');

    const page = await session.get('/admin/settings');
    expect(page.body).toContain('API key &quot;Home Assistant&quot; revoked. It no longer works.');
    expect(page.body).toContain('revoked <time datetime="2026-11-24T12:00:00.000Z">2026-11-24 12:00 UTC</time>');
    expect(page.body).not.toContain(`/admin/settings/api-keys/${rows[0]!.id}/revoke`);

    // Revoking twice changes nothing and is audited once.
    expect((await session.post(`/admin/settings/api-keys/${rows[0]!.id}/revoke`)).statusCode).toBe(303);
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'apikey' });
    expect(audit.entries.map((e) => e.action).sort()).toEqual(['apikey.create', 'apikey.revoke']);
    expect(audit.entries.every((e) => e.actor === 'owner' && e.target === 'Home Assistant' && e.ip === '127.0.0.1')).toBe(true);
    expect(JSON.stringify(audit.entries)).not.toContain(key!);
  });

  it('refuses a key without a name beside the field, keeping the page', async () => {
    const refused = await session.post('/admin/settings/api-keys', { name: '   ' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="api-key-name-error">Give the key a name of 1 to 100 characters.</);
    // Like every admin page (see no-store.test.ts).
    expect(refused.headers['cache-control']).toBe('no-store');
    const long = await session.post('/admin/settings/api-keys', { name: 'k'.repeat(101) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain(`value="${'k'.repeat(101)}"`);
  });

  it('answers 404 for revoking a key that does not exist', async () => {
    const missing = await session.post('/admin/settings/api-keys/no-such-key/revoke');
    expect(missing.statusCode).toBe(404);
  });
});
