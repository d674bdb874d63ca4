import { formatTime } from '../../time-format.js';
import { UTC } from '../../time-zone.js';
import { accessEnd, storedTerms } from '../access/access-terms.js';
import type { InvitationRow } from '../invitations/invitations.repository.js';
import { failureWords, refusalKind } from '../invitations/refusals.js';

export interface RequestPageModel {
  title: string;
  status: InvitationRow['status'];
  identifier: string;
  tone: 'success' | 'info' | 'warning' | 'danger';
  headline: string;
  steps: string[];
  /** A closing sentence after the numbered steps (not a step itself). */
  after?: string;
  refresh: boolean;
  /**
   * What the waiting page's script compares to tell a change: the status, and for a Plex join
   * waiting on the friend, that too (it stays pending meanwhile).
   */
  page: string;
  /** A "Try again" button (POST /requests/:id/retry): a Plex join waiting for the friend's email confirmation. */
  retry?: boolean;
  /** The owner's guide (Markdown rendered), on the "You're in" page. */
  guideHtml?: string;
  /** How long the access lasts, where it ends: the date (`until`, shown in the owner's zone) or the days from acceptance. */
  access?: { text: string; until?: string };
}

type AccessInput = Pick<InvitationRow, 'status'> & Partial<Pick<InvitationRow, 'access_days' | 'access_starts' | 'sent_at' | 'accepted_at'>>;

/**
 * The friend's end of access: the date the owner's Users page holds for them (`knownEnd`: their
 * row's end, null for none, undefined while no sync listed them yet), else the date their request's
 * terms give, else the days they will have from accepting. Undefined: no end to tell.
 */
export function accessNote(invitation: AccessInput, knownEnd: string | null | undefined, at: { timeZone: string | null; now: Date }): RequestPageModel['access'] {
  if (!['sent', 'accepted', 'pending', 'awaiting_approval'].includes(invitation.status)) return undefined;
  const terms = storedTerms(invitation.access_days, invitation.access_starts);
  const until = (end: string) => {
    const when = formatTime(end, at.timeZone ?? UTC);
    const over = new Date(end).getTime() <= at.now.getTime();
    return { text: over ? `Your access ended on ${when}. Ask the server owner if you would like it back.` : `Your access lasts until ${when}. Ask the server owner if you need it for longer.`, until: end };
  };
  if (knownEnd) return until(knownEnd);
  const end = knownEnd === undefined ? accessEnd(terms, { sentAt: invitation.sent_at ?? null, acceptedAt: invitation.accepted_at ?? null }) : undefined;
  if (end) return until(end);
  if (!terms || terms.days === null || invitation.status === 'accepted' || (knownEnd === null && terms.startsOn === 'sent')) return undefined;
  const days = terms.days === 1 ? '1 day' : `${terms.days} days`;
  return { text: terms.startsOn === 'sent' ? `Your access lasts ${days} from when the invite is sent.` : `Your access lasts ${days} from when you accept the invite.` };
}

/** The kind a Plex join waits with while the friend's Plex email address is not confirmed. */
export const FRIEND_UNCONFIRMED = 'friend_unconfirmed';

type PageInput = Pick<InvitationRow, 'status' | 'identifier' | 'error_kind'> & Partial<Pick<InvitationRow, 'last_error' | 'joined_with'>>;

/** The page key for `invitation` (see RequestPageModel.page). */
export function requestPageKey(invitation: Pick<InvitationRow, 'status' | 'error_kind'>): string {
  return invitation.status === 'pending' && invitation.error_kind === FRIEND_UNCONFIRMED ? `pending:${FRIEND_UNCONFIRMED}` : invitation.status;
}

/**
 * Why a saved request has not gone out yet, in plain words for the friend (never Plex's or Helpr's
 * internals), by the kind of the last problem; none yet means the first try is still under way.
 */
