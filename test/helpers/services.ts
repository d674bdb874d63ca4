import { spawnSync } from 'node:child_process';

/**
 * Which external services the tests may use. A missing one skips its suites with a visible line,
 * except under CI=true, where it is a failure: CI must really run every suite.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;
export const IN_CI = process.env.CI === 'true';

const announced = new Set<string>();

/** True when the service is configured; otherwise prints "skipped: no X" once (or throws in CI). */
export function serviceAvailable(name: keyof typeof SETUP, configured: boolean): boolean {
  if (configured) return true;
  if (IN_CI) throw new Error(`CI=true but ${name} is not available to the tests`);
  if (!announced.has(name)) {
    announced.add(name);
    console.warn(`skipped: no ${name} (${SETUP[name]})`);
  }
  return false;
}

/** What a developer sets up to run each service's suites. */
const SETUP = {
  PostgreSQL: 'TEST_DATABASE_URL not set up',
  Redis: 'TEST_REDIS_URL not set up',
  Chromium: '/usr/bin/chromium not set up',
  // The Redis fault suite starts and kills its own redis-server (the shared Redis is never stopped).
  'redis-server': 'the redis-server program is not installed',
  // The TLS suite runs its own PostgreSQL (as the postgres user) and Redis with a private CA.
  'TLS servers': 'needs root, openssl, redis-server and the PostgreSQL server binaries (/usr/lib/postgresql/*/bin)',
  // The subpath browser test puts Helpr behind a real reverse proxy.
  nginx: 'the nginx program is not installed (apt-get install nginx-light)',
} as const;

/** True when `program` can be started from PATH (for suites that run their own server). */
export function programInstalled(program: string): boolean {
  return spawnSync(program, ['--version'], { stdio: 'ignore' }).status === 0;
}
