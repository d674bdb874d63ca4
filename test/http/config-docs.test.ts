import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CONFIG_KEYS, loadConfig } from '../../src/config.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');

/** The README table, .env.example and the code must describe the same variables and defaults. */
describe('configuration documentation', () => {
  const names = CONFIG_KEYS.map((k) => k.name);

  it('.env.example lists exactly the known variables, with their defaults', () => {
    const entries = read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=') as [string, string]);
    expect(entries.map(([name]) => name)).toEqual(names);
    for (const [name, value] of entries) {
      expect(value, name).toBe(CONFIG_KEYS.find((k) => k.name === name)!.default);
    }
  });

  it('the README table lists exactly the known variables, with their defaults', () => {
    const rows = read('README.md')
      .split('\n')
      .filter((line) => /^\| `[A-Z_]+` \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    expect(rows.map((cells) => cells[1]!.replaceAll('`', ''))).toEqual(names);
    for (const cells of rows) {
      const key = CONFIG_KEYS.find((k) => k.name === cells[1]!.replaceAll('`', ''))!;
      expect(cells[2], key.name).toBe(key.default === '' ? '(empty)' : `\`${key.default}\``);
    }
  });

  it('the code reads every documented variable (each changes the loaded configuration)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-config-docs-'));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const secretFile = (name: string, value: string) => {
      fs.writeFileSync(path.join(dir, name), `${value}\n`);
      return path.join(dir, name);
    };
    const base = JSON.stringify(loadConfig({}));
    const samples: Record<string, string> = {
      PORT: '9',
      HOST: '::',
      DATA_DIR: '/x',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      TRUST_PROXY: '1',
      BASE_URL: 'https://a.example',
      BASE_PATH: '/helpr',
      DATABASE_URL: 'sqlite::memory:',
      REDIS_URL: 'redis://r',
      REDIS_KEY_PREFIX: 'site-b:',
      SECRET_KEY: 'k'.repeat(32),
      ADMIN_USERNAME: 'owner',
      ADMIN_PASSWORD: 'p'.repeat(12),
      PLEX_TOKEN: 't',
      PLEX_SERVER_ID: 's',
      PLEX_SERVER_URL: 'http://pms.example',
      PLEX_TV_URL: 'http://tv.example',
      PLEX_CLIENTS_URL: 'http://clients.example',
      PLEX_APP_URL: 'http://app.example',
      PLEX_LIBRARIES: '1, Movies',
      INVITE_RATE_LIMIT: '100/1h',
      INVITE_LEASE_SECONDS: '120',
      USERS_SYNC_MINUTES: '30',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      REQUEST_TIMEOUT_MS: '60000',
      HEADERS_TIMEOUT_MS: '5000',
      SHUTDOWN_TIMEOUT_MS: '9000',
      METRICS_TOKEN: 'm'.repeat(16),
      SECRET_KEY_FILE: secretFile('SECRET_KEY', 'f'.repeat(32)),
      DATABASE_URL_FILE: secretFile('DATABASE_URL', 'sqlite::memory:'),
      REDIS_URL_FILE: secretFile('REDIS_URL', 'redis://from-file'),
      PLEX_TOKEN_FILE: secretFile('PLEX_TOKEN', 'file-token'),
      ADMIN_PASSWORD_FILE: secretFile('ADMIN_PASSWORD', 'q'.repeat(12)),
      METRICS_TOKEN_FILE: secretFile('METRICS_TOKEN', 'n'.repeat(16)),
    };
    expect(Object.keys(samples)).toEqual(names);
    for (const name of names) {
      const env: Record<string, string> = { [name]: samples[name]! };
      if (name === 'ADMIN_USERNAME') env.ADMIN_PASSWORD = 'p'.repeat(12);
      if (name === 'ADMIN_PASSWORD' || name === 'ADMIN_PASSWORD_FILE') env.ADMIN_USERNAME = 'owner';
      expect(JSON.stringify(loadConfig(env)), name).not.toBe(base);
    }
  });
});
