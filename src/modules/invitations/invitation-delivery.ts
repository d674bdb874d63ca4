import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { randomId } from '../../security/crypto.js';
import type { InvitationSender, SendOutcome } from './invitation-sender.js';
import type { InvitationResult, InvitationRow, InvitationsRepository } from './invitations.repository.js';
import { RETRY_POLICY, retryDelayMs } from './retry-policy.js';

export type DeliverableInvitation = Pick<InvitationRow, 'id' | 'identifier' | 'libraries' | 'attempts' | 'created_at'>;

/** The row's new state after one attempt. */
export function resultOf(outcome: SendOutcome, invitation: DeliverableInvitation, now: Date): InvitationResult {
  const at = now.toISOString();
  const base = { updated_at: at, libraries: invitation.libraries, plex_share_id: null, sent_at: null, next_attempt_at: null };
  switch (outcome.status) {
    case 'sent':
      return { ...base, status: 'sent', libraries: JSON.stringify(outcome.libraries), plex_share_id: outcome.shareId ?? null, sent_at: at, last_error: null, error_kind: null };
    case 'already_shared':
      return { ...base, status: 'already_shared', libraries: JSON.stringify(outcome.libraries), last_error: null, error_kind: null };
    case 'failed':
      return { ...base, status: 'failed', last_error: outcome.error, error_kind: outcome.kind };
    case 'retry': {
      if (now.getTime() - new Date(invitation.created_at).getTime() >= RETRY_POLICY.giveUpAfterMs) {
        return { ...base, status: 'failed', last_error: `Gave up after 24 hours: ${outcome.error}`, error_kind: outcome.kind };
      }
      const next = new Date(now.getTime() + retryDelayMs(invitation.attempts, outcome.retryAfterSeconds)).toISOString();
      return { ...base, status: 'pending', next_attempt_at: next, last_error: outcome.error, error_kind: outcome.kind };
    }
  }
}

/**
 * One attempt at an invitation whose sending lease the caller holds: send, then record the outcome
 * (only while still holding the lease). It never throws: if recording fails, the lease runs out
 * and the retry worker takes the invitation up again; "already sharing" keeps a re-send harmless.
 */
export function createInvitationDelivery(deps: { invitations: InvitationsRepository; send: InvitationSender; clock: Clock; logger: Logger }) {
  const instanceId = randomId(6);
  return {
    newLease(now: Date): { owner: string; until: string } {
      return { owner: `${instanceId}:${randomId(6)}`, until: new Date(now.getTime() + RETRY_POLICY.leaseMs).toISOString() };
    },

    /** Returns the result as recorded, or undefined when it could not be (the lease had gone). */
    async deliver(invitation: DeliverableInvitation, leaseOwner: string): Promise<InvitationResult | undefined> {
      try {
        const outcome = await deps.send(invitation);
        const result = resultOf(outcome, invitation, deps.clock.now());
        const recorded = await deps.invitations.complete(invitation.id, leaseOwner, result);
        deps.logger.info({ invitation: invitation.id, status: result.status, kind: result.error_kind, recorded }, 'invitation attempt');
        return recorded ? result : undefined;
      } catch (error) {
        deps.logger.error({ err: error, invitation: invitation.id }, 'could not record an invitation attempt; it will be retried');
        return undefined;
      }
    },
  };
}

export type InvitationDelivery = ReturnType<typeof createInvitationDelivery>;
