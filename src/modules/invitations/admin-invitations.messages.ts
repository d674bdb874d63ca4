import { safeRedirectPath } from '../../security/safe-redirect.js';
import type { InvitationView } from './admin-invitations.models.js';
import type { RetryAllResult, RevokeResult } from './admin-invitations.service.js';
import { failureWords } from './refusals.js';

type Flash = { message: string; tone: 'success' | 'warning' | 'danger' | 'info' };

/** What the admin reads after "Retry now" or an invite they sent themselves. */
export function sendOutcomeMessage(invitation: InvitationView): Flash {
  const who = invitation.identifier;
  switch (invitation.status) {
    case 'sent':
      // A Plex sign-in ends sent when Helpr could not accept for them (their token was refused, or it gave up after sharing).
      return invitation.joinedWith === 'plex'
        ? { message: `Shared with ${who}, who signed in with Plex: the invite waits for them to accept it in Plex (its email, or app.plex.tv).`, tone: 'success' }
        : { message: `Invitation sent to ${who}.`, tone: 'success' };
    case 'accepted':
      return { message: `${who} joined with Plex: the libraries are shared and the invite is accepted, they can watch now.`, tone: 'success' };
    case 'already_shared':
      return { message: `${who} already has access to the server: nothing new was sent.`, tone: 'info' };
    case 'already_invited':
      return { message: `${who} already has an invite from you waiting in Plex: nothing new was sent. They get access once they accept it.`, tone: 'info' };
    case 'failed':
      return { message: `Not sent to ${who}. ${failureWords(invitation.errorKind, invitation.error).owner}`, tone: 'danger' };
    case 'pending':
      return {
        message: invitation.error
          ? `Not sent yet to ${who}. ${invitation.error} Helpr will try again by itself.`
          : `The invitation for ${who} is on its way; Helpr finishes it in the background.`,
        tone: 'warning',
      };
    case 'revoked':
      return { message: `Access for ${who} was revoked.`, tone: 'info' };
    case 'awaiting_approval':
      return { message: `The request of ${who} waits for your approval: nothing was sent yet.`, tone: 'info' };
    case 'declined':
      return { message: `The request of ${who} was declined: nothing was sent.`, tone: 'info' };
  }
}

/** After "Approve": the approval, then what came of sending. */
export function approveOutcomeMessage(invitation: InvitationView): Flash {
  const outcome = sendOutcomeMessage(invitation);
  return { ...outcome, message: `Approved. ${outcome.message}` };
}

/** After "Retry all failed". */
export function retryFailedMessage({ queued, refused }: RetryAllResult): Flash {
  const left =
    refused === 0
      ? ''
      : ` ${refused === 1 ? '1 failed invitation was' : `${refused} failed invitations were`} left as they are: Plex would refuse ${refused === 1 ? 'it' : 'them'} again (the reason is on each row).`;
  if (queued === 0) return { message: `No failed invitations to retry.${left}`, tone: 'info' };
  const what = queued === 1 ? '1 failed invitation was' : `${queued} failed invitations were`;
  return { message: `${what} queued again: Helpr sends them in the background within a few seconds.${left}`, tone: 'success' };
}

export function revokeOutcomeMessage(result: RevokeResult): Flash {
  const who = result.invitation.identifier;
  return result.removedFromPlex
    ? { message: `Access for ${who} was removed on Plex, and the invitation is marked revoked.`, tone: 'success' }
    : { message: `Plex had no share or pending invite for ${who} (any more). The invitation is marked revoked.`, tone: 'warning' };
}

/** Approve and decline come from the dashboard too: back there, or to the list as it was. */
export function safeBackFromDecision(value: unknown): string {
  return value === '/admin' ? '/admin' : safeBack(value);
}

/** Where to go back to after an action: the list as it was (same filter and page), never elsewhere. */
export function safeBack(value: unknown): string {
  return safeRedirectPath(value, { fallback: '/admin/invitations', within: '/admin/invitations', exact: true });
}
