import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, SECRET_VARIABLES, type Config } from './config.js';
import { MIN_LEASE_MS } from './modules/invitations/retry-policy.js';
import { PLEX_CALL_TIMEOUT_MS } from './plex/plex-limits.js';

const errorOf = (env: Record<string, string>): ConfigError => {
  try {
    loadConfig(env);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw');
};

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.logLevel).toBe('info');
    expect(config.logFormat).toBe('auto');
    expect(config.trustProxy).toBe(false);
    expect(config.database).toEqual({ dialect: 'sqlite', url: `sqlite:${path.resolve('data/helpr.db')}`, filename: path.resolve('data/helpr.db') });
    expect(config.redisUrl).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
    expect(config.admin).toBeUndefined();
    expect(config.plex).toEqual({
      token: undefined,
      serverId: undefined,
      serverUrl: undefined,
      tvUrl: 'https://plex.tv',
      clientsUrl: 'https://clients.plex.tv',
      appUrl: 'https://app.plex.tv',
      libraries: undefined,
    });
    expect(config.inviteRateLimit).toBeUndefined();
    expect(config).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 });
  });

  it('reads the request timeouts; a short request timeout shortens the default headers timeout', () => {
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '60000', HEADERS_TIMEOUT_MS: '5000' })).toMatchObject({ requestTimeoutMs: 60_000, headersTimeoutMs: 5000 });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '300' })).toMatchObject({ requestTimeoutMs: 300, headersTimeoutMs: 300 });
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '0' })).toMatchObject({ requestTimeoutMs: 0, headersTimeoutMs: 10_000 });
  });

  it('reads the invite lease: 60 s by default, whole seconds from 45 (a send at its slowest) to 3600', () => {
    expect(loadConfig({}).inviteLeaseSeconds).toBe(60);
    expect(loadConfig({ INVITE_LEASE_SECONDS: '45' }).inviteLeaseSeconds).toBe(45);
    // Four plex.tv calls one after the other, each given up after 10 s, plus the database writes.
    expect(MIN_LEASE_MS).toBe(4 * PLEX_CALL_TIMEOUT_MS + 5_000);
    for (const bad of ['0', '5', '44', '3601', '1.5', 'soon']) {
      expect(errorOf({ INVITE_LEASE_SECONDS: bad }).message).toBe(
        `Invalid configuration: INVITE_LEASE_SECONDS must be a whole number of seconds from 45 to 3600 (got "${bad}")`,
      );
    }
  });

  it('reads the users sync interval: 15 minutes by default, 5 to 1440, or 0 for only on demand', () => {
    expect(loadConfig({}).usersSyncMinutes).toBe(15);
    for (const good of ['0', '5', '1440']) expect(loadConfig({ USERS_SYNC_MINUTES: good }).usersSyncMinutes).toBe(Number(good));
    for (const bad of ['1', '4', '1441', '2.5', '-5', 'hourly']) {
      expect(errorOf({ USERS_SYNC_MINUTES: bad }).message).toBe(
        `Invalid configuration: USERS_SYNC_MINUTES must be a whole number of minutes from 5 to 1440, or 0 to sync only on demand (got "${bad}")`,
      );
    }
  });

  it('reads the library selection and the invite rate limit', () => {
    const config = loadConfig({ PLEX_LIBRARIES: ' 1, TV Shows ,,', INVITE_RATE_LIMIT: '20 / 30s' });
    expect(config.plex.libraries).toEqual(['1', 'TV Shows']);
    expect(config.inviteRateLimit).toEqual({ max: 20, windowMinutes: 0.5 });
    expect(loadConfig({ INVITE_RATE_LIMIT: '5/2h' }).inviteRateLimit).toEqual({ max: 5, windowMinutes: 120 });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      DATA_DIR: '/srv/helpr',
      LOG_LEVEL: 'DEBUG',
      TRUST_PROXY: '10.0.0.1, 192.168.0.0/16',
      BASE_URL: 'https://invite.example.com/',
      DATABASE_URL: 'postgres://helpr:pw@db:5432/helpr',
      REDIS_URL: 'redis://cache:6379',
      SECRET_KEY: 'x'.repeat(32),
      ADMIN_USERNAME: 'owner',
      ADMIN_PASSWORD: 'correct horse battery',
      PLEX_TOKEN: 'tok',
      PLEX_SERVER_ID: 'abc',
      PLEX_SERVER_URL: 'http://10.0.0.5:32400',
      PLEX_TV_URL: 'http://127.0.0.1:32401/',
      PLEX_CLIENTS_URL: 'http://127.0.0.1:32401',
      PLEX_APP_URL: 'http://127.0.0.1:32401/',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      dataDir: '/srv/helpr',
      logLevel: 'debug',
      trustProxy: ['10.0.0.1', '192.168.0.0/16'],
      baseUrl: 'https://invite.example.com',
      database: { dialect: 'postgres', url: 'postgres://helpr:pw@db:5432/helpr' },
      redisUrl: 'redis://cache:6379',
      admin: { username: 'owner', password: 'correct horse battery' },
      plex: { token: 'tok', serverId: 'abc', serverUrl: 'http://10.0.0.5:32400', tvUrl: 'http://127.0.0.1:32401', clientsUrl: 'http://127.0.0.1:32401', appUrl: 'http://127.0.0.1:32401' },
    });
  });

  it('takes sqlite::memory:, a hop count, and "off" for TRUST_PROXY', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite::memory:' }).database).toEqual({ dialect: 'sqlite', url: 'sqlite::memory:', filename: ':memory:' });
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT', 'Invalid configuration: PORT must be a port number between 0 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT', undefined],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL', 'Invalid configuration: DATABASE_URL must start with sqlite: or postgres:// (see README)'],
    [{ DATABASE_URL: 'postgres://' }, 'DATABASE_URL', undefined],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL', undefined],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY', 'Invalid configuration: SECRET_KEY must be at least 32 characters (got 5)'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', undefined],
    [{ TRUST_PROXY: 'example.com' }, 'TRUST_PROXY', undefined],
    [{ BASE_URL: 'ftp://x' }, 'BASE_URL', undefined],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', undefined],
    [{ ADMIN_USERNAME: 'owner' }, 'ADMIN_PASSWORD', undefined],
    [{ ADMIN_USERNAME: 'owner', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD', undefined],
    [{ PLEX_TV_URL: 'not a url' }, 'PLEX_TV_URL', undefined],
    [{ PLEX_APP_URL: 'app.plex.tv' }, 'PLEX_APP_URL', 'Invalid configuration: PLEX_APP_URL must be an http(s) URL (got "app.plex.tv")'],
    [{ PLEX_APP_URL: 'javascript:alert(1)' }, 'PLEX_APP_URL', undefined],
    [{ INVITE_RATE_LIMIT: 'lots' }, 'INVITE_RATE_LIMIT', 'Invalid configuration: INVITE_RATE_LIMIT must look like 5/15m (count per window in s, m or h; got "lots")'],
    [{ INVITE_RATE_LIMIT: '0/15m' }, 'INVITE_RATE_LIMIT', undefined],
    [{ REQUEST_TIMEOUT_MS: '30s' }, 'REQUEST_TIMEOUT_MS', 'Invalid configuration: REQUEST_TIMEOUT_MS must be a whole number of milliseconds (got "30s")'],
    [{ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '10000' }, 'HEADERS_TIMEOUT_MS', 'Invalid configuration: HEADERS_TIMEOUT_MS must not be longer than REQUEST_TIMEOUT_MS (10000 > 5000)'],
  ])('rejects %j naming %s in one line', (env, variable, message) => {
    const error = errorOf(env as Record<string, string>);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
    if (message) expect(error.message).toBe(message);
  });
});

