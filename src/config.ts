import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseBasePath, type BasePath } from './base-path.js';
import { ConfigError, read, readSecret, type Env } from './config-read.js';
import { MIN_LEASE_MS } from './modules/invitations/retry-policy.js';

/**
 * The one reader of process.env. Every key is documented in CONFIG_KEYS (the README table and
 * .env.example are checked against it by a test), parsed once, and validated so that a bad value
 * stops the process with one line naming the variable.
 */

export type DatabaseConfig =
  | { dialect: 'sqlite'; url: string; filename: string }
  | { dialect: 'postgres'; url: string };

export type TrustProxy = false | number | string[];

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** json: one JSON object per line; pretty: readable lines (needs pino-pretty, a dev dependency); auto: pretty in a terminal. */
  logFormat: 'auto' | 'json' | 'pretty';
  trustProxy: TrustProxy;
  baseUrl: string | undefined;
  /** The path Helpr is served under behind a proxy ("/helpr"); '' at the root (src/base-path.ts). */
  basePath: BasePath;
  database: DatabaseConfig;
  redisUrl: string | undefined;
  /** Put before every key Helpr writes to Redis: several sites (or test runs) can share one Redis. */
  redisKeyPrefix: string;
  secretKey: string | undefined;
  admin: { username: string; password: string } | undefined;
  plex: {
    token: string | undefined;
    serverId: string | undefined;
    serverUrl: string | undefined;
    tvUrl: string;
    clientsUrl: string;
    /** Where a PIN is approved (app.plex.tv's sign-in page); the simulator serves its own. */
    appUrl: string;
    /** Local keys or titles of the libraries new friends get, set at start (headless setups). */
    libraries: string[] | undefined;
  };
  /** Invite requests allowed per client address and window; overrides the admin setting. */
  inviteRateLimit: { max: number; windowMinutes: number } | undefined;
  /** How long one attempt at sending an invite holds it before another worker may take it over. */
  inviteLeaseSeconds: number;
  /** Minutes between two reads of who has access from plex.tv (the users sync); 0 turns the schedule off. */
  usersSyncMinutes: number;
  /** Event-loop lag (ms) past which requests get 503 instead of queueing; 0 turns it off. */
  maxEventLoopDelayMs: number;
  /** How long a client may take to send a whole request, and its headers alone (ms; 0: no limit). */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  /** The longest a stop (SIGTERM, Ctrl+C) takes before the process exits regardless (ms). */
  shutdownTimeoutMs: number;
  /** Set: /metrics answers requests bearing it; unset: there is no /metrics. */
  metricsToken: string | undefined;
}

export { CONFIG_KEYS, type ConfigKey } from './config-keys.js';

export { ConfigError, SECRET_VARIABLES } from './config-read.js';

function parseMetricsToken(value: string | undefined): string | undefined {
  if (value !== undefined && value.length < 16) throw new ConfigError('METRICS_TOKEN', `must be at least 16 characters (got ${value.length})`);
  return value;
}

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new ConfigError(name, `must be a port number between 0 and 65535 (got "${value}")`);
  }
  return port;
}

function parseHttpUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = z.url({ protocol: /^https?$/ }).safeParse(value);
  if (!parsed.success) throw new ConfigError(name, `must be an http(s) URL (got "${value}")`);
  return value.replace(/\/+$/, '');
}

export function parseDatabaseUrl(value: string | undefined, dataDir: string): DatabaseConfig {
  const url = value ?? `sqlite:${path.join(dataDir, 'helpr.db')}`;
  if (url.startsWith('sqlite:')) {
    const filename = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (filename === '') throw new ConfigError('DATABASE_URL', 'needs a file name after "sqlite:" (or sqlite::memory:)');
    return { dialect: 'sqlite', url, filename };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      const parsed = new URL(url);
      if (!parsed.hostname) throw new Error('no host');
    } catch {
      throw new ConfigError('DATABASE_URL', 'is not a valid postgres:// URL');
    }
    return { dialect: 'postgres', url };
  }
  throw new ConfigError('DATABASE_URL', 'must start with sqlite: or postgres:// (see README)');
}

