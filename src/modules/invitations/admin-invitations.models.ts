import type { InvitationStatus, JoinedWith, JoinStep } from '../../db/schema.js';
import type { InvitationListRow } from './admin-invitations.repository.js';
import { STATUS_BADGES, STATUS_LABELS } from './invitation-status.js';
import { failureWords } from './refusals.js';

/** An invitation as the admin pages, the CSV export and the API show it. */
export interface InvitationView {
  id: string;
  identifier: string;
  identifierKind: 'email' | 'username';
  status: InvitationStatus;
  source: 'public' | 'admin' | 'api';
  /** The invite code used, if any. */
  code: string | null;
  /** Local library keys. */
  libraries: string[];
  attempts: number;
  error: string | null;
  errorKind: string | null;
  clientIp: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
  /** An attempt may have reached Plex unseen (a timeout, a lost answer): a share may exist. */
  unconfirmed: boolean;
  /** How the friend asked: signed in with Plex, or typed an email address or username (the email form, the admin, the API). */
  joinedWith: JoinedWith;
  /** The friend's plex.tv account id, when known (always for a Plex sign-in). */
  plexAccountId: string | null;
  /** A Plex sign-in's job: the step it is at (null for typed requests and once it ended). Not in the API. */
  joinStep: JoinStep | null;
}

function librariesOf(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

export function toInvitationView(row: InvitationListRow): InvitationView {
  return {
    id: row.id,
    identifier: row.identifier,
    identifierKind: row.identifier_kind,
    status: row.status,
    source: row.source,
    code: row.code,
    libraries: librariesOf(row.libraries),
    attempts: Number(row.attempts),
    error: row.last_error,
    errorKind: row.error_kind,
    clientIp: row.client_ip,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    sentAt: row.sent_at,
    nextAttemptAt: row.next_attempt_at,
    unconfirmed: Boolean(row.unconfirmed_since),
    // Rows from before migration 0006 have the column's default, 'email'; anything else is not Plex.
    joinedWith: row.joined_with === 'plex' ? 'plex' : 'email',
    plexAccountId: row.plex_account_id ?? null,
    joinStep: row.join_step ?? null,
  };
}

/** Only these can be sent again by hand; the others are settled. */
export const isRetryable = (status: InvitationStatus): boolean => status === 'pending' || status === 'failed';

/**
 * Whether "Retry now" can succeed: pending ones, and failed ones unless Plex refused for good (the
 * owner's own account, an account Plex does not know): the same invite would be refused again.
 */
export const canRetryNow = (view: Pick<InvitationView, 'status' | 'errorKind' | 'error'>): boolean =>
  view.status === 'pending' || (view.status === 'failed' && failureWords(view.errorKind, view.error).retryable);

/** Statuses where someone has access, or an invite waiting in Plex. */
const WITH_ACCESS: ReadonlySet<InvitationStatus> = new Set(['sent', 'accepted', 'already_shared', 'already_invited']);

/**
 * Whether someone may have access (or an invite) to take away: sent, accepted or already there; a
 * request not sent yet or failed only when an attempt may have reached Plex unseen, or when a Plex
 * sign-in's job is past its share step (the share exists while it accepts and verifies).
 */
export const hasAccessToRevoke = (view: Pick<InvitationView, 'status' | 'unconfirmed' | 'joinStep'>): boolean =>
  WITH_ACCESS.has(view.status) ||
  ((view.status === 'pending' || view.status === 'failed') && (view.unconfirmed || view.joinStep === 'accept' || view.joinStep === 'verify'));

/** How the friend joined, as the admin pages say it. */
export const JOINED_WITH_LABELS: Record<JoinedWith, string> = {
  plex: 'Plex sign-in',
  email: 'Email form',
};

/** What `sent` and `accepted` mean, since both are invites that reached Plex: shown beside their badges. */
export const STATUS_MEANINGS: Readonly<Record<'sent' | 'accepted', string>> = {
  sent: 'the libraries are shared, and the invite waits for the friend to accept it in Plex.',
  accepted: 'the friend signed in with Plex and Helpr accepted the invite for them, so they can watch now.',
};

/** "Sent: the libraries are shared, ...", for a badge's title; undefined for the statuses that say it all. */
export const statusMeaning = (status: InvitationStatus): string | undefined =>
  status === 'sent' || status === 'accepted' ? `${STATUS_LABELS[status]}: ${STATUS_MEANINGS[status]}` : undefined;

export { STATUS_BADGES, STATUS_LABELS };
