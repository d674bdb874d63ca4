import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
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

describe('loadOrCreateSecretKey edges', () => {
  it('accepts a key of exactly 32 characters, trimmed, and creates missing folders on the way', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), ` ${'k'.repeat(32)}\n`);
    expect(loadOrCreateSecretKey(dir, undefined)).toBe('k'.repeat(32));
    fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), 'k'.repeat(31));
    expect(() => loadOrCreateSecretKey(dir, undefined)).toThrow(`The secret key in ${path.join(dir, SECRET_KEY_FILE)} is shorter than 32 characters: remove it to generate a new one`);
    const deep = path.join(tempDir(), 'a', 'b', 'c');
    const key = loadOrCreateSecretKey(deep, undefined);
    expect(fs.readFileSync(path.join(deep, SECRET_KEY_FILE), 'utf8')).toBe(`${key}\n`);
    expect(key).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it('says why it cannot read or write the key file, as a start-up error keeping the cause', () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, SECRET_KEY_FILE));
    expect(() => loadOrCreateSecretKey(dir, undefined)).toThrow(expect.objectContaining({ name: 'StartupError', message: expect.stringMatching(/^Cannot read the secret key .*: EISDIR/), cause: expect.objectContaining({ code: 'EISDIR' }) }));
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, '');
    expect(() => loadOrCreateSecretKey(file, undefined)).toThrow(expect.objectContaining({ name: 'StartupError', message: expect.stringMatching(/^Cannot (read|write) the secret key/) }));
  });

  it('says why it cannot write a new key file', () => {
    const dir = tempDir();
    const spy = vi.spyOn(fs, 'writeFileSync').mockImplementation(() => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    });
    try {
      expect(() => loadOrCreateSecretKey(dir, undefined)).toThrow(
        expect.objectContaining({ message: `Cannot write the secret key to ${path.join(dir, SECRET_KEY_FILE)}: EACCES: permission denied`, cause: expect.objectContaining({ code: 'EACCES' }) }),
      );
    } finally {
      spy.mockRestore();
    }
  });

  it("uses the key another instance wrote first, when both start at once", () => {
    const dir = tempDir();
    const theirs = 't'.repeat(40);
    const read = fs.readFileSync;
    let first = true;
    // This instance looks before the other one writes, and writes after it: its 'wx' write fails.
    const spy = vi.spyOn(fs, 'readFileSync').mockImplementation(((...args: Parameters<typeof fs.readFileSync>) => {
      if (first) {
        first = false;
        fs.writeFileSync(path.join(dir, SECRET_KEY_FILE), `${theirs}\n`);
        throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
      }
      return read(...args);
    }) as typeof fs.readFileSync);
    try {
      expect(loadOrCreateSecretKey(dir, undefined)).toBe(theirs);
    } finally {
      spy.mockRestore();
    }
  });

  it('stops with a clear error on a key file that is a link to nothing, instead of looping', () => {
    const dir = tempDir();
    fs.symlinkSync(path.join(dir, 'missing-target'), path.join(dir, SECRET_KEY_FILE));
    expect(() => loadOrCreateSecretKey(dir, undefined)).toThrow(/exists but cannot be read \(a broken link\?\)/);
  });
});
