import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { tempDir } from '../helpers/app.js';
import { postForm } from '../helpers/browser-form.js';
import { ownPostgresDatabase, type OwnPostgresDatabase } from '../helpers/own-postgres.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { sharePosts } from '../helpers/public-requests.js';
import { serviceAvailable, TEST_DATABASE_URL } from '../helpers/services.js';

const available = serviceAvailable('PostgreSQL', TEST_DATABASE_URL !== undefined);

/**
 * Helpr's process runs with these deps overrides (test/helpers/helpr-with-overrides.ts): a lease
 * shorter than INVITE_LEASE_SECONDS allows, so the takeover after a fault comes quickly (plex.tv's
 * answers are held by the test, never past the lease, so no live send is taken over), and a friend's
 * page that stops waiting for Plex after 1 s.
 */
const OVERRIDES = { inviteLeaseMs: 10_000, sendTimeoutMs: 1_000 };

interface InvitationState {
  id: string;
  identifier: string;
  status: string;
  attempts: number;
  plex_share_id: string | null;
  unconfirmed_since: string | null;
}

/**
 * Fault suite: a real Helpr process on its own PostgreSQL database, against the simulator. The
 * outcome of a send is lost (the database goes away while plex.tv answers; the process is killed
 * with sends in flight), and the attempt that takes over finds the share on plex.tv instead of
 * inviting again: every request ends sent, once, and none reads "already shared".
 */
