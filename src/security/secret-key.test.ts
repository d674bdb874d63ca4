import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/temp-dirs.js';
import { loadOrCreateSecretKey, SECRET_KEY_FILE } from './secret-key.js';

describe('loadOrCreateSecretKey', () => {
  it('generates a key once, with mode 0600, and reuses it', () => {
    const dir = path.join(tempDir(), 'nested');
    const first = loadOrCreateSecretKey(dir, undefined);
    const file = path.join(dir, SECRET_KEY_FILE);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecretKey(dir, undefined)).toBe(first);
  });

  it('prefers the configured key and writes nothing', () => {
    const dir = tempDir();
    expect(loadOrCreateSecretKey(dir, 'k'.repeat(40))).toBe('k'.repeat(40));
    expect(fs.existsSync(path.join(dir, SECRET_KEY_FILE))).toBe(false);
  });

  it('refuses a damaged key file instead of silently replacing it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), 'short');
    expect(() => loadOrCreateSecretKey(dir, undefined)).toThrow(/shorter than 32 characters/);
  });
});