function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || /^(off|false|0|no)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((part) => part.trim()).filter(Boolean);
  const address = /^[0-9a-fA-F:.]+(\/\d{1,3})?$|^(loopback|linklocal|uniquelocal)$/;
  const bad = list.find((item) => !address.test(item));
  if (bad !== undefined) {
    throw new ConfigError('TRUST_PROXY', `must be off, a hop count, or proxy addresses/CIDRs (bad entry "${bad}")`);
  }
  return list;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

function parseLogFormat(value: string | undefined): Config['logFormat'] {
  if (value === undefined) return 'auto';
  const format = value.toLowerCase();
  if (!(LOG_FORMATS as readonly string[]).includes(format)) throw new ConfigError('LOG_FORMAT', `must be one of ${LOG_FORMATS.join(', ')} (got "${value}")`);
  return format as Config['logFormat'];
}

function parseLogLevel(value: string | undefined): Config['logLevel'] {
  if (value === undefined) return 'info';
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
  }
  return level as Config['logLevel'];
}

function parseNonNegativeInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `must be a whole number of milliseconds (got "${value}")`);
  return Number(value);
}

/** Slow clients (one byte every few seconds) must not hold connections open for minutes. */
function parseRequestTimeouts(env: Env): Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs'> {
  const requestTimeoutMs = parseNonNegativeInt(read(env, 'REQUEST_TIMEOUT_MS'), 'REQUEST_TIMEOUT_MS', 30_000);
  const headersTimeoutMs = parseNonNegativeInt(read(env, 'HEADERS_TIMEOUT_MS'), 'HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs || 10_000));
  // Node refuses a headers timeout longer than the request timeout; say so in Helpr's words.
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('HEADERS_TIMEOUT_MS', `must not be longer than REQUEST_TIMEOUT_MS (${headersTimeoutMs} > ${requestTimeoutMs})`);
  }
  return { requestTimeoutMs, headersTimeoutMs };
}

function parseList(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((item) => item.trim()).filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

function parseRateLimit(value: string | undefined, name: string): Config['inviteRateLimit'] {
  if (value === undefined) return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)\s*(s|m|h)?$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new ConfigError(name, `must look like 5/15m (count per window in s, m or h; got "${value}")`);
  }
  const unit = { s: 1 / 60, m: 1, h: 60 }[(match[3] ?? 'm') as 's' | 'm' | 'h'];
  return { max: Number(match[1]), windowMinutes: Number(match[2]) * unit };
}

// A lease shorter than one send at its slowest lets a second worker send the same invite (MIN_LEASE_MS).
const MIN_LEASE_SECONDS = Math.ceil(MIN_LEASE_MS / 1000);

function parseLeaseSeconds(value: string | undefined): number {
  if (value === undefined) return 60;
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < MIN_LEASE_SECONDS || seconds > 3600) {
    throw new ConfigError('INVITE_LEASE_SECONDS', `must be a whole number of seconds from ${MIN_LEASE_SECONDS} to 3600 (got "${value}")`);
  }
  return seconds;
}

/** Every 5 minutes at most (plex.tv's lists are two requests, but its rate limits are shared with the owner's apps). */
function parseSyncMinutes(value: string | undefined): number {
  if (value === undefined) return 15;
  const minutes = Number(value);
  if (!/^\d+$/.test(value) || (minutes !== 0 && (minutes < 5 || minutes > 1440))) {
    throw new ConfigError('USERS_SYNC_MINUTES', `must be a whole number of minutes from 5 to 1440, or 0 to sync only on demand (got "${value}")`);
  }
  return minutes;
}

/** Longer than one Plex call (10 s) plus a margin by default, so a send under way can finish. */
function parseShutdownTimeout(value: string | undefined): number {
  const ms = parseNonNegativeInt(value, 'SHUTDOWN_TIMEOUT_MS', 20_000);
  if (ms < 1000 || ms > 600_000) throw new ConfigError('SHUTDOWN_TIMEOUT_MS', `must be from 1000 to 600000 milliseconds (got "${value}")`);
  return ms;
}

function parseHost(value: string | undefined): string {
  if (value === undefined) return '0.0.0.0';
  // An address or a host name (RFC 1123); a URL or host:port is a common slip.
  if (net.isIP(value) === 0 && !/^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value)) {
    throw new ConfigError('HOST', `must be an address or host name of this machine, such as 0.0.0.0, 127.0.0.1 or localhost (got "${value}")`);
  }
  return value;
}

