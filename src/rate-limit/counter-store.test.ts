import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeysUnder, testRedisPrefix } from '../../test/helpers/redis.js';
import { serviceAvailable, TEST_REDIS_URL } from '../../test/helpers/services.js';
import { fixedClock } from '../clock.js';
import type { CounterStore } from './counter-store.js';
import { MemoryCounterStore } from './memory-counter-store.js';
import { RedisCounterStore } from './redis-counter-store.js';

/**
 * The contract every store must keep. Windows are short real time for Redis (its expiry is on the
 * server's clock); for memory the injected clock moves instead.
 */
function contract(
  name: string,
  setup: () => Promise<{ store: CounterStore; expire(ms: number): Promise<void>; close(): Promise<void> }>,
  /** Registered as skipped (counted in the summary) when its service is missing. */
  skipped?: string,
) {
  describe.skipIf(skipped !== undefined)(`${name} counter store${skipped ? ` (skipped: ${skipped})` : ''}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(() => ctx.close());
    const key = () => `test:${crypto.randomUUID()}`;

    it('counts hits within a window and reports the time left', async () => {
      const k = key();
      expect((await ctx.store.hit(k, 60_000)).count).toBe(1);
      expect((await ctx.store.hit(k, 60_000)).count).toBe(2);
      const third = await ctx.store.hit(k, 60_000);
      expect(third.count).toBe(3);
      expect(third.resetInMs).toBeGreaterThan(55_000);
      expect(third.resetInMs).toBeLessThanOrEqual(60_000);
      expect((await ctx.store.peek(k)).count).toBe(3);
    });

    it('keeps keys apart', async () => {
      const a = key();
      const b = key();
      await ctx.store.hit(a, 60_000);
      await ctx.store.hit(a, 60_000);
      expect((await ctx.store.hit(b, 60_000)).count).toBe(1);
    });

    it('starts again after the window ends', async () => {
      const k = key();
      await ctx.store.hit(k, 200);
      await ctx.store.hit(k, 200);
      await ctx.expire(250);
      expect((await ctx.store.peek(k)).count).toBe(0);
      expect((await ctx.store.hit(k, 200)).count).toBe(1);
    });

    it('resets a key', async () => {
      const k = key();
      await ctx.store.hit(k, 60_000);
      await ctx.store.reset(k);
      expect((await ctx.store.peek(k)).count).toBe(0);
      expect((await ctx.store.hit(k, 60_000)).count).toBe(1);
    });

    it('takes back a hit, never below zero, keeping the window', async () => {
      const k = key();
      await ctx.store.hit(k, 60_000);
      await ctx.store.hit(k, 60_000);
      await ctx.store.takeBack(k);
      const left = await ctx.store.peek(k);
      expect(left.count).toBe(1);
      expect(left.resetInMs).toBeGreaterThan(55_000);
      await ctx.store.takeBack(k);
      await ctx.store.takeBack(k);
      expect((await ctx.store.peek(k)).count).toBe(0);
      await ctx.store.takeBack(key()); // a key never hit
      expect((await ctx.store.hit(k, 60_000)).count).toBe(1);
    });

    it('hands out turns one after another, each `spacing` after the one before', async () => {
      const k = key();
      // Concurrent callers queue: their waits add up instead of running side by side.
      const waits = await Promise.all([200, 300, 400].map((spacing) => ctx.store.takeTurn(k, spacing)));
      const sorted = waits.map(Number).sort((x, y) => x - y);
      expect(sorted[2]).toBeGreaterThan(850);
      expect(sorted[2]).toBeLessThanOrEqual(900);
      expect(sorted[0]).toBeGreaterThanOrEqual(150);
      expect(sorted[1]! - sorted[0]!).toBeGreaterThanOrEqual(150);
      expect(sorted[2]! - sorted[1]!).toBeGreaterThanOrEqual(150);
      // Once the last turn has passed, the next one is `spacing` from now.
      await ctx.expire(950);
      const next = await ctx.store.takeTurn(k, 100);
      expect(next).toBeGreaterThan(50);
      expect(next).toBeLessThanOrEqual(100);
    });

    it('with a longest wait, reserves no turn beyond it and leaves the queue as it was', async () => {
      // Redis counts down on its own clock: a few milliseconds may pass between calls.
      const near = (wait: number | undefined, expected: number) => {
        expect(wait).toBeGreaterThan(expected - 50);
        expect(wait).toBeLessThanOrEqual(expected);
      };
      const k = key();
      near(await ctx.store.takeTurn(k, 300, 1000), 300);
      near(await ctx.store.takeTurn(k, 300, 1000), 600);
      near(await ctx.store.takeTurn(k, 300, 1000), 900);
      // The next turn would come at 1200: refused, however often it is asked for.
      for (let i = 0; i < 5; i += 1) expect(await ctx.store.takeTurn(k, 300, 1000)).toBeUndefined();
      // The queue still ends at 900: a shorter spacing fits, and a caller without a limit queues at 900 + spacing.
      near(await ctx.store.takeTurn(k, 100, 1000), 1000);
      near(await ctx.store.takeTurn(k, 300), 1300);
      // An empty queue: the first turn is `spacing` away, refused only when that alone is too long.
      const other = key();
      expect(await ctx.store.takeTurn(other, 500, 400)).toBeUndefined();
      near(await ctx.store.takeTurn(other, 500, 500), 500);
    });

    it('counts concurrent hits exactly', async () => {
      const k = key();
      const hits = await Promise.all(Array.from({ length: 50 }, () => ctx.store.hit(k, 60_000)));
      expect(hits.map((h) => h.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    });
  });
}

contract('memory', async () => {
  const clock = fixedClock('2026-01-01T00:00:00Z');
  return { store: new MemoryCounterStore(clock), expire: async (ms) => clock.advance(ms), close: async () => undefined };
});

contract(
  'redis',
  async () => {
    const redis = new Redis(TEST_REDIS_URL!, { maxRetriesPerRequest: 1 });
    const prefix = testRedisPrefix();
    const store = new RedisCounterStore(redis, prefix);
    const close = async () => {
      await redis.quit();
      await deleteKeysUnder(TEST_REDIS_URL!, prefix);
    };
    // Redis expires keys on its own clock, so this wait is the expiry under test, not a guess.
    return { store, expire: (ms) => new Promise((resolve) => setTimeout(resolve, ms)), close };
  },
  serviceAvailable('Redis', TEST_REDIS_URL !== undefined) ? undefined : 'no TEST_REDIS_URL',
);

describe('memory counter store bounds', () => {
  it('evicts the oldest window when full', async () => {
    const store = new MemoryCounterStore(fixedClock('2026-01-01T00:00:00Z'), 3);
    for (const k of ['a', 'b', 'c', 'd']) await store.hit(k, 60_000);
    expect((await store.peek('a')).count).toBe(0);
    expect((await store.peek('d')).count).toBe(1);
  });
});
