import type { Generated } from 'kysely';
import type { NotificationChannelsTable, NotificationDeliveriesTable, NotificationEventsTable } from './schema-notifications.js';
export type { DeliveryStatus, NotificationChannelsTable, NotificationDeliveriesTable, NotificationEventsTable } from './schema-notifications.js';

/**
 * Row types. Portable across SQLite and PostgreSQL: text ids made by the app, ISO-8601 UTC text
 * timestamps written by the app, 0/1 integers for booleans, JSON arrays in text columns.
 */

export type AdminRole = 'owner' | 'viewer';

export interface AdminsTable {
  id: string;
  username: string;
  username_normalized: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
  /** What the admin may do (modules/admins/admin-roles.ts). */
  role: AdminRole;
}

/** A one-time link for a new admin (modules/admins/admin-invites.ts). */
export interface AdminInvitesTable {
  id: string;
  token_hash: string;
  role: AdminRole;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
}

export interface SessionsTable {
  id: string;
  admin_id: string | null;
  data: string;
  created_at: string;
  expires_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: string;
}

export interface AuditLogTable {
  id: string;
  created_at: string;
  actor: string | null;
  actor_type: string;
  action: string;
  target: string | null;
  details: string | null;
  ip: string | null;
}

/**
 * sent: the share exists and waits for the friend to accept it in Plex. accepted: a friend who joined
 * with Plex was shared and accepted by Helpr, and can watch now (migration 0006).
 * awaiting_approval: join mode "approval", the owner has not decided yet (never sent, never claimed
 * by the retry worker); approving makes it pending. declined: the owner said no; never sent.
 * already_invited: Plex already had an invite for this person that they have not accepted yet (not access).
 */
export type InvitationStatus = 'awaiting_approval' | 'pending' | 'sent' | 'accepted' | 'already_shared' | 'already_invited' | 'failed' | 'declined' | 'revoked';

export interface InvitationsTable {
  id: string;
  identifier: string;
  identifier_normalized: string;
  identifier_kind: 'email' | 'username';
  source: 'public' | 'admin' | 'api';
  code_id: string | null;
  libraries: string;
  status: InvitationStatus;
  attempts: Generated<number>;
  last_error: string | null;
  /** PlexError kind or a Helpr reason (no_libraries, not_connected, library_missing, gave_up). */
  error_kind: string | null;
  plex_share_id: string | null;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  client_ip: string | null;
  user_agent: string | null;
  created_at: string;
  updated_at: string;
  sent_at: string | null;
  /**
   * Set when an attempt may have reached Plex without its outcome being recorded (migration 0004);
   * never cleared: later attempts look for the share first and take "already sharing" as sent.
   */
  unconfirmed_since: string | null;
  /** When the owner approved the request (migration 0005); retries give up 24 hours after it. */
  approved_at?: string | null;
  /** How the friend asked (migration 0006): typed an email or username, or signed in with Plex. */
  joined_with?: JoinedWith;
  /** The friend's plex.tv account id, when known (always for joined_with 'plex'). */
  plex_account_id?: string | null;
  /** Join with Plex: the step the durable job is at; null for email requests and once it ended. */
  join_step?: JoinStep | null;
  /** When Helpr accepted the invite as the friend (status accepted). */
  accepted_at?: string | null;
  /** When the friend accepted the owner's house rules, where the owner asks for it. */
  rules_accepted_at?: string | null;
  /** The access terms and permissions the request was made under (migration 0009); null: forever, the settings' permissions. */
  access_days?: number | null;
  access_starts?: string | null;
  permissions?: string | null;
  /** A Plex join's account email (migration 0010), for the friend's emails. */
  friend_email?: string | null;
}

export type JoinedWith = 'email' | 'plex';
/** share: give the libraries; accept: accept the invite as the friend; verify: nothing left pending. */
export type JoinStep = 'share' | 'accept' | 'verify';

/** A friend's Plex token, encrypted with the secret key, kept only while their join job runs. */
export interface FriendTokensTable {
  invitation_id: string;
  token_encrypted: string;
  created_at: string;
}

/**
 * A "Continue with Plex" in progress: the plex.tv PIN and what the friend chose before it (code,
 * rules). `id` is Helpr's own unguessable id, the only thing the browser knows. `outcome` is set
 * once the sign-in ended (a JSON object the page shows); `invitation_id` once it made a request.
 */
