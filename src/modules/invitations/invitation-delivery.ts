import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { randomId } from '../../security/crypto.js';
import { newEvent, type NewEventRow } from '../notifications/notification-events.js';
import type { InvitationSender, SendOutcome } from './invitation-sender.js';
import type { InvitationResult, InvitationRow, InvitationsRepository } from './invitations.repository.js';
import { joinResultOf } from './plex-join-result.js';
import type { JoinProgress, PlexJoinSteps } from './plex-join-steps.js';
import { RETRY_POLICY, givesUp, retryDelayMs } from './retry-policy.js';

export type DeliverableInvitation = Pick<InvitationRow, 'id' | 'identifier' | 'libraries' | 'attempts' | 'created_at' | 'unconfirmed_since' | 'approved_at'> &
  Partial<Pick<InvitationRow, 'joined_with' | 'join_step' | 'plex_account_id' | 'plex_share_id' | 'sent_at' | 'error_kind' | 'friend_email'>>;

/** What the owner hears of an attempt's outcome (issue 14): sent, accepted for the friend, or failed; nothing while it waits. */
export function outcomeEvent(invitation: Pick<DeliverableInvitation, 'id' | 'identifier' | 'joined_with' | 'friend_email'>, result: InvitationResult): NewEventRow | undefined {
  const type = result.status === 'sent' ? 'invitation.sent' : result.status === 'accepted' ? 'invitation.accepted' : result.status === 'failed' ? 'invitation.failed' : undefined;
  if (!type) return undefined;
  const email = invitation.friend_email ?? (invitation.identifier.includes('@') ? invitation.identifier : null);
  const data = { requestId: invitation.id, who: invitation.identifier, email, via: invitation.joined_with === 'plex' ? 'plex' : 'email', ...(type === 'invitation.failed' ? { reason: result.last_error } : {}) };
  return newEvent(type, data, result.updated_at);
}

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
  /** Runs the steps of a Plex join (requests with joined_with 'plex'). */
  join?: PlexJoinSteps;
  clock: Clock;
  logger: Logger;
  /** How long one attempt holds an invitation (RETRY_POLICY.leaseMs unless configured). */
  leaseMs?: number;
}) {
  const instanceId = randomId(6);
  const leaseMs = deps.leaseMs ?? RETRY_POLICY.leaseMs;

  /** Once the wait is recorded: a wait the owner already ended (signed in again) is made due now. */
  async function endEarly(id: string, result: InvitationResult, endWaitNow: (() => Promise<boolean>) | undefined): Promise<InvitationResult> {
    // Stryker disable next-line ArrowFunction: a failed check answering undefined is as falsy as false
    if (!(await endWaitNow?.().catch(() => false))) return result;
    await deps.invitations.wakeOne(id, deps.clock.now().toISOString());
    return { ...result, next_attempt_at: deps.clock.now().toISOString() };
  }

  /**
   * A Plex join: its steps record their progress as they go (each renewing the lease, as each may
   * take as long as a whole send), then the outcome is recorded with the token deleted if it ended.
   */
  async function deliverJoin(join: PlexJoinSteps, invitation: DeliverableInvitation, leaseOwner: string): Promise<InvitationResult | undefined> {
    const record = (progress: JoinProgress) => {
      const now = deps.clock.now();
      return deps.invitations.recordJoinStep(invitation.id, leaseOwner, {
        join_step: progress.step,
        plex_share_id: progress.plexShareId,
        sent_at: progress.sentAt,
        libraries: progress.libraries,
        lease_until: new Date(now.getTime() + leaseMs).toISOString(),
        updated_at: now.toISOString(),
      });
    };
    const row = { ...invitation, plex_share_id: invitation.plex_share_id ?? null, sent_at: invitation.sent_at ?? null, error_kind: invitation.error_kind ?? null };
    const outcome = await join(row, record);
    if (outcome.status === 'lost') {
      deps.logger.info({ invitation: invitation.id }, 'join attempt stopped: its lease went (taken over or revoked)');
      return undefined;
    }
    const result = joinResultOf(outcome, invitation, deps.clock.now());
    const recorded = await deps.invitations.completeJoin(invitation.id, leaseOwner, result, outcomeEvent(invitation, result));
    deps.logger.info({ invitation: invitation.id, status: result.status, step: result.join_step, kind: result.error_kind, recorded }, 'join attempt');
    if (!recorded) return undefined;
    return outcome.status === 'retry' ? endEarly(invitation.id, result, outcome.endWaitNow) : result;
  }

  return {
    newLease(now: Date): { owner: string; until: string } {
      return { owner: `${instanceId}:${randomId(6)}`, until: new Date(now.getTime() + leaseMs).toISOString() };
    },

    /** Returns the result as recorded, or undefined when it could not be (the lease had gone). */
    async deliver(invitation: DeliverableInvitation, leaseOwner: string): Promise<InvitationResult | undefined> {
      try {
        if (invitation.joined_with === 'plex') {
          if (deps.join) return await deliverJoin(deps.join, invitation, leaseOwner);
          throw new Error('a Plex join without its steps: nothing can run it');
        }
        const outcome = await deps.send(invitation);
        const result = resultOf(outcome, invitation, deps.clock.now());
        const recorded = await deps.invitations.complete(invitation.id, leaseOwner, result, outcomeEvent(invitation, result));
        deps.logger.info({ invitation: invitation.id, status: result.status, kind: result.error_kind, recorded }, 'invitation attempt');
        if (!recorded) return undefined;
        // A wait written after the owner fixed its cause (signed in again): no wake reaches it now.
        return outcome.status === 'retry' ? await endEarly(invitation.id, result, outcome.endWaitNow) : result;
      } catch (error) {
        deps.logger.error({ err: error, invitation: invitation.id }, 'could not record an invitation attempt; it will be retried');
        return undefined;
      }
    },
  };
}

export type InvitationDelivery = ReturnType<typeof createInvitationDelivery>;
