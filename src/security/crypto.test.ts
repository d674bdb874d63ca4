import { describe, expect, it } from 'vitest';
import { createSecretBox, safeEqual } from './crypto.js';

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
