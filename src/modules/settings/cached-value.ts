import type { Clock } from '../../clock.js';

/**
 * A value read from the database at most once per `ttlMs`: concurrent readers share one load, and
 * `clear()` (after a write here) makes the next read load again. A load that was already under way
 * when `clear()` was called is not kept, so a write is never hidden by an older read. Other instances
 * see a change within `ttlMs`.
 */
export function createCachedValue<T>(load: () => Promise<T>, options: { ttlMs: number; clock: Clock }) {
  let cached: { value: T; until: number } | undefined;
  let loading: Promise<T> | undefined;
  let generation = 0;

  const now = () => options.clock.now().getTime();

  return {
    get(): Promise<T> {
      if (cached && cached.until > now()) return Promise.resolve(cached.value);
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
    },

    clear(): void {
      generation += 1;
      cached = undefined;
      loading = undefined;
    },
  };
}
