import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../clock.js';
import { MemoryCounterStore } from '../../rate-limit/memory-counter-store.js';
import { createLoginThrottle, LOGIN_LIMITS, loginDelayMs } from './login-throttle.js';

// The sign-in throttle on its own, over the in-memory counters with a fixed clock: what is refused,
// when, with which words and Retry-After, what a right password takes back, and the slow-down.

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-24T12:00:00.000Z');

function setup() {
  const clock = fixedClock(new Date(T0));
  const counters = new MemoryCounterStore(clock);
  const slept: number[] = [];
  // Sleeping moves the clock on, as time passes while a turn is waited for.
  const throttle = createLoginThrottle({ counters, sleep: async (ms) => (slept.push(ms), clock.advance(ms)) });
  return { clock, counters, slept, throttle };
}

/** `n` failed attempts (admitted, never succeeded). */
async function fail(throttle: ReturnType<typeof setup>['throttle'], n: number, attempt: { user: string; ip: string; deviceNonce?: string }) {
  for (let i = 0; i < n; i += 1) await throttle.admit(attempt);
}

describe('login delay', () => {
  it('waits nothing up to the slow-down, then 250 ms doubling to 3 s', () => {
    expect(loginDelayMs(0)).toBe(0);
    expect(loginDelayMs(LOGIN_LIMITS.slowDownAfter)).toBe(0);
    expect(loginDelayMs(LOGIN_LIMITS.slowDownAfter + 1)).toBe(250);
    expect(loginDelayMs(LOGIN_LIMITS.slowDownAfter + 2)).toBe(500);
    expect(loginDelayMs(LOGIN_LIMITS.slowDownAfter + 4)).toBe(2000);
    expect(loginDelayMs(LOGIN_LIMITS.slowDownAfter + 5)).toBe(3000);
    expect(loginDelayMs(1000)).toBe(3000);
  });
});