export interface PlexJoinPinsTable {
  id: string;
  pin_id: string;
  pin_code: string;
  invite_code: string | null;
  rules_accepted: Generated<number>;
  invitation_id: string | null;
  outcome: string | null;
  client_ip: string | null;
  user_agent: string | null;
  created_at: string;
  expires_at: string;
}

export interface InviteCodesTable {
  id: string;
  code: string;
  code_normalized: string;
  label: string | null;
  expires_at: string | null;
  max_uses: number | null;
  uses: Generated<number>;
  libraries: string | null;
  /** The code's own access terms (migration 0009): days (null = forever) from access_starts; both null = the default settings. */
  access_days: Generated<number | null>;
  access_starts: Generated<string | null>;
  /** The code's own permissions, JSON; null = the default settings. */
  permissions: Generated<string | null>;
  revoked: Generated<number>;
  revoked_at: string | null;
  created_by: string | null;
  created_at: string;
}

export interface InviteCodeUsesTable {
  id: string;
  code_id: string;
  invitation_id: string;
  used_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  created_by: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Maintained by triggers (migration 0003): requests per UTC day and current status. */
export interface InvitationDailyCountsTable {
  day: string;
  status: InvitationStatus;
  count: number;
}

/**
 * Who has access (migration 0007). pending: an invite waits for the friend; active: they can watch;
 * expired: Helpr ended a time-limited access; removed: the access is gone (removed in Plex, by the
 * owner through Helpr, or the friend left). "Expiring" is active with an expiry date soon (not stored).
 */
export type PlexUserState = 'pending' | 'active' | 'expired' | 'removed';
/** helpr: came through a Helpr request; plex: has access that was given in Plex itself. */
export type PlexUserSource = 'helpr' | 'plex';

export interface PlexUsersTable {
  id: string;
  plex_key: string;
  plex_account_id: string | null;
  username: string | null;
  email: string | null;
  search_text: string;
  state: PlexUserState;
  source: PlexUserSource;
  invitation_id: string | null;
  /** JSON array of the media server's local section keys, as plex.tv reports the share. */
  libraries: string;
  all_libraries: number;
  /** plex.tv's v2 shared-server id of the share or pending invite (what E7c and E8c take). */
  share_id: string | null;
  invited_at: string | null;
  accepted_at: string | null;
  expires_at: string | null;
  removed_at: string | null;
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
  /** What plex.tv reports the share allows (JSON, migration 0009); null until a sync read it. */
  permissions: Generated<string | null>;
  /** The end of access the owner was told is near (migration 0010): once per end date. */
  expiry_notice_for: Generated<string | null>;
}

/** A job that runs on one instance at a time (migration 0007): who holds it, until when, and its last run. */
export interface JobLeasesTable {
  name: string;
  owner: string | null;
  lease_until: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
}

/**
 * remove: end the access (or cancel the invite); expire: the same, by the expiry job; libraries:
 * change the share's libraries; resend: cancel the invite and send it again; restore: share again
 * with someone removed or expired.
 */
export type UserActionKind = 'remove' | 'expire' | 'libraries' | 'resend' | 'restore';

/** An owner's change to someone's access, a durable job (migration 0008). */
export interface UserActionsTable {
  id: string;
  user_id: string;
  kind: UserActionKind;
  /** JSON: `{ libraries: [local keys] }` for libraries and restore. */
  payload: string | null;
  status: 'pending' | 'done' | 'failed';
  open_key: string | null;
  attempts: Generated<number>;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  last_error: string | null;
  actor: string | null;
  actor_type: string;
  created_at: string;
  updated_at: string;
  done_at: string | null;
}

export interface Database {
  admins: AdminsTable;
  admin_invites: AdminInvitesTable;
  sessions: SessionsTable;
  settings: SettingsTable;
  audit_log: AuditLogTable;
  invitations: InvitationsTable;
  invite_codes: InviteCodesTable;
  invite_code_uses: InviteCodeUsesTable;
  api_keys: ApiKeysTable;
  invitation_daily_counts: InvitationDailyCountsTable;
  friend_tokens: FriendTokensTable;
  plex_join_pins: PlexJoinPinsTable;
  plex_users: PlexUsersTable;
  job_leases: JobLeasesTable;
  user_actions: UserActionsTable;
  notification_channels: NotificationChannelsTable;
  notification_events: NotificationEventsTable;
  notification_deliveries: NotificationDeliveriesTable;
}
