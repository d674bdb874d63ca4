/**
 * Every plex.tv call gives up after this long (deps.ts builds the client with it). The invite
 * lease is derived from it (retry-policy.ts MIN_LEASE_MS): change one, check the other.
 */
export const PLEX_CALL_TIMEOUT_MS = 10_000;
