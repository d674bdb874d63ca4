import type { FastifyRateLimitOptions, FastifyRateLimitStoreCtor, RateLimitPluginOptions } from '@fastify/rate-limit';
import type { CounterStore } from './counter-store.js';

/**
 * Adapts a CounterStore to @fastify/rate-limit's store interface, so request limits and Helpr's
 * own failure limits count in the same place (memory or Redis). Each route gets its own key space.
 */
export function rateLimitStoreFor(counters: CounterStore): FastifyRateLimitStoreCtor {
  return class CounterRateLimitStore {
    constructor(
      _options: FastifyRateLimitOptions,
      private readonly namespace = 'global:',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      counters.hit(this.namespace + key, timeWindow).then(
        (hit) => callback(null, { current: hit.count, ttl: hit.resetInMs }),
        (error: Error) => callback(error),
      );
    }

    // Route limits are named after their route; ad-hoc ones (app.rateLimit()) by their nameSpace.
    child(routeOptions: RateLimitPluginOptions & { routeInfo?: { method?: string; url?: string } }) {
      const route = routeOptions.routeInfo;
      const name = route?.url ? `${route.method ?? ''}${route.url}` : (routeOptions.nameSpace ?? 'adhoc');
      return new CounterRateLimitStore(routeOptions, `${name}:`);
    }
  } as unknown as FastifyRateLimitStoreCtor;
}
