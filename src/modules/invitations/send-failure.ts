import { isAppError } from '../../errors.js';
import { isPlexError, type PlexError } from '../../plex/plex.errors.js';
import { LibrariesMissingError } from '../plex/library-mapping.js';
import { inviteMayExist } from './earlier-share.js';
import type { SendOutcome } from './invitation-sender.js';
import { refusalKind } from './refusals.js';
import { OWNER_WAIT_SECONDS } from './retry-policy.js';

/** Errors kept for the admin are short and never carry secrets. */
export const short = (message: string) => (message.length > 300 ? `${message.slice(0, 297)}...` : message);

export type FailureOutcome = Extract<SendOutcome, { status: 'retry' | 'failed' }>;

/**
 * What a failed call with the owner's token comes to, for the email send and the join job alike:
 * problems the owner can fix (no selection, a library gone, a refused token) wait; temporary Plex
 * failures are retried; permanent refusals fail.
 */
export function createSendFailures(deps: {
  /** Records that Plex refused `token`; false when Helpr uses another token by now (token-refusal.ts). */
  onTokenRefused?: (token: string) => Promise<boolean>;
}) {
  /**
   * Plex refused the owner's token: the request waits for the owner to sign in again, with a long
   * delay between tries (retry-policy.ts). Signing in wakes the waiting requests, but not one whose
   * wait is written after that (its send began with the old token): so once the wait is recorded,
   * the token is read again, and a request whose refused token was replaced meanwhile is due at once.
   */
  async function waitForOwner(error: PlexError, token: string): Promise<FailureOutcome> {
    const stillInUse = async () => (await deps.onTokenRefused?.(token).catch(() => true)) ?? true;
    const message = short(`${error.message}. Sign in with Plex again: waiting requests are sent then.`);
    const replaced = !(await stillInUse());
    return { status: 'retry', kind: error.kind, error: message, retryAfterSeconds: replaced ? undefined : OWNER_WAIT_SECONDS, endWaitNow: async () => !(await stillInUse()) };
  }

  /** `inviting`: the error came from the invite call itself, which may have made the invite all the same. */
  async function outcomeOf(error: unknown, token: string, inviting: boolean): Promise<FailureOutcome> {
    if (error instanceof LibrariesMissingError) return { status: 'retry', kind: 'library_missing', error: error.message };
    if (isPlexError(error)) {
      if (error.kind === 'invalid_token') return await waitForOwner(error, token);
      if (error.temporary) {
        return { status: 'retry', kind: error.kind, error: short(error.message), retryAfterSeconds: error.retryAfterSeconds, unknownOutcome: inviting && inviteMayExist(error) };
      }
      return { status: 'failed', kind: refusalKind(error.kind, error.message), error: short(error.message) };
    }
    if (isAppError(error)) return { status: 'retry', kind: error.code, error: short(error.message) };
    // Anything unexpected (the database away, a bug) is retried rather than lost.
    return { status: 'retry', kind: 'internal', error: short((error as Error).message ?? String(error)) };
  }

  return { waitForOwner, outcomeOf };
}