describe('login throttle', () => {
  it('refuses the 11th failure for one account from one network, saying for how long, in minutes and Retry-After seconds', async () => {
    const { throttle, clock } = setup();
    const attempt = { user: 'owner', ip: '198.51.100.7' };
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress, attempt);
    // (The slowed-down attempts moved the clock on by their waits; the window began at T0.)
    clock.set(new Date(T0 + 4 * MINUTE + 30_000));
    const refusal = await throttle.admit(attempt).catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      status: 429,
      code: 'auth.throttled',
      message: 'Too many sign-in attempts for this account from your network. Wait 11 minutes.',
      retryAfter: 630,
    });
    // Another account from the same network is still let in.
    await expect(throttle.admit({ user: 'someone', ip: '198.51.100.7' })).resolves.toBeDefined();
  });

  it('refuses the 31st failure from one network whatever the usernames, in words of its own', async () => {
    const { throttle, clock } = setup();
    for (let i = 0; i < LOGIN_LIMITS.perAddress; i += 1) await throttle.admit({ user: `user${i}`, ip: '203.0.113.9' });
    clock.advance(14 * MINUTE + 30_000);
    await expect(throttle.admit({ user: 'another', ip: '203.0.113.9' })).rejects.toMatchObject({
      status: 429,
      message: 'Too many sign-in attempts from your network. Wait 1 minute.',
      retryAfter: 30,
    });
    // Another network is not refused.
    await expect(throttle.admit({ user: 'another', ip: '198.51.100.1' })).resolves.toBeDefined();
  });

  it('says a minute, never 0, when the window is about to end', async () => {
    const { throttle, clock } = setup();
    const attempt = { user: 'owner', ip: '198.51.100.7' };
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress, attempt);
    clock.set(new Date(T0 + 15 * MINUTE - 200));
    await expect(throttle.admit(attempt)).rejects.toMatchObject({ message: expect.stringContaining('Wait 1 minute.'), retryAfter: 1 });
  });

  it('counts a whole IPv6 /64 as one network', async () => {
    const { throttle } = setup();
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress, { user: 'owner', ip: '2001:db8:1:2::1' });
    await expect(throttle.admit({ user: 'owner', ip: '2001:db8:1:2:ffff::9' })).rejects.toMatchObject({ status: 429 });
    await expect(throttle.admit({ user: 'owner', ip: '2001:db8:1:3::1' })).resolves.toBeDefined();
  });

  it('keys a username by its first 100 characters, and cannot mix a username up with a network', async () => {
    const { throttle } = setup();
    const long = 'a'.repeat(100);
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress, { user: `${long}b`, ip: '198.51.100.7' });
    await expect(throttle.admit({ user: `${long}c`, ip: '198.51.100.7' })).rejects.toMatchObject({ status: 429 });
  });

  it('forgets this network\'s failures for the account when the password was right', async () => {
    const { throttle } = setup();
    const attempt = { user: 'owner', ip: '198.51.100.7' };
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress - 1, attempt);
    const admission = await throttle.admit(attempt);
    await admission.succeeded();
    // Ten more failures are allowed again before the refusal.
    await fail(throttle, LOGIN_LIMITS.perUsernameAndAddress, attempt);
    await expect(throttle.admit(attempt)).rejects.toMatchObject({ status: 429 });
  });

  it('takes a right password back from the network count, not resetting it', async () => {
    const { throttle, counters } = setup();
    await fail(throttle, 3, { user: 'other', ip: '198.51.100.7' });
    const admission = await throttle.admit({ user: 'owner', ip: '198.51.100.7' });
    await admission.succeeded();
    expect((await counters.peek('login-ip:198.51.100.7')).count).toBe(3);
  });

  it('slows down an account beyond 5 failures from anywhere, waiting its turn before the check', async () => {
    const { throttle, slept } = setup();
    for (let i = 0; i <= LOGIN_LIMITS.slowDownAfter; i += 1) await throttle.admit({ user: 'owner', ip: `198.51.100.${i + 1}` });
    expect(slept).toEqual([]);
    await throttle.admit({ user: 'owner', ip: '203.0.113.1' });
    expect(slept).toEqual([250]);
    await throttle.admit({ user: 'owner', ip: '203.0.113.2' });
    expect(slept).toEqual([250, 500]);
  });

  it('lets a browser that signed in before skip the slow-down, up to 10 failures with that cookie', async () => {
    const { throttle, slept } = setup();
    for (let i = 0; i < 8; i += 1) await throttle.admit({ user: 'owner', ip: `198.51.100.${i + 1}` });
    slept.length = 0;
    // From a new network each time, so that no refusal per network comes first.
    for (let i = 0; i < LOGIN_LIMITS.perDevice; i += 1) await throttle.admit({ user: 'owner', ip: `192.0.2.${i + 1}`, deviceNonce: 'nonce-1' });
    expect(slept).toEqual([]);
    await throttle.admit({ user: 'owner', ip: '192.0.2.99', deviceNonce: 'nonce-1' });
    expect(slept).toEqual([1000]);
  });

  it("forgets the device's failures when its password was right", async () => {
    const { throttle, slept } = setup();
    for (let i = 0; i < 8; i += 1) await throttle.admit({ user: 'owner', ip: `198.51.100.${i + 1}` });
    slept.length = 0;
    const known = { user: 'owner', ip: '192.0.2.1', deviceNonce: 'nonce-1' };
    await fail(throttle, LOGIN_LIMITS.perDevice - 1, known);
    await (await throttle.admit(known)).succeeded();
    await fail(throttle, LOGIN_LIMITS.perDevice, { ...known, ip: '192.0.2.2' });
    expect(slept).toEqual([]);
  });

  it('takes a slowed-down right password back from the account count', async () => {
    const { throttle, counters } = setup();
    for (let i = 0; i < 6; i += 1) await throttle.admit({ user: 'owner', ip: `198.51.100.${i + 1}` });
    const admission = await throttle.admit({ user: 'owner', ip: '203.0.113.1' });
    await admission.succeeded();
    expect((await counters.peek('login-user:owner')).count).toBe(6);
  });

  it('refuses at once, counting nothing, a turn too far away from a network that already failed for the account', async () => {
    const { throttle, counters } = setup();
    // The queue is 10 s long already.
    await counters.takeTurn('login-turn:owner', LOGIN_LIMITS.maxQueueWaitMs);
    for (let i = 0; i < 8; i += 1) await counters.hit('login-user:owner', LOGIN_LIMITS.windowMs);
    await counters.hit('login-pair:198.51.100.7|owner', LOGIN_LIMITS.windowMs);
    await expect(throttle.admit({ user: 'owner', ip: '198.51.100.7' })).rejects.toMatchObject({
      status: 429,
      message: 'Too many sign-in attempts for this account from your network. Wait 15 minutes, or sign in from a browser you used before.',
    });
    expect((await counters.peek('login-pair:198.51.100.7|owner')).count).toBe(1);
    expect((await counters.peek('login-ip:198.51.100.7')).count).toBe(0);
    expect((await counters.peek('login-user:owner')).count).toBe(8);
  });

  it('never refuses a network with no failures for the account: it is checked after the longest wait', async () => {
    const { throttle, counters, slept } = setup();
    await counters.takeTurn('login-turn:owner', LOGIN_LIMITS.maxQueueWaitMs);
    for (let i = 0; i < 8; i += 1) await counters.hit('login-user:owner', LOGIN_LIMITS.windowMs);
    await expect(throttle.admit({ user: 'owner', ip: '198.51.100.7' })).resolves.toBeDefined();
    expect(slept).toEqual([LOGIN_LIMITS.maxQueueWaitMs]);
  });
});
