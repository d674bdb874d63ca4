import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { ADMIN_PASSWORD, signIn } from '../helpers/admin-session.js';
import { testAppOf, testConfig, type TestApp } from '../helpers/app.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { requestIdOf, sharePosts, submitRequest } from '../helpers/public-requests.js';
import { deleteKeysUnder, keysUnder, testRedisPrefix } from '../helpers/redis.js';
import { serviceAvailable, TEST_REDIS_URL } from '../helpers/services.js';

/**
 * Redis going away under a running app (its client disconnected, as when Redis stops) and coming
 * back: requests and sign-in go on, limits count in memory meanwhile, readiness reports Redis
 * without failing. The real process with a real redis-server killed and restarted is in
 * test/integration/fault-redis.test.ts.
 */
describe.runIf(serviceAvailable('Redis', TEST_REDIS_URL !== undefined))('Redis outage', () => {
  const ctx = useSimulator();
  let t: TestApp;
  const lines: string[] = [];
  // The test Redis is shared: this suite's keys go under a prefix of its own, deleted afterwards.
  const prefix = testRedisPrefix();
  const address = (n: number) => `10.0.${n}.1`;

  beforeAll(async () => {
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const stream = new Writable({ write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()) });
    const config = testConfig({ ...simulatorEnv(ctx.sim), REDIS_URL: TEST_REDIS_URL!, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'info' });
    const deps = await createDeps(config, { clock, logger: pino({ level: 'info' }, stream), plexCa: ctx.sim.tlsCaPem });
    await migrateToLatest(deps.database);
    await deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    await deps.services.settings.update({ libraries: ['1', '2'] });
    t = await testAppOf(deps, clock);
  });
  afterAll(async () => {
    await t?.close();
    await deleteKeysUnder(TEST_REDIS_URL!, prefix);
  });

  it('keeps taking requests and sign-ins while Redis is away, counting limits in memory', async () => {
    t.deps.redis!.disconnect();
    for (let i = 0; i < 3; i += 1) {
      const response = await submitRequest(t.app, { email: `outage${i}@example.com` }, { ip: address(1) });
      requestIdOf(response);
    }
    expect(sharePosts(ctx.sim)).toHaveLength(3);
    const session = await signIn(t.app, 'owner', ADMIN_PASSWORD, address(2));
    expect((await session.get('/admin')).statusCode).toBe(200);

    // The 404 limiter still limits (30 a minute), in this instance's memory.
    for (let i = 0; i < 30; i += 1) expect((await t.app.inject({ url: `/missing/${i}`, remoteAddress: address(3) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/missing/again', remoteAddress: address(3) })).statusCode).toBe(429);

    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ ready: true, checks: { database: 'ok', database_write: 'ok', redis: expect.stringMatching(/^degraded: /) } });
    // One warning for the whole outage, not one per request.
    expect(lines.filter((l) => l.includes('rate-limit counters unavailable'))).toHaveLength(1);
  });

  it('counts in Redis again once it is back', async () => {
    await t.deps.redis!.connect();
    t.clock.advance(1000); // the interval at which Redis is tried again
    requestIdOf(await submitRequest(t.app, { email: 'back@example.com' }, { ip: address(4) }));
    const [key, ...others] = (await keysUnder(t.deps.redis!, prefix)).filter((k) => k.endsWith(`invite:${address(4)}`));
    expect(others).toEqual([]);
    expect(await t.deps.redis!.get(key!)).toBe('1');
    expect(lines.filter((l) => l.includes('rate-limit counters are shared again'))).toHaveLength(1);
    expect((await t.app.inject('/readyz')).json()).toMatchObject({ ready: true, checks: { redis: 'ok' } });
  });
});
