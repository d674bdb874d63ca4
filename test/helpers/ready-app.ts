import { pino } from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import type { JoinMode } from '../../src/modules/settings/join-mode.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import { testAppOf, testConfig, type TestApp } from './app.js';
import { signIn, type AdminSession } from './admin-session.js';
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

/**
 * One ready app for a test file, with the owner signed in and an API key (read them in tests, after
 * beforeAll): `admin.t`, `admin.session`, `admin.key`, `admin.api(method, url, payload?)`.
 */
export function useReadyAdmin(ctx: { sim: PlexSimulator }) {
  const admin = {} as { t: TestApp; session: AdminSession; key: string; api: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => Promise<LightMyRequestResponse> };
  beforeAll(async () => {
    admin.t = await createReadyApp(ctx.sim);
    admin.session = await signIn(admin.t.app);
    admin.key = (await admin.t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
    admin.api = (method, url, payload) => admin.t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${admin.key}` }, payload });
  });
  afterAll(() => admin.t.close());
  return admin;
}
