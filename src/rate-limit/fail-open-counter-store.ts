import { systemClock, type Clock } from '../clock.js';
import type { CounterHit, CounterStore } from './counter-store.js';

/** While the shared store is away, it is tried again at most this often (the other calls go to memory). */
export const RETRY_SHARED_STORE_MS = 1000;

interface WarnLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/**
 * Shared counters (Redis) that fail open. When the shared store errors, this instance counts in its
 * own memory instead of failing the request: limits still hold per instance, and nobody is refused
 * because Redis is down. One warning per outage, not one per request. The shared store is tried
 * again at most once per `retryMs` (so a Redis that hangs costs one slow call per interval, not one
 * per request) and used again as soon as it answers; counts made in memory meanwhile are dropped.
 */
export class FailOpenCounterStore implements CounterStore {
  readonly kind: CounterStore['kind'];
  private outage: { since: number; retryAt: number; probing: boolean } | undefined;

  constructor(
    private readonly shared: CounterStore,
    private readonly fallback: CounterStore,
    private readonly options: { logger: WarnLogger; clock?: Clock; retryMs?: number },
  ) {
    this.kind = shared.kind;
  }

  /** True while counting in this instance's memory because the shared store failed. */
  get degraded(): boolean {
    return this.outage !== undefined;
  }

  hit(key: string, windowMs: number): Promise<CounterHit> {
    return this.run((store) => store.hit(key, windowMs));
  }

  peek(key: string): Promise<CounterHit> {
    return this.run((store) => store.peek(key));
  }

  reset(key: string): Promise<void> {
    return this.run((store) => store.reset(key));
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now().getTime();
  }

  private async run<T>(call: (store: CounterStore) => Promise<T>): Promise<T> {
    const outage = this.outage;
    if (outage && (outage.probing || this.now() < outage.retryAt)) return call(this.fallback);
    if (outage) outage.probing = true;
    try {
      const result = await call(this.shared);
      if (this.outage) {
        this.options.logger.info({ downMs: this.now() - this.outage.since }, 'rate-limit counters are shared again (Redis answers)');
        this.outage = undefined;
      }
      return result;
    } catch (error) {
      const now = this.now();
      if (!this.outage) {
        this.options.logger.warn(
          { err: (error as Error).message },
          'rate-limit counters unavailable (Redis): counting in this instance’s memory until Redis answers again',
        );
        this.outage = { since: now, retryAt: 0, probing: false };
      }
      this.outage.retryAt = now + (this.options.retryMs ?? RETRY_SHARED_STORE_MS);
      this.outage.probing = false;
      return call(this.fallback);
    }
  }
}