/** Docker and Kubernetes secrets: each secret variable also comes from the file NAME_FILE names. */
describe('loadConfig: secrets from files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-config-secrets-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    fs.writeFileSync(path.join(dir, name), content, { mode: 0o600 });
    return path.join(dir, name);
  };

  it.each([
    ['SECRET_KEY', `${'s'.repeat(40)}\n`, (c: Config) => c.secretKey, 's'.repeat(40)],
    ['DATABASE_URL', 'postgres://helpr:p%40ss@db:5432/helpr?sslmode=require\r\n', (c: Config) => c.database.url, 'postgres://helpr:p%40ss@db:5432/helpr?sslmode=require'],
    ['REDIS_URL', 'rediss://:secret@cache:6380/0', (c: Config) => c.redisUrl, 'rediss://:secret@cache:6380/0'],
    ['PLEX_TOKEN', 'token-from-a-file\n', (c: Config) => c.plex.token, 'token-from-a-file'],
  ] as const)('%s_FILE: the file content, without its final line break', (name, content, pick, expected) => {
    expect(pick(loadConfig({ [`${name}_FILE`]: file(name, content) }))).toBe(expected);
  });

  it('ADMIN_PASSWORD_FILE: the password as written, spaces kept, but for the final line break', () => {
    expect(loadConfig({ ADMIN_USERNAME: 'owner', ADMIN_PASSWORD_FILE: file('admin', ' a long passphrase \n') }).admin).toEqual({ username: 'owner', password: ' a long passphrase ' });
  });

  it('refuses a variable set both ways, naming it', () => {
    for (const name of SECRET_VARIABLES) {
      const error = errorOf({ [name]: 'x'.repeat(40), [`${name}_FILE`]: file(`both-${name}`, 'y'.repeat(40)), ...(name === 'ADMIN_PASSWORD' ? { ADMIN_USERNAME: 'owner' } : {}) });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe(`Invalid configuration: ${name} and ${name}_FILE are both set: set only one of them`);
    }
  });

  it('refuses a file that is missing or empty, naming the _FILE variable and the path', () => {
    const missing = path.join(dir, 'missing');
    expect(errorOf({ SECRET_KEY_FILE: missing }).message).toBe(`Invalid configuration: SECRET_KEY_FILE names a file Helpr cannot read (${missing}: ENOENT)`);
    // A secret put into the _FILE variable by mistake is not repeated in the message.
    const mistaken = errorOf({ DATABASE_URL_FILE: 'postgres://helpr:hunter2@db/helpr' }).message;
    expect(mistaken).toBe('Invalid configuration: DATABASE_URL_FILE names a file Helpr cannot read (its value is no file path: set DATABASE_URL for the value itself: ENOENT)');
    expect(mistaken).not.toContain('hunter2');
    const empty = file('empty', '\n');
    expect(errorOf({ PLEX_TOKEN_FILE: empty }).message).toBe(`Invalid configuration: PLEX_TOKEN_FILE names an empty file (${empty})`);
  });

  it('checks a secret from a file like the variable: a short SECRET_KEY is refused', () => {
    expect(errorOf({ SECRET_KEY_FILE: file('short', 'short\n') }).message).toBe('Invalid configuration: SECRET_KEY must be at least 32 characters (got 5)');
  });
});
