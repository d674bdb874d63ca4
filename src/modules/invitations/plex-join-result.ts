import type { InvitationRow, InvitationResult } from './invitations.repository.js';
import type { JoinOutcome } from './plex-join-steps.js';
import { givesUp, joinRetryDelayMs } from './retry-policy.js';

export type JoinResultInput = Pick<InvitationRow, 'attempts' | 'created_at' | 'unconfirmed_since' | 'approved_at'>;

/**
 * The row's new state after one attempt of a join job. Any end (accepted, sent, failed) clears
 * join_step; a retry keeps the step to resume at. Giving up after 24 hours leaves a request whose
 * share exists `sent` (the friend can still accept it in Plex), and one never shared `failed`.
 */
export function joinResultOf(outcome: Exclude<JoinOutcome, { status: 'lost' }>, invitation: JoinResultInput, now: Date): InvitationResult {
  const at = now.toISOString();
  const { progress } = outcome;
  const unconfirmed_since = invitation.unconfirmed_since ?? null;
  const base = {
    updated_at: at,
    libraries: progress.libraries,
    plex_share_id: progress.plexShareId,
    sent_at: progress.sentAt,
    next_attempt_at: null,
    unconfirmed_since,
    join_step: null,
    accepted_at: null,
  };
  switch (outcome.status) {
    case 'accepted':
      return { ...base, status: 'accepted', accepted_at: at, last_error: null, error_kind: null };
    case 'sent':
    case 'failed':
      return { ...base, status: outcome.status, last_error: outcome.error, error_kind: outcome.kind };
    case 'retry': {
      if (givesUp(outcome.kind, invitation.approved_at ?? invitation.created_at, now)) {
        const shared = progress.step !== 'share';
        return { ...base, status: shared ? 'sent' : 'failed', last_error: `Gave up after 24 hours: ${outcome.error}`, error_kind: outcome.kind };
      }
      const next = new Date(now.getTime() + joinRetryDelayMs(outcome.kind, invitation.attempts, outcome.retryAfterSeconds)).toISOString();
      // The share call may have made the share all the same: the next attempt looks first (plex-join-steps.ts).
      const unconfirmed = outcome.unknownOutcome ? (unconfirmed_since ?? at) : unconfirmed_since;
      return { ...base, status: 'pending', join_step: progress.step, next_attempt_at: next, last_error: outcome.error, error_kind: outcome.kind, unconfirmed_since: unconfirmed };
    }
  }
}
