/**
 * Which external services the tests may use. A missing one skips its suites with a visible line,
 * except under CI=true, where it is a failure: CI must really run every suite.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL?.trim() || undefined;
export const IN_CI = process.env.CI === 'true';

const announced = new Set<string>();

/** True when the service is configured; otherwise prints "skipped: no X" once (or throws in CI). */
export function serviceAvailable(name: 'PostgreSQL' | 'Redis' | 'Chromium', configured: boolean): boolean {
  if (configured) return true;
  if (IN_CI) throw new Error(`CI=true but ${name} is not available to the tests`);
  if (!announced.has(name)) {
    announced.add(name);
    console.warn(`skipped: no ${name} (${name === 'PostgreSQL' ? 'TEST_DATABASE_URL' : name === 'Redis' ? 'TEST_REDIS_URL' : '/usr/bin/chromium'} not set up)`);
  }
  return false;
}
