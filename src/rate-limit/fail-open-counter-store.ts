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
  /** Counts the changes between shared and degraded, to tell calls sent before the last one. */
  private state = 0;

  constructor(
    private readonly shared: CounterStore,
    private readonly fallback: CounterStore,
    private readonly options: {
      logger: WarnLogger;
      clock?: Clock;
      retryMs?: number;
      /** Redis was unreachable at start (already warned about): count in memory until a probe answers. */
      startDown?: boolean;
    },
  ) {
    this.kind = shared.kind;
    if (options.startDown) this.outage = { since: this.now(), retryAt: 0, probing: false };
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

  takeBack(key: string): Promise<void> {
    return this.run((store) => store.takeBack(key));
  }

  takeTurn(key: string, spacingMs: number, maxWaitMs?: number): Promise<number | undefined> {
    return this.run((store) => store.takeTurn(key, spacingMs, maxWaitMs));
  }

  private now(): number {
    return (this.options.clock ?? systemClock).now().getTime();
  }

  private async run<T>(call: (store: CounterStore) => Promise<T>): Promise<T> {
    const outage = this.outage;
    if (outage && (outage.probing || this.now() < outage.retryAt)) return call(this.fallback);
    // Only a call sent during the outage (a probe) may end it, and only a call sent while Redis
    // was taken to answer may start one: a reply or a failure that was already on its way when the
    // state changed says nothing about Redis now, and would make the log flap.
    const probe = outage;
    const state = this.state;
    if (probe) probe.probing = true;
    try {
      const result = await call(this.shared);
      if (probe && this.outage === probe) {
        this.options.logger.info({ downMs: this.now() - probe.since }, 'rate-limit counters are shared again (Redis answers)');
        this.outage = undefined;
        this.state += 1;
      }
      return result;
    } catch (error) {
      const now = this.now();
      if (probe) {
        probe.retryAt = now + (this.options.retryMs ?? RETRY_SHARED_STORE_MS);
        probe.probing = false;
      } else if (!this.outage && this.state === state) {
        this.options.logger.warn(
          { err: (error as Error).message },
          'rate-limit counters unavailable (Redis): counting in this instance’s memory until Redis answers again',
        );
        this.outage = { since: now, retryAt: now + (this.options.retryMs ?? RETRY_SHARED_STORE_MS), probing: false };
        this.state += 1;
      }
      return call(this.fallback);
    }
  }
}
