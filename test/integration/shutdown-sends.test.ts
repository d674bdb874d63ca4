import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/deps.js';
import { createInvitationsRepository } from '../../src/modules/invitations/invitations.repository.js';
import { createDatabase } from '../../src/db/database.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { tempDir, testConfig } from '../helpers/app.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { sharePosts } from '../helpers/public-requests.js';

/**
 * plex.tv makes the share at once and holds its answer this long: past the friend's wait, and past
 * the 2 s for which closing the Plex client lets calls in flight finish.
 */
const HELD_ANSWER_MS = 3000;

/**
 * A friend's request that answered "pending" goes on sending in the background, which no request
 * waits for: stopping Helpr must wait for it (or give its lease back), not close the database under it.
 */
describe('stopping with an invite being sent in the background', () => {
  const plex = useSimulator();
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close().catch(() => undefined);
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Helpr on a SQLite file (so the rows can be read after it stopped), set up against the simulator. */
  async function startHelpr(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
    const config = testConfig({ ...simulatorEnv(plex.sim), DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'helpr.db')}`, PORT: '0', HOST: '127.0.0.1', ...env });
    // The friend's page waits 100 ms for Plex, then answers "pending".
    const deps = await createDeps(config, { logger: pino({ level: 'silent' }), sendTimeoutMs: 100, plexCa: plex.sim.tlsCaPem });
    const server = await startServer(config, { deps, retryWorker: false, announce: false });
    servers.push(server);
    await deps.services.settings.update({ libraries: ['1', '2'] });
    return server;
  }

  async function rowAfterStop(dataDir: string, id: string) {
    const database = await createDatabase({ dialect: 'sqlite', url: 'sqlite:', filename: path.join(dataDir, 'helpr.db') });
    try {
      return await createInvitationsRepository(database.db).findById(id);
    } finally {
      await database.close();
    }
  }

  /** A friend's request answered "pending" while plex.tv holds its answer; returns its id and the rule holding it. */
  async function submitPending(server: RunningServer, heldMs = HELD_ANSWER_MS): Promise<{ id: string; held: string }> {
    const held = plex.sim.control.addLatency({ method: 'POST', path: '/api/servers/', ms: heldMs, stage: 'answer' });
    const { invitation } = await server.deps.services.invitations.submit({ email: 'friend@example.com', clientIp: '198.51.100.7', userAgent: 'vitest' });
    expect(invitation.status).toBe('pending');
    return { id: invitation.id, held };
  }

  it('waits for the send and records its outcome before closing the database', async () => {
    const dataDir = tempDir('helpr-stop-sends-');
    dirs.push(dataDir);
    const server = await startHelpr(dataDir);
    const { id } = await submitPending(server);

    await server.close();
    servers.splice(0);
    expect(await rowAfterStop(dataDir, id)).toMatchObject({ status: 'sent', lease_owner: null, attempts: 1 });
    expect(sharePosts(plex.sim)).toHaveLength(1);
  });

  it('past SHUTDOWN_TIMEOUT_MS gives the request back, and the next instance records the share without inviting again', async () => {
    const dataDir = tempDir('helpr-stop-sends-');
    dirs.push(dataDir);
    // 3 s for the whole stop leaves no time for sends (3 s are kept for closing): given back at once.
    const server = await startHelpr(dataDir, { SHUTDOWN_TIMEOUT_MS: '3000' });
    const { id, held } = await submitPending(server, 3 * HELD_ANSWER_MS);

    const started = Date.now();
    await server.close();
    servers.splice(0);
    expect(Date.now() - started).toBeLessThan(2 * HELD_ANSWER_MS);
    const given = await rowAfterStop(dataDir, id);
    expect(given).toMatchObject({ status: 'pending', lease_owner: null, lease_until: null, attempts: 1 });
    expect(given!.unconfirmed_since).not.toBeNull();

    // Another instance takes it at once (no lease to wait out) and finds the share plex.tv made.
    plex.sim.control.removeRule(held);
    plex.sim.control.clearLog();
    expect(plex.sim.control.state().shares).toHaveLength(1);
    const next = await startHelpr(dataDir);
    expect(await next.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await next.deps.repositories.invitations.findById(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(sharePosts(plex.sim)).toHaveLength(0);
  });
});
