import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { randomId } from '../../security/crypto.js';
import type { InvitationSender, SendOutcome } from './invitation-sender.js';
import type { InvitationResult, InvitationRow, InvitationsRepository } from './invitations.repository.js';
import { RETRY_POLICY, givesUp, retryDelayMs } from './retry-policy.js';

export type DeliverableInvitation = Pick<InvitationRow, 'id' | 'identifier' | 'libraries' | 'attempts' | 'created_at' | 'unconfirmed_since' | 'approved_at'>;

/** The row's new state after one attempt. */
export function resultOf(outcome: SendOutcome, invitation: DeliverableInvitation, now: Date): InvitationResult {
  const at = now.toISOString();
  const unconfirmed_since = invitation.unconfirmed_since ?? null;
  const base = { updated_at: at, libraries: invitation.libraries, plex_share_id: null, sent_at: null, next_attempt_at: null, unconfirmed_since };
  switch (outcome.status) {
    case 'sent':
      return { ...base, status: 'sent', libraries: JSON.stringify(outcome.libraries), plex_share_id: outcome.shareId ?? null, sent_at: at, last_error: null, error_kind: null };
    case 'already_shared':
    case 'already_invited':
      return { ...base, status: outcome.status, libraries: JSON.stringify(outcome.libraries), last_error: null, error_kind: null };
    case 'failed':
      return { ...base, status: 'failed', last_error: outcome.error, error_kind: outcome.kind };
    case 'retry': {
      // A request approved by the owner gets its full day of retries from the approval.
      if (givesUp(outcome.kind, invitation.approved_at ?? invitation.created_at, now)) {
        return { ...base, status: 'failed', last_error: `Gave up after 24 hours: ${outcome.error}`, error_kind: outcome.kind };
      }
      const next = new Date(now.getTime() + retryDelayMs(invitation.attempts, outcome.retryAfterSeconds)).toISOString();
      // The invite call may have made the invite all the same (no answer, or none that could be read):
      // the next attempt looks first (invitation-sender.ts, earlier-share.ts inviteMayExist).
      const unconfirmed = outcome.unknownOutcome ? (unconfirmed_since ?? at) : unconfirmed_since;
      return { ...base, status: 'pending', next_attempt_at: next, last_error: outcome.error, error_kind: outcome.kind, unconfirmed_since: unconfirmed };
    }
  }
}

/**
 * One attempt at an invitation whose sending lease the caller holds: send, then record the outcome
 * (only while still holding the lease). It never throws: if recording fails, the lease runs out
 * and the retry worker takes the invitation up again, marked unconfirmed by its claim, so that
 * attempt looks for the share on plex.tv before sending again (invitation-sender.ts).
 */
export function createInvitationDelivery(deps: {
  invitations: InvitationsRepository;
  send: InvitationSender;
  clock: Clock;
  logger: Logger;
  /** How long one attempt holds an invitation (RETRY_POLICY.leaseMs unless configured). */
  leaseMs?: number;
}) {
  const instanceId = randomId(6);
  const leaseMs = deps.leaseMs ?? RETRY_POLICY.leaseMs;
  return {
    newLease(now: Date): { owner: string; until: string } {
      return { owner: `${instanceId}:${randomId(6)}`, until: new Date(now.getTime() + leaseMs).toISOString() };
    },

    /** Returns the result as recorded, or undefined when it could not be (the lease had gone). */
    async deliver(invitation: DeliverableInvitation, leaseOwner: string): Promise<InvitationResult | undefined> {
      try {
        const outcome = await deps.send(invitation);
        const result = resultOf(outcome, invitation, deps.clock.now());
        const recorded = await deps.invitations.complete(invitation.id, leaseOwner, result);
        deps.logger.info({ invitation: invitation.id, status: result.status, kind: result.error_kind, recorded }, 'invitation attempt');
        if (recorded && outcome.status === 'retry' && (await outcome.endWaitNow?.().catch(() => false))) {
          // The wait was written after the owner fixed its cause (signed in again): no wake reaches it now.
          await deps.invitations.wakeOne(invitation.id, deps.clock.now().toISOString());
          return { ...result, next_attempt_at: deps.clock.now().toISOString() };
        }
        return recorded ? result : undefined;
      } catch (error) {
        deps.logger.error({ err: error, invitation: invitation.id }, 'could not record an invitation attempt; it will be retried');
        return undefined;
      }
    },
  };
}

export type InvitationDelivery = ReturnType<typeof createInvitationDelivery>;
