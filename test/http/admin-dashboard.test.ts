import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { invitationRow } from '../../bench/invitation-rows.js';
import { buildApp } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { createTestApp, testConfig, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';

const NOW = '2026-11-24T12:00:00.000Z';

describe('admin dashboard and GET /api/v1/stats', () => {
  const ctx = useSimulator();
  let t: TestApp | undefined;
  let statements: string[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** An app after setup, wired to the simulator, that records every SQL statement it runs. */
  async function readyApp(): Promise<TestApp> {
    const clock = fixedClock(NOW);
    const config = testConfig({
      PLEX_TOKEN: ctx.sim.ownerToken,
      PLEX_SERVER_ID: ctx.sim.machineIdentifier,
      PLEX_TV_URL: ctx.sim.plexTvUrl,
      PLEX_CLIENTS_URL: ctx.sim.clientsPlexTvUrl,
    });
    const deps = await createDeps(config, { clock, logger: pino({ level: 'silent' }), database: { onQuery: (sql) => statements.push(sql) } });
    await migrateToLatest(deps.database);
    await deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    const app = await buildApp(deps);
    t = { app, deps, clock, close: async () => (await app.close(), await deps.close()) };
    return t;
  }

  async function seed(app: TestApp): Promise<void> {
    const rows = [
      invitationRow('a', 'sent', '2026-11-24T11:00:00.000Z', "o'brien+<b>@example.com"),
      invitationRow('b', 'pending', '2026-11-24T10:00:00.000Z'),
      invitationRow('c', 'failed', '2026-11-20T10:00:00.000Z'),
      invitationRow('d', 'already_shared', '2026-11-01T10:00:00.000Z', 'alice'),
      invitationRow('e', 'revoked', '2026-09-01T10:00:00.000Z'),
    ];
    for (const row of rows) await app.deps.repositories.invitations.insert(row);
    for (let i = 0; i < 12; i += 1) await app.deps.repositories.invitations.insert(invitationRow(`old-${i}`, 'sent', `2026-11-0${1 + (i % 9)}T08:00:00.000Z`));
  }

  const row = (body: string, status: string) => {
    const match = new RegExp(`<tr data-status="${status}"[^>]*>([\\s\\S]*?)</tr>`).exec(body);
    return match ? [...match[1]!.matchAll(/<td[^>]*>([\d,]+)<\/td>/g)].map((m) => Number(m[1]!.replaceAll(',', ''))) : undefined;
  };

  it('renders counts, the chart data, the latest requests and the last test, without calling Plex', async () => {
    const app = await readyApp();
    await seed(app);
    await app.deps.services.connectionTests.run();
    const session = await signIn(app.app);
    ctx.sim.control.clearLog();

    const page = await session.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(ctx.sim.control.requestLog()).toEqual([]);
    const body = page.body;

    // Today / 7 days / 30 days / all time.
    expect(row(body, 'sent')).toEqual([1, 1, 13, 13]);
    expect(row(body, 'pending')).toEqual([1, 1, 1, 1]);
    expect(row(body, 'failed')).toEqual([0, 1, 1, 1]);
    expect(row(body, 'revoked')).toEqual([0, 0, 0, 1]);
    expect(row(body, 'total')).toEqual([2, 3, 16, 17]);

    const chart = JSON.parse(/data-chart="([^"]+)"/.exec(body)![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));
    expect(chart.labels).toHaveLength(30);
    expect(chart.labels.at(-1)).toBe('Nov 24');
    const sent = chart.series.find((s: { status: string }) => s.status === 'sent');
    expect(sent.data.reduce((a: number, b: number) => a + b, 0)).toBe(13);
    expect(body).toMatch(/<tr data-day="2026-11-20">[\s\S]*?<td class="text-end">1<\/td>/);
    expect(body).toContain('/vendor/chart.js/chart.umd.js?v=');
    expect(body).toContain('/static/js/dashboard-chart.js?v=');

    const latest = /<ul class="[^"]*latest-requests">([\s\S]*?)<\/ul>/.exec(body)![1]!;
    expect(latest.match(/<li /g)).toHaveLength(10);
    expect(latest).toContain('href="/admin/invitations?q=o\'brien%2B%3Cb%3E%40example.com"'.replace("'", '&#39;'));
    expect(latest).toContain('o&#39;brien+&lt;b&gt;@example.com');
    expect(latest).not.toContain('<b>');

    expect(body).toContain('Last test passed');
    expect(body).toMatch(/<form method="post" action="\/admin\/plex\/test"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(body).not.toContain('Setup is not complete');
  });

  it('runs a render from at most 4 statements besides the session and the admin guard', async () => {
    const app = await readyApp();
    await seed(app);
    const session = await signIn(app.app);
    await session.get('/admin'); // the setup status is cached after its first look-up
    statements = [];
    await app.deps.services.dashboard.overview();
    expect(statements.length).toBeLessThanOrEqual(4);
    // Counts and the chart come from the per-day counts; only the latest 10 read invitations.
    expect(statements.filter((sql) => /from "invitation_daily_counts"/.test(sql))).toHaveLength(2);
    expect(statements.filter((sql) => /from "invitations"/.test(sql))).toHaveLength(1);

    // The whole request: the session load and save and the guard's admin look-up come on top.
    statements = [];
    expect((await session.get('/admin')).statusCode).toBe(200);
    const sessionAndGuard = statements.filter((sql) => /from "(sessions|admins)"|into "sessions"/.test(sql));
    expect(sessionAndGuard.length).toBeLessThanOrEqual(3);
    // +1 over the overview: every admin page reads whether Plex refuses the token (token-banner.ts).
    expect(statements.length - sessionAndGuard.length).toBeLessThanOrEqual(5);
  });

  it('counts accepted Plex joins, as successful with sent, in the page, the chart, the latest list and the API (issue 12)', async () => {
    const app = await readyApp();
    await seed(app);
    const joined = (id: string, status: 'accepted' | 'pending', at: string) => ({ ...invitationRow(id, status, at, `plex-${id}`), joined_with: 'plex' as const, plex_account_id: `42${id.length}` });
    await app.deps.repositories.invitations.insert(joined('j1', 'accepted', '2026-11-24T11:30:00.000Z'));
    await app.deps.repositories.invitations.insert(joined('j2', 'accepted', '2026-11-10T11:30:00.000Z'));
    await app.deps.repositories.invitations.insert(joined('j3', 'pending', '2026-11-24T11:45:00.000Z'));
    const body = (await (await signIn(app.app)).get('/admin')).body;

    expect(row(body, 'accepted')).toEqual([1, 1, 2, 2]);
    expect(row(body, 'sent')).toEqual([1, 1, 13, 13]);
    expect(row(body, 'successful')).toEqual([2, 2, 15, 15]);
    expect(row(body, 'total')).toEqual([4, 5, 19, 20]);
    expect(body).toContain('Successful counts the invites that reached Plex: Accepted (the friend signed in with Plex and Helpr accepted for them, so they can watch now) plus Sent');

    const chart = JSON.parse(/data-chart="([^"]+)"/.exec(body)![1]!.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));
    const accepted = chart.series.find((s: { status: string }) => s.status === 'accepted');
    expect(accepted).toMatchObject({ label: 'Accepted' });
    expect(accepted.data.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    // The per-day table: a column of its own, after Sent (Waiting for approval, Pending, Sent, Accepted, ...).
    const day = /<tr data-day="2026-11-10">([\s\S]*?)<\/tr>/.exec(body)![1]!;
    expect([...day.matchAll(/<td class="text-end[^"]*">(\d+)<\/td>/g)].map((m) => Number(m[1]))).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
    expect(body).toMatch(/<th scope="col" class="text-end">Sent<\/th><th scope="col" class="text-end">Accepted<\/th>/);

    const latest = /<ul class="[^"]*latest-requests">([\s\S]*?)<\/ul>/.exec(body)![1]!;
    const items = latest.split('<li ').slice(1);
    expect(items[0]).toContain('plex-j3');
    expect(items[0]).toContain('>with Plex</span>');
    expect(items[0]).toContain('>Pending</span>');
    expect(items[1]).toContain('plex-j1');
    expect(items[1]).toContain('>Accepted</span>');
    expect(items[2]).not.toContain('with Plex');

    const { key } = await app.deps.services.apiKeys.create({ name: 'test', createdBy: null });
    const stats = (await app.app.inject({ url: '/api/v1/stats', headers: { authorization: `Bearer ${key}` } })).json();
    expect(stats).toMatchObject({ total: 20, successful: 15, byStatus: { accepted: 2, sent: 13, pending: 2 } });
    expect(stats.perDay.at(-1)).toMatchObject({ day: '2026-11-24', accepted: 1, pending: 2, total: 4 });

    // A Plex sign-in waiting for approval is marked in the approval card too.
    await app.deps.repositories.invitations.insert({ ...invitationRow('j4', 'awaiting_approval', '2026-11-24T11:50:00.000Z', 'plex-j4'), joined_with: 'plex', plex_account_id: '4299' });
    const card = /<section class="card border-primary mb-3"[^>]*id="awaiting-approval">([\s\S]*?)<\/section>/.exec((await (await signIn(app.app)).get('/admin')).body)![1]!;
    expect(card).toMatch(/plex-j4<\/span> <span class="badge text-bg-light border joined-with-plex"[^>]*>with Plex<\/span>/);
  });

  it('shows the failed step of the last connection test with its hint', async () => {
    const app = await readyApp();
    ctx.sim.control.revokeToken(ctx.sim.ownerToken);
    const report = await app.deps.services.connectionTests.run();
    const failed = report.steps.find((step) => step.status === 'failed')!;
    const page = await (await signIn(app.app)).get('/admin');
    expect(page.body).toContain('Last test failed');
    expect(page.body).toContain(`at “${failed.label}”`);
    expect(page.body).toContain(failed.hint!.replaceAll("'", '&#39;'));
    expect(page.body).toContain('No requests yet.');
    expect(page.body).toContain('No requests in the last 30 days.');
    expect(page.body).not.toContain('data-chart=');
  });

  it('points to the Plex page while setup is not complete', async () => {
    t = await createTestApp();
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    const page = await (await signIn(t.app)).get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Setup is not complete');
    expect(page.body).toMatch(/<a class="alert-link" href="\/admin\/plex">/);
    expect(page.body).toContain('No connection test has run yet.');
  });

  it('sends anonymous visitors to the login page', async () => {
    t = await createTestApp();
    const response = await t.app.inject({ url: '/admin' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/admin/login?next=%2Fadmin');
  });

  it('answers GET /api/v1/stats with an API key, and 401 without', async () => {
    const app = await readyApp();
    await seed(app);
    const { key } = await app.deps.services.apiKeys.create({ name: 'test', createdBy: null });
    const response = await app.app.inject({ url: '/api/v1/stats', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(200);
    const stats = response.json();
    expect(stats.total).toBe(17);
    expect(stats.byStatus).toEqual({ awaiting_approval: 0, pending: 1, sent: 13, accepted: 0, already_shared: 1, already_invited: 0, failed: 1, declined: 0, revoked: 1 });
    expect(stats.successful).toBe(13);
    expect(stats.perDay).toHaveLength(30);
    expect(stats.perDay[0]).toEqual({ day: '2026-10-26', awaiting_approval: 0, pending: 0, sent: 0, accepted: 0, already_shared: 0, already_invited: 0, failed: 0, declined: 0, revoked: 0, total: 0 });
    expect(stats.perDay.at(-1)).toEqual({ day: '2026-11-24', awaiting_approval: 0, pending: 1, sent: 1, accepted: 0, already_shared: 0, already_invited: 0, failed: 0, declined: 0, revoked: 0, total: 2 });

    const anonymous = await app.app.inject({ url: '/api/v1/stats' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('auth.api_key_required');

    const openapi = (await app.app.inject({ url: '/api/openapi.json' })).json();
    expect(openapi.paths['/api/v1/stats'].get.tags).toEqual(['stats']);
  });
});
