import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface OverloadOptions {
  /** Event-loop delay (ms) past which new requests get 503 instead of queueing without bound. */
  maxEventLoopDelayMs?: number;
  retryAfterSeconds?: number;
}

/**
 * Sheds load when the event loop lags: a quick 503 with Retry-After beats a queue that grows until
 * every request times out. Health endpoints opt out (see `config.pressureHandler` on their routes).
 */
export const overloadPlugin = fp(async (app: FastifyInstance, opts: OverloadOptions) => {
  await app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs ?? 1000,
    retryAfter: opts.retryAfterSeconds ?? 10,
    sampleInterval: 100,
  });
});

/** Route config that keeps a route answering under pressure (health and readiness). */
export const ALWAYS_ANSWER = { pressureHandler: () => undefined };
