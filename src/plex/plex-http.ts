import { Agent, request, type Dispatcher } from 'undici';
import { errorFromResponse, PlexError } from './plex.errors.js';

export interface PlexHttpOptions {
  /** Keep-alive connections per origin; bounds what a burst of invites opens towards plex.tv. */
  connectionsPerOrigin?: number;
  timeoutMs?: number;
}

export interface PlexCall {
  /** What the call does, for error messages ("reading the account"). */
  what: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface PlexAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface PlexHttp {
  /** Sends the call; any non-2xx answer, timeout or network failure is thrown as a PlexError. */
  send(call: PlexCall): Promise<PlexAnswer>;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function failureOf(call: PlexCall, timeoutMs: number, error: unknown): PlexError {
  const err = error as { name?: string; code?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return new PlexError('timeout', `Plex did not answer within ${timeoutMs / 1000} s while ${call.what}`, { cause: error });
  }
  const code = err.code ?? err.cause?.code;
  const reason = code && NETWORK_CODES.has(code) ? code : ((error as Error).message ?? 'connection failed');
  return new PlexError('network', `Could not reach ${new URL(call.url).host} while ${call.what} (${reason})`, { cause: error });
}

/** One keep-alive connection pool for every Plex call, with a timeout on each. */
export function createPlexHttp(options: PlexHttpOptions = {}): PlexHttp {
  const defaultTimeout = options.timeoutMs ?? 10_000;
  const agent: Dispatcher = new Agent({
    connections: options.connectionsPerOrigin ?? 64,
    keepAliveTimeout: 30_000,
    connect: { timeout: defaultTimeout },
  });

  return {
    async send(call) {
      const timeoutMs = call.timeoutMs ?? defaultTimeout;
      let response: Dispatcher.ResponseData;
      let text: string;
      try {
        response = await request(call.url, {
          dispatcher: agent,
          method: call.method ?? 'GET',
          headers: call.headers,
          body: call.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.body.text();
      } catch (error) {
        throw failureOf(call, timeoutMs, error);
      }
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw errorFromResponse(call.what, response.statusCode, text, header('retry-after'));
      }
      return { status: response.statusCode, contentType: header('content-type') ?? '', text };
    },
    // Let calls in flight finish for a moment, then cut them: a hung Plex must not hold a shutdown.
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS, 'late')));
      const closed = await Promise.race([agent.close().then(() => 'closed' as const), grace]);
      clearTimeout(timer);
      if (closed === 'late') await agent.destroy();
    },
  };
}
