/** When to try a waiting invitation again: about 30 s, doubling up to an hour, for up to 24 hours. */
export const RETRY_POLICY = {
  firstDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  /** How long one send may hold an invitation before another worker may take it over. */
  leaseMs: 60_000,
};

/** The delay before attempt `attempts + 1`, with ±20 % jitter so retries do not all land at once. */
export function retryDelayMs(attempts: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_POLICY.firstDelayMs * 2 ** Math.max(0, attempts - 1), RETRY_POLICY.maxDelayMs);
  const jittered = Math.round(base * (0.8 + random() * 0.4));
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}
