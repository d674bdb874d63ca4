import { PLEX_CALL_TIMEOUT_MS } from '../../plex/plex-limits.js';

/**
 * The shortest lease that covers one send at its slowest, so that no other worker takes over a send
 * still running (its lookup could run before plex.tv made the share, and the invite would go out
 * twice). A send makes up to four plex.tv calls one after the other, each given up after
 * PLEX_CALL_TIMEOUT_MS: the library ids (when not cached), the lookup after an unconfirmed attempt,
 * the invite, and one more (the v2 invite after v1's 404/410, or the library ids read again after
 * plex.tv refused stale ones). Plus 5 s for the database writes around them: 45 s.
 */
export const MIN_LEASE_MS = 4 * PLEX_CALL_TIMEOUT_MS + 5_000;
// A Plex join (plex-join-steps.ts) renews its lease each time it records a step, so each step has a
// lease of its own; a slow share step (a look-up, the invite, the share update) can still outlive
// it. Nothing is done twice even then: plex.tv makes one share per account and server (a second
// invite answers "already sharing", which the job takes as shared), and the accept step lists the
// invites still pending before it accepts any.

/** When to try a waiting invitation again: about 30 s, doubling up to an hour, for up to 24 hours. */
export const RETRY_POLICY = {
  firstDelayMs: 30_000,
  maxDelayMs: 60 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
  /** How long one send may hold an invitation before another worker may take it over. */
  leaseMs: 60_000,
};

/**
 * Problems only the owner can fix, whose requests wait for them: Plex refused Helpr's token
 * (revoked, expired, signed out). Trying every 30 s would only collect more refusals, so these wait
 * OWNER_WAIT_SECONDS between tries (a cheap check in case the token works again by itself); signing
 * in again wakes them at once (see token-refusal.ts). They never give up after 24 hours: a friend's
 * request must not fail because the owner was away for a weekend, and the admin area shows a red
 * banner the whole time, with the number of requests waiting.
 */
export const OWNER_FIXABLE_KINDS: ReadonlySet<string> = new Set(['invalid_token']);
export const OWNER_WAIT_SECONDS = 30 * 60;

/** Whether a request that failed again with `kind` stops waiting (status failed). */
export function givesUp(kind: string, createdAt: string, now: Date): boolean {
  if (OWNER_FIXABLE_KINDS.has(kind)) return false;
  return now.getTime() - new Date(createdAt).getTime() >= RETRY_POLICY.giveUpAfterMs;
}

/**
 * The delay before attempt `attempts + 1`, with ±20 % jitter so retries do not all land at once,
 * never past the hour (jitter spreads an hour's retries over 48 to 60 minutes), so the waits are
 * what the README says: the owner-fixable ones every 30 to 60 minutes.
 */
export function retryDelayMs(attempts: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const base = Math.min(RETRY_POLICY.firstDelayMs * 2 ** Math.max(0, attempts - 1), RETRY_POLICY.maxDelayMs);
  const jittered = Math.min(Math.round(base * (0.8 + random() * 0.4)), RETRY_POLICY.maxDelayMs);
  return Math.max(jittered, (retryAfterSeconds ?? 0) * 1000);
}

/**
 * A friend who joined with Plex but has not confirmed their email yet is looked at again every few
 * minutes at most (one account read), not hourly: they are likely to confirm soon, and the page's
 * Try again makes the job due at once anyway.
 */
export const FRIEND_WAIT_MAX_MS = 5 * 60_000;

/** The delay before a join job's next attempt: as any retry, but never more than a few minutes for an unconfirmed friend. */
export function joinRetryDelayMs(kind: string, attempts: number, retryAfterSeconds?: number, random: () => number = Math.random): number {
  const delay = retryDelayMs(attempts, retryAfterSeconds, random);
  return kind === 'friend_unconfirmed' ? Math.min(delay, FRIEND_WAIT_MAX_MS) : delay;
}
