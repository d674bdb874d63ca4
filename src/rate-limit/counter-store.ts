/**
 * A fixed-window counter: the contract every rate limit in Helpr stands on (request limits through
 * @fastify/rate-limit, and the failure-only limits such as wrong invite codes and failed logins).
 * Memory for one instance; Redis when several instances must share the counts.
 */
export interface CounterHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends and the count starts again from zero. */
  resetInMs: number;
}

export interface CounterStore {
  readonly kind: 'memory' | 'redis';
  hit(key: string, windowMs: number): Promise<CounterHit>;
  /** The current count without adding a hit (0 when the window has ended). */
  peek(key: string): Promise<CounterHit>;
  reset(key: string): Promise<void>;
  /** Takes one hit back (never below zero; the window keeps its end): an attempt that was not a failure. */
  takeBack(key: string): Promise<void>;
  /**
   * Reserves the next turn under `key`: `spacingMs` after the previous turn, or after now when
   * that has passed. Returns how long to wait for it. Concurrent callers queue one behind the
   * other, across instances when the store is shared, so at most one goes per spacing.
   * With `maxWaitMs`, a turn that would come later than that is not reserved (the queue stays as
   * it was) and the answer is undefined: a queue that callers may leave never grows without end.
   */
  takeTurn(key: string, spacingMs: number, maxWaitMs?: number): Promise<number | undefined>;
}
