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

export const STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: 'Pending',
  sent: 'Sent',
  already_shared: 'Already shared',
  failed: 'Failed',
  revoked: 'Revoked',
};

/** Only these can be sent again by hand; the others are settled. */
export const isRetryable = (status: InvitationStatus): boolean => status === 'pending' || status === 'failed';

/** The same colours as the dashboard. */
export const STATUS_BADGES: Record<InvitationStatus, string> = {
  pending: 'text-bg-warning',
  sent: 'text-bg-success',
  already_shared: 'text-bg-info',
  failed: 'text-bg-danger',
  revoked: 'text-bg-secondary',
};
