import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { CounterStore } from '../rate-limit/counter-store.js';
import { rateLimitStoreFor } from '../rate-limit/fastify-store.js';

export function rateLimitedError(retryAfterSeconds: number): AppError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const when = retryAfterSeconds < 90 ? `${Math.max(1, retryAfterSeconds)} seconds` : `${minutes} minutes`;
  const error = new AppError('request.rate_limited', `Too many requests from your network, wait ${when} and try again.`, { status: 429 });
  return Object.assign(error, { retryAfter: Math.max(1, retryAfterSeconds) });
}

/**
 * Request limits, counted in the shared CounterStore (memory, or Redis with several instances).
 * Nothing is limited globally; routes opt in with `config.rateLimit` or `app.rateLimit()`.
 * The client address is `request.ip`, which honours TRUST_PROXY and nothing else.
 */
export const rateLimitPlugin = fp(async (app: FastifyInstance, opts: { counters: CounterStore }) => {
  await app.register(rateLimit, {
    global: false,
    store: rateLimitStoreFor(opts.counters),
    keyGenerator: (request) => request.ip,
    // Redis being away is handled by the store (it counts in memory meanwhile); any other store
    // error lets the request through rather than refuse everyone.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => rateLimitedError(Math.ceil(context.ttl / 1000)),
  });
});
