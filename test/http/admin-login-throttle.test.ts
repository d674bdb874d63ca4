import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { LOGIN_LIMITS, loginDelayMs } from '../../src/modules/auth/auth.service.js';
import { ADMIN_PASSWORD, encodeForm, signIn } from '../helpers/admin-session.js';
import { testAppOf, testConfig, type TestApp } from '../helpers/app.js';

/**
 * Guessing an admin's password: many addresses at once must not multiply the guesses an attacker
 * gets per username, and an IPv6 /64 (what one home or server is given) counts as one address,
 * while the owner from an address with no failures is never refused.
 */
describe('admin sign-in under a password-guessing attack', () => {
  let t: TestApp;
  /** The slow-downs asked for, recorded instead of waited (the clock stands still meanwhile). */
  const sleeps: number[] = [];
  beforeAll(async () => {
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const sleep = async (ms: number) => void sleeps.push(ms);
    const deps = await createDeps(testConfig(), { clock, logger: pino({ level: 'silent' }), sleep });
    await migrateToLatest(deps.database);
    t = await testAppOf(deps, clock);
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await t.deps.services.admins.createAdmin({ username: 'second', password: ADMIN_PASSWORD });
    await t.app.ready();
  });
  afterAll(() => t.close());

  const wrongPassword = async (username: string, remoteAddress: string) => {
    const page = await t.app.inject({ url: '/admin/login', remoteAddress });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const response = await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm({ username, password: 'wrong password!', _csrf: token }),
    });
    return response.statusCode;
  };

  it('checks one guess per username at a time while the queue is short, and keeps every wait under the bound', async () => {
    sleeps.length = 0;
    const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => wrongPassword('owner', `198.51.100.${i + 1}`)));
    expect(statuses).toEqual(Array(50).fill(401)); // an address with no failures is never refused

    // Every attempt counts from the moment it starts: past the first few, each waits for its own
    // turn behind the others. A turn further away than the longest wait is not taken (the queue
    // would grow without end under a sustained attack): those, from new addresses, are checked
    // after the longest wait instead.
    const delays = Array.from({ length: 50 }, (_, i) => loginDelayMs(i)).filter((ms) => ms > 0);
    expect(sleeps).toHaveLength(delays.length);
    const turns = sleeps.filter((ms) => ms < LOGIN_LIMITS.maxQueueWaitMs);
    expect(turns.length).toBeGreaterThan(3);
    expect(new Set(turns).size).toBe(turns.length); // no two checked at the same moment
    expect(Math.max(...sleeps)).toBe(LOGIN_LIMITS.maxQueueWaitMs);

    // The owner, from an address with no failures, still gets in: after at most the longest wait.
    sleeps.length = 0;
    const session = await signIn(t.app, 'owner', ADMIN_PASSWORD, '203.0.113.200');
    expect((await session.get('/admin')).statusCode).toBe(200);
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeLessThanOrEqual(LOGIN_LIMITS.maxQueueWaitMs);
  });

  it('counts an IPv6 /64 as one address, and an IPv4-mapped address as its IPv4 address', async () => {
    t.clock.advance(LOGIN_LIMITS.windowMs); // new windows: the queue above plays no part here
    const inGroup = (n: number) => `2001:db8:7:1::${n.toString(16)}`;
    for (let n = 1; n <= LOGIN_LIMITS.perUsernameAndAddress; n += 1) expect(await wrongPassword('second', inGroup(n))).toBe(401);
    // A fresh address of the same /64 is refused, even with the right password...
    expect(await wrongPassword('second', inGroup(0xff))).toBe(429);
    await expect(signIn(t.app, 'second', ADMIN_PASSWORD, inGroup(0xabcd))).rejects.toThrow(/429/);
    // ...while another /64 gets in.
    await expect(signIn(t.app, 'second', ADMIN_PASSWORD, '2001:db8:7:2::1')).resolves.toBeDefined();

    t.clock.advance(LOGIN_LIMITS.windowMs); // nor the slow-down of the guesses above
    for (let n = 1; n <= LOGIN_LIMITS.perUsernameAndAddress; n += 1) expect(await wrongPassword('second', '::ffff:192.0.2.77')).toBe(401);
    expect(await wrongPassword('second', '192.0.2.77')).toBe(429);

    // The limit per address, whatever the usernames, holds for the /64 too.
    const names = Array.from({ length: LOGIN_LIMITS.perAddress }, (_, i) => `name${i}`);
    for (const [i, name] of names.entries()) expect(await wrongPassword(name, `2001:db8:9:9:${i.toString(16)}::1`)).toBe(401);
    expect(await wrongPassword('another', '2001:db8:9:9:ffff::1')).toBe(429);
  });

  it('counts parallel guesses from one address in full: no more than the limit get checked', async () => {
    t.clock.advance(LOGIN_LIMITS.windowMs);
    const statuses = await Promise.all(Array.from({ length: 30 }, () => wrongPassword('owner', '192.0.2.200')));
    expect(statuses.filter((status) => status === 401)).toHaveLength(LOGIN_LIMITS.perUsernameAndAddress);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - LOGIN_LIMITS.perUsernameAndAddress);
  });
});
