import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { tempDir, type TestApp } from '../helpers/app.js';
import { createTestDatabase, describeDialects } from '../helpers/database.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { invitationRows, requestIdOf, sharePosts, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';
import { TEST_DATABASE_URL } from '../helpers/services.js';

const BANNER = "Plex refused Helpr's token: sign in with Plex again.";
const ADMIN_PAGES = ['/admin', '/admin/invitations', '/admin/codes', '/admin/plex', '/admin/settings', '/admin/audit'];
const FRIENDS = ['ann', 'ben', 'cai', 'dee', 'eli', 'fay'].map((name) => `${name}@example.com`);

/**
 * Fault suite: plex.tv signs the owner's token out (401 on every call) while friends submit, on two
 * Helpr instances sharing one database (a SQLite file, and PostgreSQL when configured). Nothing is
 * lost, the owner is told on every admin page of every instance, and once they sign in again every
 * waiting request is sent exactly once.
 */
describeDialects('token revoked and restored, two instances on %s', (dialect) => {
  const ctx = useSimulator();
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function twoInstances(): Promise<[TestApp, TestApp]> {
    let env: Record<string, string>;
    if (dialect === 'postgres') {
      const database = await createTestDatabase('postgres', { migrate: false });
      open.push(() => database.close());
      const url = new URL(TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${database.schema}`);
      env = { DATABASE_URL: url.toString() };
    } else {
      const dir = tempDir('helpr-token-');
      open.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      env = { DATABASE_URL: `sqlite:${path.join(dir, 'helpr.db')}` };
    }
    // No PLEX_TOKEN: the token is the one "Sign in with Plex" stored, which the owner can replace.
    env.PLEX_TOKEN = '';
    const a = await createReadyApp(ctx.sim, { env });
    open.push(() => a.close());
    const b = await createReadyApp(ctx.sim, { env, ownsAdmin: false });
    open.push(() => b.close());
    await a.deps.services.plexConnection.saveToken(ctx.sim.ownerToken);
    return [a, b];
  }

  const advance = (apps: TestApp[], ms: number) => apps.forEach((t) => t.clock.advance(ms));
  const runWorkers = async (apps: TestApp[]) => (await Promise.all(apps.map((t) => t.deps.services.retryWorker.runOnce()))).reduce((x, y) => x + y, 0);
  const okPosts = () => sharePosts(ctx.sim).filter((entry) => entry.status !== undefined && entry.status >= 200 && entry.status < 300);
  const asSession = (session: AdminSession, app: TestApp) => ({
    get: (url: string) => app.app.inject({ url, headers: { cookie: session.cookie } }),
  });

  async function submit(t: TestApp, email: string) {
    const id = requestIdOf(await submitRequest(t.app, { email }));
    const page = await t.app.inject(`/requests/${id}`);
    expect(page.body).toContain('data-status="pending"');
    const text = textOf(page.body);
    expect(text).toContain('The server owner needs to sign in to Plex again');
    expect(text).toContain('there is nothing else for you to do');
    expect(text).not.toMatch(/token|401|did not answer in time/i);
    return id;
  }

  it('keeps requests waiting, warns on every admin page, and sends each once after the owner signs in again', async () => {
    const [a, b] = await twoInstances();
    const apps = [a, b];
    const sessionA = await signIn(a.app);
    const onB = asSession(sessionA, b);
    // An old passing test must not keep saying "Working" once Plex refuses the token.
    expect((await sessionA.post('/admin/plex/test')).statusCode).toBe(303);
    expect(textOf((await onB.get('/admin')).body)).toContain('Working');

    ctx.sim.control.expireToken(ctx.sim.ownerToken);
    const ids = [await submit(a, FRIENDS[0]!), await submit(a, FRIENDS[1]!), await submit(a, FRIENDS[2]!)];

    // B has not called Plex since: it shows A's refusal all the same, on every admin page.
    for (const url of ADMIN_PAGES) {
      const page = await onB.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(textOf(page.body), url).toContain(BANNER);
      expect(page.body, url).toContain('href="/admin/plex/connect"');
    }
    const dashboard = textOf((await onB.get('/admin')).body);
    expect(dashboard).toContain('Token refused');
    expect(dashboard).not.toContain('Working');

    ids.push(await submit(b, FRIENDS[3]!), await submit(b, FRIENDS[4]!), await submit(a, FRIENDS[5]!));
    expect(textOf((await onB.get('/admin')).body)).toContain('6 requests are waiting');
    for (const row of await invitationRows(a.deps)) {
      expect(row).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
      // Not every 30 s: the owner has to act first.
      expect(Date.parse(row.next_attempt_at!) - Date.parse(row.updated_at)).toBeGreaterThanOrEqual(30 * 60_000);
    }

    // The workers do not burn through tries meanwhile...
    advance(apps, 10 * 60_000);
    const refusedSoFar = sharePosts(ctx.sim).length;
    expect(await runWorkers(apps)).toBe(0);
    expect(sharePosts(ctx.sim)).toHaveLength(refusedSoFar);
    // ...and a day later the requests still wait rather than fail.
    advance(apps, 25 * 60 * 60_000);
    await runWorkers(apps);
    for (const row of await invitationRows(a.deps)) expect(row).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
    expect(okPosts()).toHaveLength(0);

    // The owner signs in with Plex again, on B.
    const sessionB = await signIn(b.app);
    expect((await sessionB.post('/admin/plex/connect/pin')).headers.location).toBe('/admin/plex/connect/wait');
    const pin = ctx.sim.control.state().pins.find((p) => p.live)!;
    expect(ctx.sim.control.approvePin({ id: pin.id }).authToken).not.toBe(ctx.sim.ownerToken);
    expect((await sessionB.post('/admin/plex/connect/wait')).headers.location).toBe('/admin/plex/server');

    // The banner is gone everywhere, and the waiting requests are due now, not in half an hour.
    for (const url of ADMIN_PAGES) expect(textOf((await onB.get(url)).body), url).not.toContain(BANNER);
    expect(textOf((await sessionA.get('/admin')).body)).not.toContain(BANNER);
    const now = a.clock.now().toISOString();
    for (const row of await invitationRows(a.deps)) expect(row.next_attempt_at! <= now).toBe(true);

    // Both workers at once, then again until nothing is left (A may still hold the old token for
    // a few seconds; what it tried with it comes back shortly).
    for (let pass = 0; pass < 5 && (await invitationRows(a.deps)).some((row) => row.status === 'pending'); pass += 1) {
      await runWorkers(apps);
      advance(apps, 2 * 60_000);
    }
    const rows = await invitationRows(a.deps);
    expect(rows.map((row) => row.status)).toEqual(Array(6).fill('sent'));
    expect(rows.every((row) => row.error_kind === null && row.last_error === null)).toBe(true);
    const sentTo = okPosts().map((entry) => JSON.stringify(entry.body));
    for (const friend of FRIENDS) expect(sentTo.filter((body) => body.includes(`"${friend}"`)), friend).toHaveLength(1);
    expect(ctx.sim.control.state().pending.map((share) => share.invitedEmail).sort()).toEqual([...FRIENDS].sort());
    for (const id of ids) expect(textOf((await b.app.inject(`/requests/${id}`)).body)).toContain('Invite sent to');
    expect(await runWorkers(apps)).toBe(0);
  });
});
