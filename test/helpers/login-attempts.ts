import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { pino } from 'pino';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { DEVICE_COOKIE } from '../../src/modules/auth/device-cookie.js';
import { ADMIN_PASSWORD, encodeForm } from './admin-session.js';
import { testAppOf, testConfig, type TestApp } from './app.js';

/**
 * An app with the admins `owner` and `second` whose sign-in slow-downs are recorded instead of
 * waited: the clock stands still meanwhile, and the test moves it to play an attack out in time.
 */
export async function throttleTestApp(env: Record<string, string> = {}): Promise<{ t: TestApp; sleeps: number[] }> {
  const sleeps: number[] = [];
  const clock = fixedClock('2026-11-24T12:00:00.000Z');
  const deps = await createDeps(testConfig(env), { clock, logger: pino({ level: 'silent' }), sleep: async (ms) => void sleeps.push(ms) });
  await migrateToLatest(deps.database);
  const t = await testAppOf(deps, clock);
  await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
  await t.deps.services.admins.createAdmin({ username: 'second', password: ADMIN_PASSWORD });
  await t.app.ready();
  return { t, sleeps };
}

/** One sign-in through the form, as a browser at `address` sends it (`cookie`: e.g. its device cookie). */
export async function postLogin(
  app: FastifyInstance,
  attempt: { username: string; address: string; password?: string; cookie?: string; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  const page = await app.inject({ url: '/admin/login', remoteAddress: attempt.address });
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error(`no login form (status ${page.statusCode})`);
  const cookies = [...page.cookies.map((c) => `${c.name}=${c.value}`), ...(attempt.cookie ? [attempt.cookie] : [])];
  return app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress: attempt.address,
    headers: { ...attempt.headers, cookie: cookies.join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    payload: encodeForm({ username: attempt.username, password: attempt.password ?? 'wrong password!', _csrf: token }),
  });
}

/** The device cookie a sign-in set, as a Cookie header entry. */
export function deviceCookieOf(response: LightMyRequestResponse): string {
  const cookie = response.cookies.find((c) => c.name === DEVICE_COOKIE);
  if (!cookie) throw new Error(`no device cookie (status ${response.statusCode})`);
  return `${DEVICE_COOKIE}=${cookie.value}`;
}

export const QUEUE_REFUSAL = /Too many sign-in attempts for this account from your network\. Wait \d+ minutes?, or sign in from a browser you used before\./;
