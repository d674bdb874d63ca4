import crypto from 'node:crypto';
import type { Db } from '../../src/db/database.js';
import type { InvitationRow } from '../../src/modules/invitations/invitations.repository.js';

/** An invitation row as the public flow would have stored it; tests override what they look at. */
export function invitationRow(overrides: Partial<InvitationRow> = {}): InvitationRow {
  const identifier = overrides.identifier ?? `friend-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const at = overrides.created_at ?? '2026-11-20T10:00:00.000Z';
  return {
    id: crypto.randomBytes(12).toString('base64url'),
    identifier,
    identifier_normalized: identifier.toLowerCase(),
    identifier_kind: identifier.includes('@') ? 'email' : 'username',
    source: 'public',
    code_id: null,
    libraries: '["1","2"]',
    status: 'sent',
    attempts: 1,
    last_error: null,
    error_kind: null,
    plex_share_id: null,
    next_attempt_at: null,
    lease_owner: null,
    lease_until: null,
    client_ip: '198.51.100.7',
    user_agent: 'vitest',
    created_at: at,
    updated_at: at,
    sent_at: overrides.status === undefined || overrides.status === 'sent' ? at : null,
    unconfirmed_since: null,
    ...overrides,
  };
}

/** Many rows at once (chunked: SQLite limits the parameters of one statement). */
export async function insertMany(db: Db, rows: InvitationRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('invitations').values(rows.slice(i, i + 500)).execute();
}
