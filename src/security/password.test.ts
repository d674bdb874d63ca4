import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from './password.js';

describe('password rules', () => {
  it('accepts 12 to 1024 characters, and says which bound a password misses', () => {
    expect(MIN_PASSWORD_LENGTH).toBe(12);
    expect(MAX_PASSWORD_LENGTH).toBe(1024);
    expect(passwordProblem('a'.repeat(11))).toBe('Use at least 12 characters.');
    expect(passwordProblem('a'.repeat(12))).toBeUndefined();
    expect(passwordProblem('a'.repeat(1024))).toBeUndefined();
    expect(passwordProblem('a'.repeat(1025))).toBe('Use at most 1024 characters.');
  });

  it('refuses a password made only of spaces, however long, but not one that has spaces in it', () => {
    expect(passwordProblem(' '.repeat(12))).toBe('The password cannot be only spaces.');
    expect(passwordProblem(' \t'.repeat(20))).toBe('The password cannot be only spaces.');
    expect(passwordProblem('  a long enough password  ')).toBeUndefined();
  });
});

describe('password hashing', () => {
  it('stores argon2id with OWASP parameters (19 MiB, 2 passes, 1 lane), salted, and verifies only the right password', async () => {
    const hash = await hashPassword('a long enough password');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hashPassword('a long enough password')).not.toBe(hash);
    expect(await verifyPassword(hash, 'a long enough password')).toBe(true);
    expect(await verifyPassword(hash, 'a long enough passworD')).toBe(false);
  });

  it('treats a stored value that is not a hash as a wrong password, not an error', async () => {
    expect(await verifyPassword('not a hash', 'a long enough password')).toBe(false);
    expect(await verifyPassword('', 'a long enough password')).toBe(false);
  });
});
