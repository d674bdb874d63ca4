import type { Clock } from '../../clock.js';

const NEVER_EXPIRES = { ttlMs: Number.POSITIVE_INFINITY, clock: { now: () => new Date(0) } };

/**
 * A value read at most once per `ttlMs` (by default kept until `clear()`): concurrent readers share
 * one load, and `clear()` (after a write here) makes the next read load again. A load that was
 * already under way when `clear()` was called is not kept, so a write is never hidden by an older
 * read. Other instances see a change within `ttlMs`.
 */
export function createCachedValue<T>(load: () => Promise<T>, options: { ttlMs: number; clock: Clock } = NEVER_EXPIRES) {
  let cached: { value: T; until: number } | undefined;
  let loading: Promise<T> | undefined;
  let generation = 0;

  const now = () => options.clock.now().getTime();

  /** The load under way, or a new one; the value kept meanwhile stays readable. */
  function refresh(): Promise<T> {
    if (!loading) {
      const started = generation;
      const current = load().then((value) => {
        if (started === generation) cached = { value, until: now() + options.ttlMs };
        return value;
      });
      loading = current;
      const settled = () => {
        if (loading === current) loading = undefined;
      };
      current.then(settled, settled);
    }
    return loading;
  }

  return {
    get(): Promise<T> {
      if (cached && cached.until > now()) return Promise.resolve(cached.value);
      return refresh();
    },

    refresh,

    /** The value kept now, if any, without loading. */
    peek(): T | undefined {
      return cached && cached.until > now() ? cached.value : undefined;
    },

    clear(): void {
      generation += 1;
      cached = undefined;
      loading = undefined;
    },
  };
}
