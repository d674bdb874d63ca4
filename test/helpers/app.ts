import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.js';
import { fixedClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps, type Deps, type DepsOverrides } from '../../src/deps.js';
import { tempDir } from './temp-dirs.js';

export const TEST_SECRET = 'test-secret-key-that-is-long-enough-0123456789';

export { tempDir };

/** A configuration as `npm start` would load it, with test-friendly defaults. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    DATA_DIR: tempDir(),
    DATABASE_URL: 'sqlite::memory:',
    SECRET_KEY: TEST_SECRET,
    LOG_LEVEL: 'silent',
    // Many test files share two cores: a slow moment must not turn into a 503.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
}

export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  clock: ReturnType<typeof fixedClock>;
  close(): Promise<void>;
}

/**
 * A migrated app on in-memory SQLite, not yet listening; use app.inject(). Against a TLS simulator,
 * pass `{ plexCa: sim.tlsCaPem }`.
 */
export async function createTestApp(env: Record<string, string> = {}, overrides: Pick<DepsOverrides, 'plexCa'> = {}): Promise<TestApp> {
  const clock = fixedClock('2026-11-24T12:00:00.000Z');
  const deps = await createDeps(testConfig(env), { clock, logger: pino({ level: 'silent' }), plexCa: overrides.plexCa });
  await migrateToLatest(deps.database);
  return testAppOf(deps, clock);
}

/** Builds the app on `deps` and closes it all (worker, app, connections) in the right order. */
export async function testAppOf(deps: Deps, clock: TestApp['clock']): Promise<TestApp> {
  const app = await buildApp(deps);
  return {
    app,
    deps,
    clock,
    close: async () => {
      await deps.services.retryWorker.stop();
      await app.close();
      await deps.close();
    },
  };
}

/** The CSRF cookie and token a browser would get from a page with a form. */
export async function csrfFrom(app: FastifyInstance, url = '/'): Promise<{ cookie: string; token: string }> {
  const response = await app.inject({ method: 'GET', url });
  const setCookie = response.cookies.find((c) => c.name === 'helpr_csrf');
  const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
  if (!setCookie || !token) throw new Error(`no CSRF cookie/token on ${url}`);
  return { cookie: `helpr_csrf=${setCookie.value}`, token };
}

/** Headers that authenticate with a new API key (JSON API tests). */
export async function apiAuth(t: Pick<TestApp, 'deps'>, name = 'robot'): Promise<{ authorization: string }> {
  const { key } = await t.deps.services.apiKeys.create({ name, createdBy: null });
  return { authorization: `Bearer ${key}` };
}
