import { rootCertificates } from 'node:tls';
import { errors, request, type Dispatcher } from 'undici';
import { OriginPool } from './origin-pool.js';
import { errorFromResponse, PlexError } from './plex.errors.js';

export interface PlexHttpOptions {
  /** Connections per origin; bounds what a burst of invites opens towards plex.tv. */
  connectionsPerOrigin?: number;
  /** Requests multiplexed on one HTTP/2 connection (plex.tv speaks HTTP/2); 100 by default. */
  streamsPerConnection?: number;
  timeoutMs?: number;
  /**
   * One more CA certificate (PEM) to trust besides Node's bundled ones, for tests against the
   * simulator's self-signed plex.tv. Code-level only: a deployment trusts extra CAs through
   * NODE_EXTRA_CA_CERTS, which this option replaces while set.
   */
  ca?: string;
  /**
   * Told of every call's outcome: whether Plex answered (any status under 500) or not (no
   * connection, no answer in time, a 5xx), with why. Helpr's outage notice listens (plex-outage.ts).
   */
  observe?: (answered: boolean, reason?: string) => void;
  /** Told how long each call took, and its status (undefined: no answer), for the metrics. */
  timed?: (call: { method: string; url: string }, seconds: number, status: number | undefined) => void;
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
// RFC 9113 asks servers to allow at least 100 concurrent streams, so 100 never queues at plex.tv.
const STREAMS_PER_CONNECTION = 100;

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  // HTTP/2: a stream or session cut short (RST_STREAM, GOAWAY, stream closed before its answer).
  'UND_ERR_INFO',
]);
const isNetworkCode = (code: string) => NETWORK_CODES.has(code) || code.startsWith('ERR_HTTP2_');

function failureOf(call: PlexCall, timeoutMs: number, error: unknown): PlexError {
  const err = error as { name?: string; code?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return new PlexError('timeout', `Plex did not answer within ${timeoutMs / 1000} s while ${call.what}`, { cause: error });
  }
  const code = err.code ?? err.cause?.code;
  const reason = code && isNetworkCode(code) ? code : ((error as Error).message ?? 'connection failed');
  return new PlexError('network', `Could not reach ${new URL(call.url).host} while ${call.what} (${reason})`, { cause: error });
}

/**
 * Settles with the call, or with the signal's reason as soon as it aborts: undici keeps a call that
 * is still waiting for its connection until the connection is up or has failed, past the timeout.
 */
function bounded(call: Promise<Dispatcher.ResponseData>, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const giveUp = () => {
      reject(signal.reason);
      // undici aborts it once it is sent; a late answer only frees its connection.
      call.then((late) => late.body.dump(), () => undefined).catch(() => undefined);
    };
    signal.addEventListener('abort', giveUp, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', giveUp));
  });
}

/**
 * Keep-alive connections to every Plex origin, multiplexed over HTTP/2 where TLS offers it (plex.tv)
 * and one request per connection over HTTP/1.1 (a media server on the LAN), with a timeout on each
 * call. One pool per origin, kept until close(): Helpr talks to a handful of origins. (undici's
 * Agent, which would drop idle ones, in 7.x closes the wrong pool after a lone connection drops, so
 * that every later call opens a connection of its own: nodejs/undici#5022.)
 */
export function createPlexHttp(options: PlexHttpOptions = {}): PlexHttp {
  const defaultTimeout = options.timeoutMs ?? 10_000;
  const poolOptions = {
    connections: options.connectionsPerOrigin ?? 64,
    streamsPerConnection: options.streamsPerConnection ?? STREAMS_PER_CONNECTION,
    connectTimeoutMs: defaultTimeout,
    keepAliveTimeoutMs: 30_000,
    // Giving `ca` replaces Node's list, so the bundled roots come along for real plex.tv.
    ca: options.ca ? [...rootCertificates, options.ca] : undefined,
  };
  const pools = new Map<string, OriginPool>();
  let closing = false;
  const poolFor = (url: URL) => {
    if (closing) throw new errors.ClientClosedError();
    let pool = pools.get(url.origin);
    if (!pool) pools.set(url.origin, (pool = new OriginPool(new URL(url.origin), poolOptions)));
    return pool;
  };

  return {
    async send(call) {
      const timeoutMs = call.timeoutMs ?? defaultTimeout;
      // A timer of our own, cleared when the call ends; AbortSignal.timeout()'s stays armed after the
      // call until it fires or its signal is collected (a burst leaves hundreds of them).
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(new DOMException('The call took too long', 'TimeoutError')), timeoutMs);
      const started = options.timed ? performance.now() : 0;
      const timed = (status: number | undefined) => options.timed?.({ method: call.method ?? 'GET', url: call.url }, (performance.now() - started) / 1000, status);
      const signal = deadline.signal;
      let response: Dispatcher.ResponseData;
      let text: string;
      try {
        const options = {
          method: call.method ?? 'GET',
          headers: call.headers,
          body: call.body,
          signal,
          // undici holds a request it thinks unsafe to repeat (POST, PUT, DELETE) until the others on
          // its connection are done, which over HTTP/2 would send one invite per connection. Nothing
          // here resends a call, and an HTTP/1.1 connection carries one request at a time anyway.
          idempotent: true,
        } as const;
        const pool = poolFor(new URL(call.url));
        response = await pool.send(signal, (dispatcher) => bounded(request(call.url, { ...options, dispatcher }), signal));
        text = await response.body.text();
      } catch (error) {
        const failure = failureOf(call, timeoutMs, error);
        timed(undefined);
        options.observe?.(false, failure.message);
        throw failure;
      } finally {
        clearTimeout(timer);
      }
      timed(response.statusCode);
      options.observe?.(response.statusCode < 500, response.statusCode < 500 ? undefined : `${call.what}: HTTP ${response.statusCode}`);
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
      closing = true;
      const all = [...pools.values()];
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'late'>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS, 'late')));
      const outcome = await Promise.race([Promise.all(all.map((pool) => pool.close())).then(() => 'closed' as const), grace]);
      clearTimeout(timer);
      if (outcome === 'late') await Promise.all(all.map((pool) => pool.destroy()));
    },
  };
}
