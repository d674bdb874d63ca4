import type { InvitationStatus } from '../../db/schema.js';
import type { InvitationListRow } from './admin-invitations.repository.js';

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
  };
}

/** Only these can be sent again by hand; the others are settled. */
export const isRetryable = (status: InvitationStatus): boolean => status === 'pending' || status === 'failed';

export { STATUS_BADGES, STATUS_LABELS } from './invitation-status.js';