function parseRedisKeyPrefix(value: string | undefined): string {
  if (value === undefined) return 'helpr:';
  if (/[\s*?[\]\\]/.test(value)) throw new ConfigError('REDIS_KEY_PREFIX', `must not contain spaces or * ? [ ] \\ (got "${value}")`);
  return value;
}

function parseRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // A URL that cannot be parsed stops the start; a Redis that is down does not (deps.ts).
  if (!/^rediss?:\/\/[^/]/.test(value) || !URL.canParse(value)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return value;
}

function parseSecretKey(value: string | undefined): string | undefined {
  if (value !== undefined && value.length < 32) {
    throw new ConfigError('SECRET_KEY', `must be at least 32 characters (got ${value.length})`);
  }
  return value;
}

function parseAdmin(env: Env): Config['admin'] {
  const username = read(env, 'ADMIN_USERNAME');
  const password = readSecret(env, 'ADMIN_PASSWORD', { trim: false });
  if (username === undefined && !password) return undefined;
  if (username === undefined) throw new ConfigError('ADMIN_USERNAME', 'must be set when ADMIN_PASSWORD is set');
  if (!password) throw new ConfigError('ADMIN_PASSWORD', 'must be set when ADMIN_USERNAME is set');
  if (password.length < 12) throw new ConfigError('ADMIN_PASSWORD', 'must be at least 12 characters');
  return { username, password };
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(read(env, 'DATA_DIR') ?? './data');
  const baseUrl = parseHttpUrl(read(env, 'BASE_URL'), 'BASE_URL');
  return {
    port: parsePort(read(env, 'PORT'), 'PORT', 8080),
    host: parseHost(read(env, 'HOST')),
    dataDir,
    logLevel: parseLogLevel(read(env, 'LOG_LEVEL')),
    logFormat: parseLogFormat(read(env, 'LOG_FORMAT')),
    trustProxy: parseTrustProxy(read(env, 'TRUST_PROXY')),
    baseUrl,
    basePath: parseBasePath(read(env, 'BASE_PATH'), baseUrl),
    database: parseDatabaseUrl(readSecret(env, 'DATABASE_URL'), dataDir),
    redisUrl: parseRedisUrl(readSecret(env, 'REDIS_URL')),
    redisKeyPrefix: parseRedisKeyPrefix(read(env, 'REDIS_KEY_PREFIX')),
    secretKey: parseSecretKey(readSecret(env, 'SECRET_KEY')),
    admin: parseAdmin(env),
    plex: {
      token: readSecret(env, 'PLEX_TOKEN'),
      serverId: read(env, 'PLEX_SERVER_ID'),
      serverUrl: parseHttpUrl(read(env, 'PLEX_SERVER_URL'), 'PLEX_SERVER_URL'),
      tvUrl: parseHttpUrl(read(env, 'PLEX_TV_URL'), 'PLEX_TV_URL') ?? 'https://plex.tv',
      clientsUrl: parseHttpUrl(read(env, 'PLEX_CLIENTS_URL'), 'PLEX_CLIENTS_URL') ?? 'https://clients.plex.tv',
      appUrl: parseHttpUrl(read(env, 'PLEX_APP_URL'), 'PLEX_APP_URL') ?? 'https://app.plex.tv',
      libraries: parseList(read(env, 'PLEX_LIBRARIES')),
    },
    inviteRateLimit: parseRateLimit(read(env, 'INVITE_RATE_LIMIT'), 'INVITE_RATE_LIMIT'),
    inviteLeaseSeconds: parseLeaseSeconds(read(env, 'INVITE_LEASE_SECONDS')),
    usersSyncMinutes: parseSyncMinutes(read(env, 'USERS_SYNC_MINUTES')),
    maxEventLoopDelayMs: parseNonNegativeInt(read(env, 'MAX_EVENT_LOOP_DELAY_MS'), 'MAX_EVENT_LOOP_DELAY_MS', 1000),
    ...parseRequestTimeouts(env),
    shutdownTimeoutMs: parseShutdownTimeout(read(env, 'SHUTDOWN_TIMEOUT_MS')),
    metricsToken: parseMetricsToken(readSecret(env, 'METRICS_TOKEN')),
  };
}

/** Reads `.env` from the working directory into process.env when present; real variables win. */
export function loadDotEnv(file = '.env'): void {
  try {
    process.loadEnvFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError('.env', `could not be read: ${(error as Error).message}`);
    }
  }
}
