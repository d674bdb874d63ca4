import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { tempDir, testConfig, TEST_SECRET } from '../helpers/app.js';
import { expectFriendTokenGone, joinWithPlexOverHttp, withDb } from '../helpers/plex-join-process.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { textOf } from '../helpers/public-requests.js';

/**
 * Helpr's process runs with these deps overrides (test/helpers/helpr-with-overrides.ts): the
 * friend's sign-in stops waiting for the job after 1 s (the job goes on in the background, as it
 * does when plex.tv is slow), and a clock the test moves on by 3 minutes with SIGUSR2, past any
 * backoff of the first three retries (30 s doubling, +20 %) and past a lease (60 s), so nothing
 * here sleeps for them. The worker's 5 s timer runs on real time.
 */
const CLOCK_STEP_MS = 3 * 60_000;
const OVERRIDES = { sendTimeoutMs: 1_000, clockStepMs: CLOCK_STEP_MS };
/** PLEX_LIBRARIES 1,2: Movies and TV Shows, by their plex.tv ids in the simulator's seed. */
const LIBRARY_IDS = [35723967, 35723968];
const SCENARIO_MS = 60_000;
const ACCEPT_ROUTE = '/api/v2/shared_servers/:id/accept';
const RECEIVED_PENDING = '/api/v2/shared_servers/invites/received/pending';
/** The invite itself (v1 /api/servers/:mid/shared_servers or v2 /api/v2/shared_servers), not its updates or accepts. */
const SHARE_PATH = /\/shared_servers$/;

interface Helpr {
  run: RunningProcess;
  base: string;
  /** How far its clock was moved on. */
  movedMs: number;
}

interface JoinRow {
  id: string;
  status: string;
  join_step: string | null;
  attempts: number;
  lease_owner: string | null;
  next_attempt_at: string | null;
  accepted_at: string | null;
  plex_account_id: string | null;
  error_kind: string | null;
}

/**
 * Fault suite for Join with Plex (issue 12): a real Helpr process on a SQLite file against the
 * simulator, the friend driven over HTTP as a browser without JavaScript would. plex.tv fails the
 * share or the accept for a while, or Helpr is killed (-9) between the share and the accept, or
 * just after plex.tv took the accept: each time the job ends accepted, with one share and one accept
 * that plex.tv acted on, the share holding the libraries, and the friend's token gone.
 */
