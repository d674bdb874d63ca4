import { describe, expect, it } from 'vitest';
import { PLEX_CALL_TIMEOUT_MS } from '../../plex/plex-limits.js';
import { FRIEND_WAIT_MAX_MS, givesUp, joinRetryDelayMs, MIN_LEASE_MS, OWNER_FIXABLE_KINDS, OWNER_WAIT_SECONDS, RETRY_POLICY, retryDelayMs } from './retry-policy.js';

const MINUTE = 60_000;
const highest = () => 0.999_999;
const lowest = () => 0;

describe('retryDelayMs', () => {
  it('starts at about 30 s and doubles, with ±20 % jitter', () => {
    expect(retryDelayMs(1, undefined, lowest)).toBe(24_000);
    expect(retryDelayMs(1, undefined, highest)).toBeCloseTo(36_000, -1);
    expect(retryDelayMs(3, undefined, lowest)).toBe(96_000);
  });

  it('never waits past the hour, jitter included (the README says 30 to 60 minutes)', () => {
    for (const attempts of [8, 9, 20, 200]) {
      expect(retryDelayMs(attempts, undefined, highest)).toBe(RETRY_POLICY.maxDelayMs);
      expect(retryDelayMs(attempts, undefined, lowest)).toBe(48 * MINUTE);
    }
  });

  it('keeps requests that wait for the owner between 30 and 60 minutes, however many tries', () => {
    for (let attempts = 1; attempts <= 40; attempts += 1) {
      for (const random of [lowest, () => 0.5, highest]) {
        const delay = retryDelayMs(attempts, OWNER_WAIT_SECONDS, random);
        expect(delay, `attempt ${attempts}`).toBeGreaterThanOrEqual(30 * MINUTE);
        expect(delay, `attempt ${attempts}`).toBeLessThanOrEqual(60 * MINUTE);
      }
    }
  });

  it('waits at least what plex.tv asked for', () => {
    expect(retryDelayMs(1, 120, highest)).toBe(120_000);
  });
});

describe('givesUp', () => {
  const created = '2026-11-24T12:00:00.000Z';
  const after = (ms: number) => new Date(Date.parse(created) + ms);

  it('gives up once 24 hours have passed since the request, not a millisecond before', () => {
    expect(RETRY_POLICY.giveUpAfterMs).toBe(24 * 60 * MINUTE);
    expect(givesUp('upstream', created, after(24 * 60 * MINUTE - 1))).toBe(false);
    expect(givesUp('upstream', created, after(24 * 60 * MINUTE))).toBe(true);
    expect(givesUp('timeout', created, after(3 * 24 * 60 * MINUTE))).toBe(true);
    expect(givesUp('upstream', created, after(0))).toBe(false);
  });

  it('never gives up on a request waiting for the owner to sign in again', () => {
    expect([...OWNER_FIXABLE_KINDS]).toEqual(['invalid_token']);
    expect(givesUp('invalid_token', created, after(30 * 24 * 60 * MINUTE))).toBe(false);
  });
});

describe('retry timing', () => {
  it('jitters between 80 % and 120 % of the step with the default random source', () => {
    const delays = Array.from({ length: 200 }, () => retryDelayMs(2));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(48_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(72_000);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('counts a first attempt (or none yet) as the first step', () => {
    expect(retryDelayMs(0, undefined, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(1, undefined, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(2, undefined, () => 0.5)).toBe(60_000);
  });

  it('holds a send for a minute, and never less than four plex.tv calls plus 5 s', () => {
    expect(RETRY_POLICY.leaseMs).toBe(60_000);
    expect(MIN_LEASE_MS).toBe(4 * PLEX_CALL_TIMEOUT_MS + 5_000);
    expect(MIN_LEASE_MS).toBe(45_000);
    expect(OWNER_WAIT_SECONDS).toBe(30 * 60);
  });
});

describe('joinRetryDelayMs', () => {
  it('looks at an unconfirmed friend again every few minutes at most, however many tries', () => {
    expect(joinRetryDelayMs('friend_unconfirmed', 1, undefined, lowest)).toBe(24_000);
    for (const attempts of [5, 8, 40]) {
      expect(joinRetryDelayMs('friend_unconfirmed', attempts, undefined, highest)).toBe(FRIEND_WAIT_MAX_MS);
      expect(FRIEND_WAIT_MAX_MS).toBe(5 * MINUTE);
    }
  });

  it('waits like any request for every other kind', () => {
    expect(joinRetryDelayMs('upstream', 20, undefined, highest)).toBe(RETRY_POLICY.maxDelayMs);
    expect(joinRetryDelayMs('accept_pending', 3, undefined, lowest)).toBe(96_000);
  });
});
