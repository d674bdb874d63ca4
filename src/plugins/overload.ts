import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';

export interface OverloadOptions {
  /** Event-loop delay (ms) past which new requests get 503 instead of queueing without bound. */
  maxEventLoopDelayMs?: number;
  retryAfterSeconds?: number;
  /** Start-up itself blocks the loop (compiling, migrating); judge the load only after this. */
  armAfterMs?: number;
}

/**
 * Sheds load when the event loop lags: a quick 503 with Retry-After beats a queue that grows until
 * every request times out. Health endpoints opt out (see `config.pressureHandler` on their routes).
 */
export const overloadPlugin = fp(async (app: FastifyInstance, opts: OverloadOptions) => {
  if (opts.maxEventLoopDelayMs === 0) return;
  const retryAfter = opts.retryAfterSeconds ?? 10;
  let armed = false;
  app.addHook('onReady', async () => {
    setTimeout(() => (armed = true), opts.armAfterMs ?? 1000).unref();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: opts.maxEventLoopDelayMs ?? 1000,
    // The default one-second window: long enough that an idle loop always records samples (a
    // window with none means the loop was blocked throughout, and counts as overload).
    pressureHandler: (_request: unknown, reply: FastifyReply) => {
      if (!armed) return undefined;
      reply.header('retry-after', String(retryAfter));
      throw new AppError('overloaded', 'Helpr is very busy right now. Please try again in a few seconds.', { status: 503 });
    },
  });
});

/** Route config that keeps a route answering under pressure (health and readiness). */
export const ALWAYS_ANSWER = { pressureHandler: () => undefined };