describe.runIf(available)('sends whose outcome is lost (real process, own PostgreSQL database)', () => {
  const ctx = useSimulator();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<OwnPostgresDatabase> {
    const db = await ownPostgresDatabase();
    cleanups.push(() => db.drop());
    return db;
  }

  function dataDirectory(): string {
    const dir = tempDir('helpr-fault-pg-');
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function startHelpr(db: OwnPostgresDatabase, dataDir: string): Promise<{ run: RunningProcess; base: string }> {
    const run = runEntry(
      'test/helpers/helpr-with-overrides.ts',
      {
        ...simulatorEnv(ctx.sim),
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_USERNAME: 'owner',
        ADMIN_PASSWORD,
        PLEX_LIBRARIES: '1,2',
        INVITE_RATE_LIMIT: '1000/15m',
        // Two shared cores: a slow moment must not turn into an overload 503.
        MAX_EVENT_LOOP_DELAY_MS: '0',
        LOG_LEVEL: 'info',
      },
      [JSON.stringify(OVERRIDES)],
    );
    cleanups.push(async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exited;
    });
    const listening = await run.waitFor(/Server listening at/, 30_000);
    return { run, base: /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]! };
  }

  const invitations = (db: OwnPostgresDatabase) =>
    db.query<InvitationState>('SELECT id, identifier, status, attempts, plex_share_id, unconfirmed_since FROM invitations ORDER BY identifier');
  const stillPending = async (db: OwnPostgresDatabase) => (await invitations(db)).filter((row) => row.status === 'pending').length;
  const heldBy = (id: string) => ctx.sim.control.listHolds().find((rule) => rule.id === id)?.held;
  const lookups = () => ctx.sim.control.requestLog({ method: 'GET', path: `/api/servers/${ctx.sim.machineIdentifier}/shared_servers` });
  const requestIdOf = (location: string | null) => /^\/requests\/([A-Za-z0-9_-]{22})$/.exec(location ?? '')![1]!;

  it('PostgreSQL connection lost during a send: the request ends sent, exactly once', async () => {
    const db = await database();
    const helpr = await startHelpr(db, dataDirectory());
    // plex.tv makes the share at once and holds its answer until the test releases it.
    const held = ctx.sim.control.hold({ method: 'POST', path: '/api/servers/', stage: 'answer' });

    const submitted = await postForm(helpr.base, '/', { email: 'cut-off@example.com' });
    expect(submitted.status).toBe(303); // "saved, pending": the friend's page gave up waiting
    const id = requestIdOf(submitted.location);
    await expect.poll(() => heldBy(held), { timeout: 10_000 }).toBe(1);
    expect(ctx.sim.control.state().shares.map((share) => share.invitedEmail)).toEqual(['cut-off@example.com']);

    // While plex.tv still holds its answer, every connection to the database is cut and refused;
    // only then does the answer arrive, and its outcome cannot be written.
    await db.cutConnections();
    expect(ctx.sim.control.release(held)).toBe(1);
    await helpr.run.waitFor(/could not record an invitation attempt/, 15_000);
    await db.allowConnections();

    await expect.poll(async () => (await invitations(db))[0]?.status, { timeout: 30_000, interval: 250 }).toBe('sent');
    const [row] = await invitations(db);
    const [share] = ctx.sim.control.state().shares;
    expect(row).toMatchObject({ id, status: 'sent', attempts: 2, plex_share_id: String(share!.v1Id) });
    expect(row!.unconfirmed_since).not.toBeNull();
    expect(ctx.sim.control.state().shares).toHaveLength(1);
    expect(sharePosts(ctx.sim)).toHaveLength(1); // looked up, not sent again
    expect(lookups().length).toBeGreaterThanOrEqual(1);

    const page = await fetch(`${helpr.base}/requests/${id}`);
    const html = await page.text();
    expect(html).toContain('Invite sent to cut-off@example.com.');
    expect(html).not.toContain('already have access');
    expect(helpr.run.child.exitCode).toBeNull();
  }, 90_000);

  it('kill -9 mid-burst, then a restart on the same database: every request sent, none twice', async () => {
    const db = await database();
    const dataDir = dataDirectory();
    const first = await startHelpr(db, dataDir);
    const FRIENDS = 40;
    const NEVER_ARRIVED = 15;
    // The first 15 invites hang before plex.tv acts on them; the other 25 are made at once and their
    // answers held: when the process dies, some sends reached plex.tv and some did not.
    const hang = ctx.sim.control.addFault({ kind: 'hang', method: 'POST', path: '/api/servers/', times: NEVER_ARRIVED });
    // The answers are held until the process is gone: never released, so no send can finish first.
    const held = ctx.sim.control.hold({ method: 'POST', path: '/api/servers/', stage: 'answer' });

    const emails = Array.from({ length: FRIENDS }, (_, i) => `burst${String(i).padStart(2, '0')}@example.com`);
    const answers = await Promise.all(emails.map((email) => postForm(first.base, '/', { email })));
    expect(answers.map((answer) => answer.status)).toEqual(emails.map(() => 303));
    // Every request is saved and every send is in flight: 15 hanging, 25 made and their answers held.
    await expect.poll(() => heldBy(held), { timeout: 20_000 }).toBe(FRIENDS - NEVER_ARRIVED);
    expect(ctx.sim.control.counters().plexTv.inFlight).toBe(FRIENDS);
    expect(ctx.sim.control.state().shares).toHaveLength(FRIENDS - NEVER_ARRIVED);

    first.run.child.kill('SIGKILL');
    await first.run.exited;
    expect(await stillPending(db)).toBe(FRIENDS);
    ctx.sim.control.removeRule(hang);
    ctx.sim.control.removeRule(held);
    ctx.sim.control.clearLog();

    await startHelpr(db, dataDir);
    await expect.poll(() => stillPending(db), { timeout: 60_000, interval: 500 }).toBe(0);

    const rows = await invitations(db);
    expect(rows.map((row) => row.identifier)).toEqual(emails);
    expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
    expect(rows.filter((row) => row.unconfirmed_since === null)).toEqual([]);
    // One share per friend on plex.tv; only the invites that never arrived were sent again.
    const shared = ctx.sim.control.state().shares.map((share) => share.invitedEmail);
    expect(shared.sort()).toEqual(emails);
    expect(sharePosts(ctx.sim).map((entry) => entry.status)).toEqual(Array.from({ length: NEVER_ARRIVED }, () => 200));
    expect(lookups()).toHaveLength(FRIENDS);
  }, 120_000);
});
