import { AppError } from '../../errors.js';
import type { PlexIdentifier } from './identifier.js';
import type { InvitationRow } from './invitations.repository.js';
import { FRIEND_UNCONFIRMED, UNCONFIRMED_WORDS } from './plex-join-kinds.js';

/** A friend's Plex account, as their own token read it (the route reads it, Helpr never asks them). */
export interface PlexJoinAccount {
  id: number;
  uuid: string;
  username: string;
  email: string | null;
  /** Whether the account's email address is confirmed: Plex does not let it accept invites before. */
  confirmed: boolean;
}

export interface PlexJoinInput {
  account: PlexJoinAccount;
  /** The friend's Plex token: stored sealed for the job only, never logged, never shown. */
  friendToken: string;
  /** The invite code the friend typed or came with (checked as the email form checks it). */
  code?: unknown;
  /** The page already refused when rules are required and not accepted; true records when. */
  rulesAccepted: boolean;
  clientIp: string;
  userAgent: string | undefined;
}

/** Who the request is for: the account's username (as the admin knows friends), its email when it has none. */
export function plexJoinIdentifier(account: PlexJoinAccount): PlexIdentifier {
  const username = account.username.trim();
  if (username !== '') return { value: username, normalized: username.toLowerCase(), kind: username.includes('@') ? 'email' : 'username' };
  const email = account.email?.trim().toLowerCase() ?? '';
  if (email !== '') return { value: email, normalized: email, kind: 'email' };
  throw new AppError('invite.plex_account_unnamed', 'Plex did not say which account you signed in with. Press Continue with Plex to try again, or ask with your email address.', {
    status: 400,
  });
}

/** The row a Plex join starts as: at the share step, for the account id, with what the friend chose. */
export function plexJoinRow(
  input: PlexJoinInput,
  base: Pick<InvitationRow, 'id' | 'code_id' | 'libraries' | 'access_days' | 'access_starts' | 'permissions' | 'status' | 'attempts' | 'next_attempt_at' | 'lease_owner' | 'lease_until' | 'created_at'>,
): InvitationRow {
  const identifier = plexJoinIdentifier(input.account);
  const confirmed = input.account.confirmed;
  return {
    ...base,
    identifier: identifier.value,
    identifier_normalized: identifier.normalized,
    identifier_kind: identifier.kind,
    source: 'public',
    // Known unconfirmed: the job reads the account again before it tries to accept (plex-join-steps.ts).
    last_error: confirmed ? null : UNCONFIRMED_WORDS,
    error_kind: confirmed ? null : FRIEND_UNCONFIRMED,
    plex_share_id: null,
    client_ip: input.clientIp,
    user_agent: input.userAgent?.slice(0, 300) ?? null,
    updated_at: base.created_at,
    sent_at: null,
    unconfirmed_since: null,
    joined_with: 'plex',
    plex_account_id: String(input.account.id),
    friend_email: input.account.email?.trim().toLowerCase() || null,
    join_step: 'share',
    accepted_at: null,
    rules_accepted_at: input.rulesAccepted ? base.created_at : null,
  };
}
