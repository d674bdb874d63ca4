import { pino } from 'pino';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import type { JoinMode } from '../../src/modules/settings/join-mode.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import { testAppOf, testConfig, type TestApp } from './app.js';
import { simulatorEnv } from './plex-sim.js';

/**
 * An app as after the owner's setup, wired to the simulator: an admin, the owner's Plex token and
 * server, and (unless told otherwise) Movies and TV Shows selected for new friends.
 */
export async function createReadyApp(
  sim: PlexSimulator,
  options: { env?: Record<string, string>; libraries?: string[]; sendTimeoutMs?: number; plexPageWaitMs?: number; requireCode?: boolean; joinMode?: JoinMode; ownsAdmin?: boolean; sleep?: (ms: number) => Promise<void> } = {},
): Promise<TestApp> {
  const clock = fixedClock('2026-11-24T12:00:00.000Z');
  const config = testConfig({
    ...simulatorEnv(sim),
    ...options.env,
  });
  const deps = await createDeps(config, { clock, logger: pino({ level: 'silent' }), sendTimeoutMs: options.sendTimeoutMs, plexPageWaitMs: options.plexPageWaitMs, plexCa: sim.tlsCaPem, sleep: options.sleep });
  await migrateToLatest(deps.database);
  // A second instance on the same database finds the admin and settings already there.
  if (options.ownsAdmin !== false) {
    await deps.services.admins.createAdmin({ username: 'owner', password: 'a long enough password' });
    // requireCode: the older name of the code join mode, as many tests still say.
    const joinMode = options.joinMode ?? (options.requireCode ? 'code' : 'open');
    await deps.services.settings.update({ libraries: options.libraries ?? ['1', '2'], joinMode });
  }
  return testAppOf(deps, clock);
}