export function pendingReason(kind: string | null): string {
  switch (kind) {
    case null:
    case 'timeout':
      return 'Plex is slow to answer right now.';
    case 'upstream':
    case 'network':
    case 'rate_limited':
      return 'Plex is busy or cannot be reached at the moment.';
    case 'invalid_token':
      return 'The server owner needs to sign in to Plex again before invites can go out; they can see this in their admin area.';
    case 'not_connected':
    case 'plex.not_connected':
    case 'no_libraries':
    case 'library_missing':
      return 'This server is not fully set up yet: the owner still has to finish connecting it to Plex.';
    default:
      return 'Something held the invite up for a moment.';
  }
}

/**
 * A friend who joined with Plex: Helpr shares and accepts for them, so the pages say what Helpr is
 * doing, and "You're in" shows the owner's guide. Undefined where the email flow's page fits.
 */
function plexJoinModel(invitation: PageInput, base: Pick<RequestPageModel, 'status' | 'identifier' | 'refresh' | 'page'>, guideHtml: string): RequestPageModel | undefined {
  const who = invitation.identifier;
  switch (invitation.status) {
    case 'accepted':
      return {
        ...base,
        title: "You're in",
        tone: 'success',
        headline: `Welcome, ${who}: the libraries are shared with your Plex account and ready to watch.`,
        steps: [],
        guideHtml,
      };
    case 'pending':
      if (invitation.error_kind === FRIEND_UNCONFIRMED) {
        return {
          ...base,
          title: 'Confirm your email address',
          tone: 'warning',
          refresh: true,
          retry: true,
          headline: `Plex does not let ${who} accept invites until the account's email address is confirmed.`,
          steps: ['Confirm your email address in the message Plex sent you, then press Try again.', 'Helpr also tries again by itself every few minutes: you can leave this page open.'],
        };
      }
      return {
        ...base,
        title: 'Setting up your access',
        tone: 'info',
        refresh: true,
        headline: `Signed in as ${who}. Helpr is sharing the libraries with your Plex account and accepting the invite for you.`,
        steps: [invitation.error_kind ? pendingReason(invitation.error_kind) : 'This usually takes a few seconds.', 'This page updates by itself: there is nothing else for you to do.'],
      };
    case 'sent':
      return {
        ...base,
        title: 'Accept the invite in Plex',
        tone: 'success',
        headline: `The libraries are shared with your Plex account ${who}, but Helpr could not accept the invite for you.`,
        steps: [
          "Accept the invite from Plex's email (look in your spam folder too), or sign in at app.plex.tv and accept the invite waiting for you there.",
          'The shared libraries then appear in every Plex app where you are signed in.',
        ],
      };
    case 'awaiting_approval':
      return {
        ...base,
        title: 'Waiting for the owner',
        tone: 'info',
        refresh: true,
        headline: `Signed in as ${who}. The owner of this server will look at your request.`,
        steps: [
          'The owner checks each request before anything is shared. There is nothing else for you to do for now.',
          'This page updates by itself once they decide. You can also keep the link and come back later.',
          'If they say yes, Helpr shares the libraries with your Plex account and accepts the invite for you.',
        ],
      };
    case 'failed':
      return plexJoinFailed(invitation, base);
    default:
      return undefined;
  }
}

/**
 * A Plex join that failed: the friend typed nothing, so the email flow's "check the spelling" does
 * not fit; they are told to sign in with their own account, or that the owner can see it.
 * Undefined for the refusals whose words fit both ways (libraries or server gone, invites refused
 * by the account, gave up).
 */
function plexJoinFailed(invitation: PageInput, base: Pick<RequestPageModel, 'status' | 'identifier' | 'refresh' | 'page'>): RequestPageModel | undefined {
  const who = invitation.identifier;
  const kind = refusalKind(invitation.error_kind ?? '', invitation.last_error);
  const failed = { ...base, title: 'The invite could not be sent', tone: 'danger' as const };
  if (kind === 'self_share') {
    return {
      ...failed,
      headline: failureWords(kind).friend(who).headline,
      steps: ["To ask for access for yourself, press Continue with Plex again and sign in with your own Plex account, not the owner's.", 'If you are the owner: your libraries are already yours, there is nothing to ask for.'],
    };
  }
  if (kind === 'rejected' || kind === 'unknown_account') {
    return {
      ...failed,
      headline: `Plex did not accept the invite for your Plex account ${who}.`,
      steps: ['Your request is saved and the server owner can see what went wrong: ask them about it.', 'You can also press Continue with Plex again later.'],
    };
  }
  return undefined;
}

