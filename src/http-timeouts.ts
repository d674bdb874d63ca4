import type { ServerOptions } from 'node:http';
import type { Config } from './config.js';

/**
 * Limits on how slowly a client may send a request: without them one byte every 15 s keeps a
 * connection (and its memory) for minutes, and a few hundred such clients exhaust the server.
 * Node answers 408 and closes the connection. It checks open connections every
 * `connectionsCheckingInterval` (30 s by default, longer than the limits themselves), so the check
 * runs at least every second, and more often for limits under two seconds (tests).
 */
export function httpTimeoutOptions(config: Pick<Config, 'requestTimeoutMs' | 'headersTimeoutMs'>): { requestTimeout: number; http: ServerOptions } {
  const limits = [config.requestTimeoutMs, config.headersTimeoutMs].filter((ms) => ms > 0);
  const interval = limits.length > 0 ? Math.max(10, Math.min(1000, Math.ceil(Math.min(...limits) / 2))) : undefined;
  return {
    // Fastify sets the server's requestTimeout from its own option (0 when absent) after creating it.
    requestTimeout: config.requestTimeoutMs,
    http: {
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      ...(interval === undefined ? {} : { connectionsCheckingInterval: interval }),
    },
  };
}
