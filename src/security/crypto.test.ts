import { describe, expect, it } from 'vitest';
import { createSecretBox, randomBytes, randomId, safeEqual } from './crypto.js';

describe('secret box', () => {
  const box = createSecretBox('s'.repeat(40));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('plex-token-123');
    expect(sealed).not.toContain('plex-token-123');
    expect(box.encrypt('plex-token-123')).not.toBe(sealed);
    expect(box.decrypt(sealed)).toBe('plex-token-123');
  });

  it('rejects a tampered value and a value sealed with another key', () => {
    const sealed = box.encrypt('plex-token-123');
    const parts = sealed.split('.');
    parts[2] = Buffer.from('forged').toString('base64url');
    expect(() => box.decrypt(parts.join('.'))).toThrow();
    expect(() => createSecretBox('t'.repeat(40)).decrypt(sealed)).toThrow();
  });
});

describe('safeEqual', () => {
  it('compares exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});

describe('pooled random bytes', () => {
  it('hands out fresh bytes of the asked length, across many pool refills', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = randomId(18);
      expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
  });

  it('returns a copy the caller owns, and large requests straight from the system', () => {
    const a = randomBytes(32);
    const copy = Buffer.from(a);
    randomBytes(32);
    expect(a.equals(copy)).toBe(true);
    expect(randomBytes(10_000)).toHaveLength(10_000);
  });

  it('is not biased towards any byte value', () => {
    const counts = new Array<number>(256).fill(0);
    const sample = Buffer.concat(Array.from({ length: 2000 }, () => randomBytes(128)));
    for (const byte of sample) counts[byte]! += 1;
    // 256,000 bytes: about 1,000 of each value; a skewed pool would be far outside 800-1200.
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });
});
