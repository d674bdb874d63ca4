import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { tempDir, testConfig, TEST_SECRET } from '../helpers/app.js';
import { withDb } from '../helpers/plex-join-process.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { postForm } from '../helpers/browser-form.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { startReceiver } from '../helpers/receiver.js';

const CLOCK_STEP_MS = 3 * 60_000;
const REQUESTS = 5;

/**
 * Issue 14's outbox against a real process (SQLite file): with the webhook's receiver down, friends'
 * requests leave their events in the outbox; Helpr is killed (-9) and started again, the receiver
 * comes up, and every event arrives exactly once.
 */
describe('notifications survive kill -9 (real process, SQLite file)', () => {
  const ctx = useSimulator();
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A free port on 127.0.0.1 nothing listens on (yet). */
  async function freePort(): Promise<number> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  function startHelpr(dataDir: string, dbFile: string): RunningProcess {
    const run = runEntry(
      'test/helpers/helpr-with-overrides.ts',
      { ...simulatorEnv(ctx.sim), DATA_DIR: dataDir, DATABASE_URL: `sqlite:${dbFile}`, SECRET_KEY: TEST_SECRET, PORT: '0', HOST: '127.0.0.1', ADMIN_USERNAME: 'owner', ADMIN_PASSWORD, PLEX_LIBRARIES: '1', MAX_EVENT_LOOP_DELAY_MS: '0', LOG_LEVEL: 'info' },
      [JSON.stringify({ clockStepMs: CLOCK_STEP_MS })],
    );
    cleanups.push(async () => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await run.exited;
    });
    return run;
  }

  it('delivers every event once after a kill -9 with messages waiting, once the receiver is up', { timeout: 120_000 }, async () => {
    const dataDir = tempDir('helpr-notify-crash-');
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const dbFile = path.join(dataDir, 'helpr.db');
    const port = await freePort();
    const deps = await createDeps(testConfig({ DATA_DIR: dataDir, DATABASE_URL: `sqlite:${dbFile}` }), { logger: pino({ level: 'silent' }), connectRedis: false });
    try {
      await migrateToLatest(deps.database);
      await deps.services.notifications.create({ type: 'webhook', name: 'hook', events: ['request.received', 'invitation.sent'], config: { url: `http://127.0.0.1:${port}/hook` } }, { name: 'test', type: 'system', ip: null });
    } finally {
      await deps.close();
    }

    const first = startHelpr(dataDir, dbFile);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await first.waitFor(/Server listening at/, 30_000))![1]!;
    for (let i = 0; i < REQUESTS; i += 1) {
      const posted = await postForm(base, '/', { email: `friend${i}@example.com` });
      expect(posted.status).toBe(303);
    }
    const count = (status: string) => withDb(dbFile, (db) => (db.prepare('SELECT COUNT(*) AS n FROM notification_deliveries WHERE status = ?').get(status) as { n: number }).n);
    const events = () => withDb(dbFile, (db) => (db.prepare('SELECT COUNT(*) AS n FROM notification_events').get() as { n: number }).n);
    // Each request's event at once; each invite's when its send is recorded (it may finish after the friend's page).
    await expect.poll(events, { timeout: 20_000, interval: 250 }).toBe(2 * REQUESTS);
    // The worker (every 5 s) tries them against the closed port: they wait for their next try.
    await expect.poll(() => withDb(dbFile, (db) => (db.prepare('SELECT COUNT(*) AS n FROM notification_deliveries WHERE attempts > 0').get() as { n: number }).n), { timeout: 30_000, interval: 250 }).toBe(2 * REQUESTS);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(count('pending')).toBe(2 * REQUESTS);

    const receiver = await startReceiver({ port });
    cleanups.push(() => receiver.close());
    const second = startHelpr(dataDir, dbFile);
    await second.waitFor(/Server listening at/, 30_000);
    // Past the retries' backoff (30 s and more), on Helpr's clock.
    second.child.kill('SIGUSR2');
    await second.waitFor(/clock moved on/, 10_000);
    await expect.poll(() => count('delivered'), { timeout: 30_000, interval: 250 }).toBe(2 * REQUESTS);
    const ids = receiver.state.received.map((hit) => JSON.parse(hit.body).id as string);
    expect(ids).toHaveLength(2 * REQUESTS);
    expect(new Set(ids).size).toBe(2 * REQUESTS);
    expect(count('pending') + count('dead')).toBe(0);
  });
});