describe('Join with Plex survives faults (real process, SQLite file)', () => {
  const ctx = useSimulator();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A data directory with a migrated database and an API key for the admin API. */
  async function installation(): Promise<{ dataDir: string; dbFile: string; apiKey: string }> {
    const dataDir = tempDir('helpr-join-faults-');
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const dbFile = path.join(dataDir, 'helpr.db');
    const deps = await createDeps(testConfig({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${dbFile}` }), { logger: pino({ level: 'silent' }), connectRedis: false });
    try {
      await migrateToLatest(deps.database);
      const { key } = await deps.services.apiKeys.create({ name: 'fault test', createdBy: null });
      return { dataDir, dbFile, apiKey: key };
    } finally {
      await deps.close();
    }
  }

  async function startHelpr(dataDir: string, dbFile: string): Promise<Helpr> {
    const run = runEntry(
      'test/helpers/helpr-with-overrides.ts',
      {
        ...simulatorEnv(ctx.sim),
        DATA_DIR: dataDir,
        DATABASE_URL: `sqlite:${dbFile}`,
        SECRET_KEY: TEST_SECRET,
        PORT: '0',
        HOST: '127.0.0.1',
        ADMIN_USERNAME: 'owner',
        ADMIN_PASSWORD,
        PLEX_LIBRARIES: '1,2',
        PLEX_APP_URL: ctx.sim.plexTvUrl,
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
    return { run, base: /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!, movedMs: 0 };
  }

  async function kill(helpr: Helpr): Promise<void> {
    helpr.run.child.kill('SIGKILL');
    await helpr.run.exited;
  }

  /** Moves Helpr's clock on by CLOCK_STEP_MS and waits until it says so. */
  async function moveClock(helpr: Helpr): Promise<void> {
    helpr.movedMs += CLOCK_STEP_MS;
    helpr.run.child.kill('SIGUSR2');
    await helpr.run.waitFor(new RegExp(`^clock moved on ${helpr.movedMs} ms$`), 10_000);
  }

  const rowOf = (dbFile: string, id: string) =>
    withDb(dbFile, (db) => db.prepare('SELECT id, status, join_step, attempts, lease_owner, next_attempt_at, accepted_at, plex_account_id, error_kind FROM invitations WHERE id = ?').get(id) as JoinRow | undefined);

  /**
   * Polls the request until it is accepted. While it waits out a retry's backoff (not leased, due
   * later by Helpr's clock), Helpr's clock is moved on rather than the test sleeping for it.
   */
  async function untilAccepted(helpr: Helpr, dbFile: string, id: string): Promise<JoinRow> {
    const moveClockWhenWaiting = async (): Promise<string> => {
      const row = rowOf(dbFile, id)!;
      const helprNow = new Date(Date.now() + helpr.movedMs).toISOString();
      if (row.status === 'pending' && row.lease_owner === null && row.next_attempt_at !== null && row.next_attempt_at > helprNow) await moveClock(helpr);
      return row.status;
    };
    try {
      await expect.poll(moveClockWhenWaiting, { timeout: SCENARIO_MS / 2, interval: 200 }).toBe('accepted');
    } catch (error) {
      throw new Error(`not accepted: ${JSON.stringify(rowOf(dbFile, id))}\n${helpr.run.output()}`, { cause: error });
    }
    return rowOf(dbFile, id)!;
  }

  const shareCalls = () => ctx.sim.control.requestLog({ method: 'POST' }).filter((entry) => SHARE_PATH.test(entry.path));
  const acceptCalls = () => ctx.sim.control.requestLog({ method: 'POST', route: ACCEPT_ROUTE });
  /** plex.tv's log from `seq` on: calls about shares other than the friend's received list and accepts (the share step's look-up, invite or update). */
  const shareStepCallsSince = (seq: number) =>
    ctx.sim.control.requestLog().filter((entry) => entry.seq > seq && entry.path.includes('shared_servers') && entry.route !== RECEIVED_PENDING && entry.route !== ACCEPT_ROUTE);
  const lastSeq = () => ctx.sim.control.requestLog().at(-1)?.seq ?? 0;
  const heldBy = (rule: string) => ctx.sim.control.listHolds().find((hold) => hold.id === rule)?.held;

  /** Everything the scenarios promise once the job ended. */
  async function expectAcceptedOnce(
    helpr: Helpr,
    setup: { dbFile: string; apiKey: string },
    join: { id: string; accountId: number; friendToken: string },
    faults: { share: number; accept: number },
  ): Promise<void> {
    const row = await untilAccepted(helpr, setup.dbFile, join.id);
    expect(row).toMatchObject({ status: 'accepted', join_step: null, plex_account_id: String(join.accountId), error_kind: null });
    expect(row.accepted_at).not.toBeNull();

    // plex.tv: one share (the ones it refused aside) and one accept for the friend, the share
    // holding the libraries and accepted, nothing left pending.
    const shares = shareCalls();
    expect(shares.filter((entry) => entry.fault === 'status').map((entry) => entry.status)).toEqual(Array(faults.share).fill(503));
    const madeShares = shares.filter((entry) => entry.fault === undefined);
    expect(madeShares).toHaveLength(1);
    expect(JSON.stringify(madeShares[0]!.body)).toMatch(new RegExp(`"invited_?[iI]d":"?${join.accountId}\\b`));
    const accepts = acceptCalls();
    expect(accepts.filter((entry) => entry.fault === 'status').map((entry) => entry.status)).toEqual(Array(faults.accept).fill(503));
    const madeAccepts = accepts.filter((entry) => entry.fault === undefined);
    expect(madeAccepts).toHaveLength(1);
    expect(madeAccepts[0]!.headers['x-plex-token'], 'accepted as the friend').toBe(join.friendToken);
    const state = ctx.sim.control.state();
    const friendShares = state.shares.filter((share) => share.invitedId === join.accountId);
    expect(friendShares).toHaveLength(1);
    expect(friendShares[0]).toMatchObject({ machineIdentifier: ctx.sim.machineIdentifier, accepted: true });
    expect([...friendShares[0]!.libraryIds].sort()).toEqual(LIBRARY_IDS);
    expect(state.pending.filter((share) => share.invitedId === join.accountId)).toEqual([]);

    // The admin API says accepted, for that Plex account.
    const api = await fetch(`${helpr.base}/api/v1/invitations?status=accepted`, { headers: { authorization: `Bearer ${setup.apiKey}` } });
    expect(api.status).toBe(200);
    const { items } = (await api.json()) as { items: Array<{ id: string; status: string; joinedWith: string; plexAccountId: string | null }> };
    expect(items).toEqual([expect.objectContaining({ id: join.id, status: 'accepted', joinedWith: 'plex', plexAccountId: String(join.accountId) })]);

    // The friend's page says they are in.
    expect(textOf(await (await fetch(`${helpr.base}/requests/${join.id}`)).text())).toContain("You're in");

    // The friend's token: no row keeps it, no table holds it in any column, the file never had it
    // in plain text, and no log line printed it.
    expectFriendTokenGone(setup.dbFile, join.friendToken);
    expect(helpr.run.output()).not.toContain(join.friendToken);
  }

  it('plex.tv answers 503 to the share three times, then shares: one share, one accept, accepted', async () => {
    const setup = await installation();
    const helpr = await startHelpr(setup.dataDir, setup.dbFile);
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: SHARE_PATH.source, times: 3 });

    const join = await joinWithPlexOverHttp(helpr.base, ctx.sim, 'share-fails');
    // The first attempt ran while the friend waited, and plex.tv refused it: the job waits to retry.
    await expect.poll(() => rowOf(setup.dbFile, join.id)?.error_kind, { timeout: 10_000, interval: 100 }).not.toBeNull();
    expect(rowOf(setup.dbFile, join.id)).toMatchObject({ status: 'pending', join_step: 'share' });

    await expectAcceptedOnce(helpr, setup, join, { share: 3, accept: 0 });
  }, SCENARIO_MS);

  it('plex.tv answers 503 to the accept twice, then accepts: the share is not made again', async () => {
    const setup = await installation();
    const helpr = await startHelpr(setup.dataDir, setup.dbFile);
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$', times: 2 });

    const join = await joinWithPlexOverHttp(helpr.base, ctx.sim, 'accept-fails');
    await expect.poll(() => rowOf(setup.dbFile, join.id)?.error_kind, { timeout: 10_000, interval: 100 }).not.toBeNull();
    expect(rowOf(setup.dbFile, join.id)).toMatchObject({ status: 'pending', join_step: 'accept' });

    await expectAcceptedOnce(helpr, setup, join, { share: 0, accept: 2 });
  }, SCENARIO_MS);

  it('kill -9 between the share and the accept: the next process resumes at the accept once the lease ran out', async () => {
    const setup = await installation();
    const first = await startHelpr(setup.dataDir, setup.dbFile);
    // The job stops at the look for the friend's pending invites, the share made and recorded.
    const held = ctx.sim.control.hold({ method: 'GET', path: RECEIVED_PENDING });

    const join = await joinWithPlexOverHttp(first.base, ctx.sim, 'killed-before-accept');
    await expect.poll(() => heldBy(held), { timeout: 10_000, interval: 100 }).toBe(1);
    expect(rowOf(setup.dbFile, join.id)).toMatchObject({ status: 'pending', join_step: 'accept' });
    expect(ctx.sim.control.state().pending.filter((share) => share.invitedId === join.accountId)).toHaveLength(1);
    await kill(first);
    expect(rowOf(setup.dbFile, join.id)!.lease_owner).not.toBeNull();
    const killedAt = lastSeq();

    const second = await startHelpr(setup.dataDir, setup.dbFile);
    ctx.sim.control.release(held);
    // The dead process's lease: nothing takes the job until it ran out.
    await moveClock(second);

    await expectAcceptedOnce(second, setup, join, { share: 0, accept: 0 });
    // After the restart the job went on at the accept: it looked for the invite and accepted it,
    // then checked nothing was left; it did not go back to the share (not even to look it up).
    expect(ctx.sim.control.requestLog({ method: 'GET', route: RECEIVED_PENDING }).filter((entry) => entry.status === 200)).toHaveLength(2);
    expect(shareStepCallsSince(killedAt)).toEqual([]);
  }, SCENARIO_MS);

  it('kill -9 just after plex.tv took the accept: the next process sees nothing pending and does not accept again', async () => {
    const setup = await installation();
    const first = await startHelpr(setup.dataDir, setup.dbFile);
    // plex.tv accepts at once and keeps its answer back: Helpr dies before it can record the accept.
    const held = ctx.sim.control.hold({ method: 'POST', pathRegex: '/accept$', stage: 'answer' });

    const join = await joinWithPlexOverHttp(first.base, ctx.sim, 'killed-after-accept');
    await expect.poll(() => heldBy(held), { timeout: 10_000, interval: 100 }).toBe(1);
    expect(ctx.sim.control.state().accepted.filter((share) => share.invitedId === join.accountId)).toHaveLength(1);
    expect(rowOf(setup.dbFile, join.id)).toMatchObject({ status: 'pending', join_step: 'accept' });
    await kill(first);
    const killedAt = lastSeq();

    const second = await startHelpr(setup.dataDir, setup.dbFile);
    ctx.sim.control.release(held);
    await moveClock(second);

    await expectAcceptedOnce(second, setup, join, { share: 0, accept: 0 });
    expect(shareStepCallsSince(killedAt)).toEqual([]);
  }, SCENARIO_MS);
});
