import { describe, expect, it } from 'vitest';
import { OWNER_WAIT_SECONDS, RETRY_POLICY, retryDelayMs } from './retry-policy.js';

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
