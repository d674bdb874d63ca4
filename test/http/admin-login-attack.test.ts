import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_LIMITS, loginDelayMs } from '../../src/modules/auth/auth.service.js';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { postLogin, QUEUE_REFUSAL, throttleTestApp } from '../helpers/login-attempts.js';

/**
 * An attack that sends more guesses for the owner's username than the slow-down lets through
 * (one per delay) must not build a queue the owner waits behind: waits stay under a bound, and the
 * attacker's surplus is refused instead of queued.
 */
describe('admin sign-in under a sustained guessing attack', () => {
  let t: TestApp;
  let sleeps: number[];
  beforeAll(async () => {
    ({ t, sleeps } = await throttleTestApp());
  });
  afterAll(() => t.close());

  /** One attempt and the waits it asked for. */
  const timed = async (attempt: Parameters<typeof postLogin>[1]) => {
    const before = sleeps.length;
    const response = await postLogin(t.app, attempt);
    return { response, waits: sleeps.slice(before) };
  };

  it('keeps every wait under the bound, refuses the surplus plainly, and lets the owner in from a clean address', async () => {
    const statuses = new Map<number, number>();
    // A minute and a half of two guesses a second; each address guesses four times (its first is clean).
    for (let guess = 0; guess < 180; guess += 1) {
      if (guess % 2 === 0) t.clock.advance(1000);
      const { response, waits } = await timed({ username: 'owner', address: `198.18.0.${Math.floor(guess / 4) + 1}` });
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      for (const wait of waits) expect(wait).toBeLessThanOrEqual(LOGIN_LIMITS.maxQueueWaitMs);
      if (response.statusCode === 429) {
        expect(response.body).toMatch(QUEUE_REFUSAL);
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
    }
    expect([...statuses.keys()].sort()).toEqual([401, 429]);
    // Each address's first guess is never refused; past that, about one per delay gets checked.
    expect(statuses.get(401)).toBeLessThan(45 + 90_000 / LOGIN_LIMITS.maxDelayMs + 10);

    const owner = await timed({ username: 'owner', password: ADMIN_PASSWORD, address: '203.0.113.9' });
    expect(owner.response.statusCode).toBe(303);
    expect(owner.waits).toHaveLength(1);
    expect(owner.waits[0]).toBeLessThanOrEqual(LOGIN_LIMITS.maxQueueWaitMs);
  });

  it('does not lengthen the queue with the attempts it refuses', async () => {
    t.clock.advance(2 * LOGIN_LIMITS.windowMs); // every count and the queue start again
    // Guesses from fresh addresses, at one moment: their turns queue up one behind the other.
    let queueEndMs = 0;
    for (let n = 1; n <= 12; n += 1) {
      queueEndMs += loginDelayMs(n - 1);
      const { response, waits } = await timed({ username: 'owner', address: `192.0.2.${n}` });
      expect(response.statusCode).toBe(401);
      expect(waits).toEqual(queueEndMs > 0 ? [queueEndMs] : []);
    }
    const spacing = loginDelayMs(12);
    expect(queueEndMs + spacing).toBeGreaterThan(LOGIN_LIMITS.maxQueueWaitMs); // the next turn is too far

    // Addresses that already failed for the username are refused at once, without a turn.
    for (let n = 1; n <= 5; n += 1) {
      const { response, waits } = await timed({ username: 'owner', address: `192.0.2.${n}` });
      expect(response.statusCode).toBe(429);
      expect(waits).toEqual([]);
    }
    // Once the queue has moved on, the next turn is where it would have been without them.
    t.clock.advance(queueEndMs + spacing - LOGIN_LIMITS.maxQueueWaitMs);
    const next = await timed({ username: 'owner', address: '192.0.2.6' });
    expect(next.response.statusCode).toBe(401);
    expect(next.waits).toEqual([LOGIN_LIMITS.maxQueueWaitMs]);
  });
});
