import type { InvitationStatus } from '../../db/schema.js';
import type { InvitationListRow } from './admin-invitations.repository.js';
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

/**
 * Whether someone may have access (or an invite) to take away: sent or already there; a request
 * not sent yet or failed only when an attempt may have reached Plex unseen.
 */
export const hasAccessToRevoke = (view: Pick<InvitationView, 'status' | 'unconfirmed'>): boolean =>
  view.status === 'sent' || view.status === 'already_shared' || view.status === 'already_invited' || ((view.status === 'pending' || view.status === 'failed') && view.unconfirmed);

export { STATUS_BADGES, STATUS_LABELS } from './invitation-status.js';
