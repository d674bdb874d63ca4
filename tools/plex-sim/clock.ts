/**
 * The simulator reads time only through this interface so tests can expire PINs without sleeping.
 * Same shape as the app's clock (`now(): Date`), so one fake clock can drive both.
 */
export interface SimClock {
  now(): Date;
}

export const systemClock: SimClock = { now: () => new Date() };

export interface ManualClock extends SimClock {
  advance(ms: number): void;
  set(date: Date | string): void;
}

export function manualClock(start: Date | string = '2026-01-01T00:00:00Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (date) => {
      current = new Date(date).getTime();
    },
  };
}

/** plex.tv writes timestamps without milliseconds ("2024-07-16T17:03:05Z"). */
export const plexIso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);