/** The result page for each state of a request; `guideHtml` is the owner's guide for "You're in". */
export function requestPageModel(invitation: PageInput, options: { guideHtml?: string } = {}): RequestPageModel {
  const who = invitation.identifier;
  const base = { status: invitation.status, identifier: who, refresh: false, page: requestPageKey(invitation) };
  const plex = invitation.joined_with === 'plex' ? plexJoinModel(invitation, base, options.guideHtml ?? '') : undefined;
  if (plex) return plex;
  switch (invitation.status) {
    case 'accepted':
      return {
        ...base,
        title: "You're in",
        tone: 'success',
        headline: `Welcome, ${who}: the libraries are shared with your Plex account and ready to watch.`,
        steps: ['Open Plex on your TV, phone or computer, signed in as ' + who + ': the shared libraries are there.'],
      };
    case 'sent':
      return {
        ...base,
        title: 'Invite sent',
        tone: 'success',
        headline: `Invite sent to ${who}.`,
        steps: [
          'Plex sends you an email with the invite (it can take a few minutes; look in your spam folder too).',
          'Open it and choose Accept, or sign in at app.plex.tv and accept the invite waiting for you there.',
          'The shared libraries then appear in every Plex app where you are signed in.',
        ],
      };
    case 'already_shared':
      return {
        ...base,
        title: 'You already have access',
        tone: 'info',
        headline: `The Plex account ${who} already has access to this server.`,
        steps: [
          'Open a Plex app (or app.plex.tv) signed in with that account.',
          "The server's libraries are listed in the side menu or under More. If an invite is still waiting there, accept it first.",
        ],
      };
    case 'pending':
      return {
        ...base,
        title: 'Request saved',
        tone: 'warning',
        refresh: true,
        headline: `Your request for ${who} is saved.`,
        steps: [
          pendingReason(invitation.error_kind),
          'Your request is kept and the invite will be sent automatically as soon as possible: there is nothing else for you to do.',
          'Come back to this page (keep the link) or reload it to see when the invite has gone out.',
        ],
      };
    case 'awaiting_approval':
      return {
        ...base,
        title: 'Waiting for the owner',
        tone: 'info',
        refresh: true,
        headline: `Your request for ${who} is saved. The owner of this server will look at it.`,
        steps: [
          'The owner checks each request before an invite is sent. There is nothing else for you to do for now.',
          'This page updates by itself once they decide. You can also keep the link and come back later.',
          'If they say yes, Plex sends you an email with the invite.',
        ],
      };
    case 'declined':
      return {
        ...base,
        title: 'Request not accepted',
        tone: 'info',
        headline: `The owner of this server did not accept the request for ${who}.`,
        steps: ['Nothing was shared with this account, and no invite will be sent.', 'If you know the owner, you can ask them about it.'],
      };
    case 'revoked':
      return { ...base, title: 'Access removed', tone: 'info', headline: `The server owner has removed access for ${who}.`, steps: ['Ask the owner if you think this is a mistake.'] };
    case 'already_invited':
      return {
        ...base,
        title: 'Your invite is waiting for you in Plex',
        tone: 'info',
        headline: `The Plex account ${who} already has an invite to this server that has not been accepted yet.`,
        steps: [
          'Look for the invite email from Plex (check your spam folder too), or sign in at app.plex.tv and look at your notifications.',
          'Choose Accept. You can watch once the invite is accepted: until then you do not have access.',
        ],
        after: 'Nothing else to do here: no new invite was needed.',
      };
    case 'failed': {
      // Plex's own reason decides the words (refusals.ts): who to ask, and what to change.
      const words = failureWords(invitation.error_kind, invitation.last_error).friend(who);
      return { ...base, title: 'The invite could not be sent', tone: 'danger', headline: words.headline, steps: words.steps };
    }
  }
}
