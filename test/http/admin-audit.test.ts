import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signIn, type AdminSession } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, describeDialects, type TestDialect } from '../helpers/database.js';
import { TEST_DATABASE_URL } from '../helpers/services.js';

const rows = (body: string) => [...body.matchAll(/<tr>\s*<td class="text-nowrap"><time[\s\S]*?<\/tr>/g)].map((match) => match[0].replace(/\s+/g, ' '));

/** The app on in-memory SQLite, or on a PostgreSQL schema of its own (dropped afterwards). */
async function appOn(dialect: TestDialect): Promise<TestApp> {
  if (dialect === 'sqlite') return createTestApp();
  const database = await createTestDatabase('postgres', { migrate: false });
  const url = new URL(TEST_DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${database.schema}`);
  const t = await createTestApp({ DATABASE_URL: url.toString() });
  return {
    ...t,
    async close() {
      await t.close();
      await database.close();
    },
  };
}

describeDialects('the audit log page on %s', (dialect) => {
  let t: TestApp;
  let session: AdminSession;
  beforeAll(async () => {
    t = await appOn(dialect);
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    // A failed sign-in from one address, then a good one from another.
    await expect(signIn(t.app, 'owner', 'wrong password!!', '203.0.113.9')).rejects.toThrow(/401/);
    t.clock.advance(1000);
    session = await signIn(t.app, 'owner', ADMIN_PASSWORD, '198.51.100.4');
    t.clock.advance(1000);
    await session.post('/admin/settings/site', { siteTitle: 'Movie night', welcomeMessage: '' });
    t.clock.advance(1000);
    const admin = { name: 'owner', type: 'admin' as const, ip: '198.51.100.4' };
    await t.deps.services.audit.record(admin, 'code.create', 'code-1', { label: 'Family', maxUses: 5 });
    t.clock.advance(1000);
    await t.deps.services.audit.record(admin, 'code.revoke', 'code-1', { label: 'Family', uses: 2 });
  });
  afterAll(() => t.close());

  it('lists sign-ins, settings changes and codes, newest first, with who, address and details', async () => {
    const page = await session.get('/admin/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<a class="nav-link active" href="\/admin\/audit"/);
    const list = rows(page.body);
    expect(list).toHaveLength(5);
    expect(list[0]).toContain('2026-11-24 12:00:04 UTC');
    // Names and sentences (issue 19, point 7); what was recorded, ids included, folded away.
    const visible = (row: string) => row.replace(/<details[\s\S]*?<\/details>/g, '');
    expect(list[0]).toMatch(/owner <span[^>]*>\(admin\)<\/span>.*Revoked an invite code.*invite code “Family”.*198\.51\.100\.4.*Used 2 times\./);
    expect(list[1]).toMatch(/Created an invite code.*invite code “Family”.*5 uses; never expires; gives the default libraries\./);
    expect(list[2]).toMatch(/Changed settings.*Site settings.*Changed site title, welcome message\./);
    for (const row of list.slice(0, 3)) expect(visible(row)).not.toMatch(/code-1|label: |maxUses|fields: /);
    expect(list[0]).toMatch(/<details[^>]*>.*Recorded data.*code-1.*&quot;uses&quot;:2/);
    expect(list[3]).toMatch(/owner <span[^>]*>\(admin\)<\/span>.*Signed in.*198\.51\.100\.4/);
    expect(list[4]).toMatch(/2026-11-24 12:00:00 UTC.*owner <span[^>]*>\(not signed in\)<\/span>.*Sign-in failed.*203\.0\.113\.9/);
    expect(page.body).toContain('5 entries; times in UTC.');
  });

  it('filters by kind of action and ignores unknown filters', async () => {
    const logins = await session.get('/admin/audit?action=login');
    expect(rows(logins.body).map((row) => /Signed in|Sign-in failed/.exec(row)?.[0])).toEqual(['Signed in', 'Sign-in failed']);
    expect(logins.body).toContain('<option value="login" selected>Sign-ins</option>');
    expect(rows((await session.get('/admin/audit?action=code')).body)).toHaveLength(2);
    expect(rows((await session.get('/admin/audit?action=settings')).body)).toHaveLength(1);
    expect((await session.get('/admin/audit?action=apikey')).body).toContain('Nothing recorded of this kind.');
    expect(rows((await session.get('/admin/audit?action=%25')).body)).toHaveLength(5);
  });

  it('pages through 50 entries at a time, keeping the filter in the links', async () => {
    for (let i = 0; i < 120; i += 1) {
      t.clock.advance(1000);
      await t.deps.services.audit.record({ name: null, type: 'anonymous', ip: `192.0.2.${i}` }, 'login.failure');
    }
    const first = await session.get('/admin/audit?action=login');
    expect(rows(first.body)).toHaveLength(50);
    expect(rows(first.body)[0]).toContain('192.0.2.119');
    expect(first.body).toContain('Page 1 of 3');
    expect(first.body).toContain('href="/admin/audit?action=login&amp;page=2" rel="next"');
    expect(first.body).not.toContain('rel="prev"');
    const last = await session.get('/admin/audit?action=login&page=3');
    expect(rows(last.body)).toHaveLength(22);
    expect(last.body).toContain('Page 3 of 3');
    expect(last.body).toContain('href="/admin/audit?action=login&amp;page=2" rel="prev"');
    expect(rows((await session.get('/admin/audit?page=abc')).body)).toHaveLength(50);
    // Past the last page: the last page, not an empty one.
    expect((await session.get('/admin/audit?action=login&page=9')).body).toContain('Page 3 of 3');
  });
});
