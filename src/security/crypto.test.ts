import { beforeEach, describe, expect, it } from 'vitest';
import { createSecretBox, deriveKey, randomBytes, randomId, safeEqual, sha256 } from './crypto.js';

describe('secret box', () => {
  // Made in each test, not while collecting: a failure there must fail a test (Stryker counts none otherwise).
  let box: ReturnType<typeof createSecretBox>;
  beforeEach(() => {
    box = createSecretBox('s'.repeat(40));
  });

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

describe('stored secrets stay readable after an upgrade', () => {
  // Sealed by this code once and kept: a change to the key derivation (hash, salt, purpose, length)
  // or to the format would make every stored Plex token unreadable, and only a fixed vector shows it.
  const SECRET = 'helpr test vector secret, 40 characters.';
  const SEALED = 'v1.DcLZ22vg7vP-No24.9Qj_ob9W1pAkiPj86jbIOhg.z8DMJgddhP5o49hy0H3ikg';

  it('opens a value sealed by an earlier version', () => {
    expect(createSecretBox(SECRET).decrypt(SEALED)).toBe('plex-token-abc123');
  });

  it('derives the same key as HKDF-SHA256 with salt "helpr" (checked against Python hmac)', () => {
    expect(deriveKey(SECRET, 'secrets-at-rest').toString('hex')).toBe('4e11dd71a16b9c8370d7b1886e20a21edf33582865e62fb658d4ca05dc451c4a');
    expect(deriveKey(SECRET, 'sessions').toString('hex')).toBe('d92aafb7fc0736b37518d2543d205bf5d04ebfcfbcdad33ede5100de0c6d79ae');
  });

  it('seals in the v1 format: a 12-byte nonce, the body, a 16-byte tag', () => {
    const [version, iv, body, tag] = createSecretBox(SECRET).encrypt('plex-token-abc123').split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(body!, 'base64url')).toHaveLength('plex-token-abc123'.length);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
  });

  it('refuses values that are not v1 or miss a part, in its own words', () => {
    const box = createSecretBox(SECRET);
    const [, iv, body, tag] = SEALED.split('.');
    for (const bad of [`v2.${iv}.${body}.${tag}`, `v1..${body}.${tag}`, `v1.${iv}.${body}.`, `v1.${iv}`, 'plain text']) {
      expect(() => box.decrypt(bad), bad).toThrow('Unrecognised encrypted value');
    }
    // An empty body is a valid seal of the empty string.
    expect(box.decrypt(box.encrypt(''))).toBe('');
  });

  it('hashes API keys with SHA-256 in hex', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('pool boundaries', () => {
  it('serves up to 256 bytes from the pool and more straight from the system, each of the asked length', () => {
    for (const count of [1, 255, 256, 257, 4096, 4097]) expect(randomBytes(count)).toHaveLength(count);
    expect(randomId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
