import type { FastifyServerOptions } from 'fastify';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Config } from './config.js';

/** Paths pino replaces with [redacted]: credentials must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-plex-token"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.authToken',
  '*.secret',
];

const SECRET_QUERY = /([?&](?:x-plex-token|token|_csrf|key)=)[^&]*/gi;

export function loggerOptions(config: Pick<Config, 'logLevel'>): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({
        method: req.method,
        url: req.url.replace(SECRET_QUERY, '$1[redacted]'),
        ip: req.ip,
      }),
    },
  };
}

/**
 * Where log lines go: JSON on stdout (services, containers, log collectors), or readable lines
 * through pino-pretty when LOG_FORMAT says so or Helpr runs in a terminal (auto). pino-pretty is a
 * development dependency: a production install has none and logs JSON (`missing` says it was asked for).
 */
export async function logDestination(
  config: Pick<Config, 'logFormat'>,
  options: {
    stdout?: { isTTY?: boolean };
    load?: () => Promise<{ default: (options: object) => DestinationStream }>;
    /** Where readable lines go (stdout when left out). */
    destination?: NodeJS.WritableStream;
  } = {},
): Promise<{ stream: DestinationStream | undefined; missing: boolean }> {
  const { stdout = process.stdout, load = () => import('pino-pretty'), destination } = options;
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && stdout.isTTY === true);
  if (!pretty) return { stream: undefined, missing: false };
  try {
    const { default: pinoPretty } = await load();
    return { stream: pinoPretty({ colorize: stdout.isTTY === true, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l', ignore: 'pid,hostname', ...(destination ? { destination } : {}) }), missing: false };
  } catch {
    return { stream: undefined, missing: true };
  }
}

/** The app's logger, in the format LOG_FORMAT chooses. */
export async function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Promise<Logger> {
  const { stream, missing } = await logDestination(config);
  const options = loggerOptions(config) as LoggerOptions;
  const logger = stream ? pino(options, stream) : pino(options);
  if (missing && config.logFormat === 'pretty') logger.warn('LOG_FORMAT=pretty needs pino-pretty, which only a development install has (npm install): logging JSON');
  return logger;
}
