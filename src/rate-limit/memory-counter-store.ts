import { systemClock, type Clock } from '../clock.js';
import type { CounterHit, CounterStore } from './counter-store.js';

interface Window {
  count: number;
  endsAt: number;
}

/** In-process counters, bounded in size: the oldest windows go first when the map is full. */
export class MemoryCounterStore implements CounterStore {
  readonly kind = 'memory' as const;
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly maxKeys = 50_000,
  ) {}

  async hit(key: string, windowMs: number): Promise<CounterHit> {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      this.windows.delete(key);
      window = { count: 0, endsAt: now + windowMs };
      this.evictIfFull(now);
      this.windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  async peek(key: string): Promise<CounterHit> {
    const now = this.clock.now().getTime();
    const window = this.windows.get(key);
    if (!window || window.endsAt <= now) return { count: 0, resetInMs: 0 };
    return { count: window.count, resetInMs: window.endsAt - now };
  }

  async reset(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async takeBack(key: string): Promise<void> {
    const window = this.windows.get(key);
    if (window && window.count > 0) window.count -= 1;
  }

  // A turn is a window with no hits: it ends when the turn comes.
  async takeTurn(key: string, spacingMs: number, maxWaitMs = Number.POSITIVE_INFINITY): Promise<number | undefined> {
    const now = this.clock.now().getTime();
    const previous = this.windows.get(key);
    const endsAt = Math.max(now, previous?.endsAt ?? now) + spacingMs;
    if (endsAt - now > maxWaitMs) return undefined;
    if (!previous) this.evictIfFull(now);
    this.windows.set(key, { count: 0, endsAt });
    return endsAt - now;
  }

  private evictIfFull(now: number): void {
    if (this.windows.size < this.maxKeys) return;
    for (const [key, window] of this.windows) {
      if (window.endsAt <= now) this.windows.delete(key);
    }
    // Still full: drop the oldest insertion (Map keeps insertion order).
    if (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next().value;
      if (oldest !== undefined) this.windows.delete(oldest);
    }
  }
}
