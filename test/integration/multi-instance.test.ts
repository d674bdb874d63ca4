import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm, signIn } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';
import { deleteKeysUnder, testRedisPrefix } from '../helpers/redis.js';
import { serviceAvailable, TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/services.js';

const T0 = '2026-11-24T12:00:00.000Z';
const available = serviceAvailable('PostgreSQL', TEST_DATABASE_URL !== undefined) && serviceAvailable('Redis', TEST_REDIS_URL !== undefined);

/** Two Helpr instances on one PostgreSQL database and one Redis, as behind a load balancer. */
describe.runIf(available)('several instances on PostgreSQL and Redis', () => {
  const ctx = useSimulator();
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  const prefix = testRedisPrefix();

  beforeAll(async () => {
    database = await createTestDatabase('postgres', { migrate: false });
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${database.schema}`);
    const env = { DATABASE_URL: url.toString(), REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: prefix, INVITE_RATE_LIMIT: '6/15m' };
    a = await createReadyApp(ctx.sim, { env });
    b = await createReadyApp(ctx.sim, { env, ownsAdmin: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await database?.close();
    await deleteKeysUnder(TEST_REDIS_URL!, prefix);
  });

  it('holds the invite rate limit in total across both instances', async () => {
    const page = await a.app.inject({ url: '/', remoteAddress: '203.0.113.5' });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const post = (app: TestApp) =>
      app.app.inject({
        method: 'POST',
        url: '/',
        remoteAddress: '203.0.113.5',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm({ email: 'not an email', _csrf: token }),
      });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await post(a)).statusCode, (await post(b)).statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400]);
    expect((await post(a)).statusCode).toBe(429);
    expect((await post(b)).statusCode).toBe(429);
  });

  it('accepts a session made on one instance on the other', async () => {
    const session = await signIn(a.app);
    const onB = await b.app.inject({ url: '/admin', headers: { cookie: session.cookie } });
    expect(onB.statusCode).toBe(200);
    expect(onB.body).toContain('Sign out');
  });

  it('sends 200 queued invitations exactly once each', async () => {
    ctx.sim.control.clearLog();
    const repo = a.deps.repositories.invitations;
    for (let i = 0; i < 200; i += 1) {
      const row = invitationRow({
        id: `multi-${i}`,
        identifier: `queued${i}@example.com`,
        status: 'pending',
        libraries: '[]',
        last_error: 'Plex failed',
        error_kind: 'upstream',
        next_attempt_at: T0,
        created_at: T0,
      });
      await repo.insert(row);
    }
    let sent = 0;
    for (let pass = 0; pass < 10 && sent < 200; pass += 1) {
      const counts = await Promise.all([a, b, a, b].map((app) => app.deps.services.retryWorker.runOnce()));
      sent += counts.reduce((x, y) => x + y, 0);
    }
    expect(sent).toBe(200);
    const invites = ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST', path: '/api/servers/' });
    expect(invites).toHaveLength(200);
    expect(new Set(invites.map((entry) => JSON.stringify(entry.body))).size).toBe(200);
  });

  it('shows settings changed on one instance on the other within 5 seconds', async () => {
    await b.deps.services.settings.get(); // b has the old value cached
    await a.deps.services.settings.update({ siteTitle: 'Movie night at Sam’s' });
    expect((await a.deps.services.settings.get()).siteTitle).toBe('Movie night at Sam’s');
    b.clock.advance(5001);
    expect((await b.deps.services.settings.get()).siteTitle).toBe('Movie night at Sam’s');
    expect((await b.app.inject('/')).body).toContain('Movie night at Sam’s');
  });
});
