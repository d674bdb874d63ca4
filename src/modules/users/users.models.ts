import type { PlexUserSource, PlexUserState } from '../../db/schema.js';
import { storedPermissions, type Permissions } from '../access/access-terms.js';
import type { PlexUserRow } from './users.repository.js';

/** A stored state, or "expiring": active with access that ends within EXPIRING_DAYS. */
export type UserState = PlexUserState | 'expiring';
export const USER_STATES: readonly UserState[] = ['pending', 'active', 'expiring', 'expired', 'removed'];
export const EXPIRING_DAYS = 7;

export const STATE_LABELS: Record<UserState, string> = {
  pending: 'Invited',
  active: 'Active',
  expiring: 'Expiring',
  expired: 'Expired',
  removed: 'Removed',
};

export const STATE_MEANINGS: Record<UserState, string> = {
  pending: 'Plex sent the invite; the friend has not accepted it yet.',
  active: 'Can watch the shared libraries.',
  expiring: 'Can watch, until their access ends soon.',
  expired: 'Their access ran out and was removed; you can give it back.',
  removed: 'Has no access any more (removed in Plex or here, or they left).',
};

export const STATE_BADGES: Record<UserState, string> = {
  pending: 'text-bg-info',
  active: 'text-bg-success',
  expiring: 'text-bg-warning',
  expired: 'text-bg-secondary',
  removed: 'text-bg-light border',
};

export const SOURCE_LABELS: Record<PlexUserSource, string> = { helpr: 'Helpr', plex: 'Added in Plex' };

/** One person as pages and the API show them. */
export interface UserView {
  id: string;
  plexAccountId: string | null;
  username: string | null;
  email: string | null;
  /** The username, else the email, else the account id: what to call them. */
  name: string;
  state: UserState;
  source: PlexUserSource;
  invitationId: string | null;
  /** Local section keys. */
  libraries: string[];
  allLibraries: boolean;
  /** Since when they have access (accepted), or since the invite (pending), or since Helpr first saw them. */
  since: string;
  expiresAt: string | null;
  /** What their share allows beyond watching, as plex.tv last reported it; null until it did. */
  permissions: Permissions | null;
  removedAt: string | null;
  lastSyncedAt: string | null;
}

/** What to call someone: their username, else their email, else their Plex account id. */
export const displayName = (person: { username: string | null; email: string | null; plex_account_id?: string | null }) =>
  person.username ?? person.email ?? (person.plex_account_id ? `Plex account ${person.plex_account_id}` : 'someone');

export const expiringBefore = (now: Date): string => new Date(now.getTime() + EXPIRING_DAYS * 86_400_000).toISOString();

export function toUserView(row: PlexUserRow, now: Date): UserView {
  const expiring = row.state === 'active' && row.expires_at !== null && row.expires_at < expiringBefore(now);
  return {
    id: row.id,
    plexAccountId: row.plex_account_id,
    username: row.username,
    email: row.email,
    name: displayName(row),
    state: expiring ? 'expiring' : row.state,
    source: row.source,
    invitationId: row.invitation_id,
    libraries: JSON.parse(row.libraries) as string[],
    allLibraries: row.all_libraries === 1,
    since: row.accepted_at ?? row.invited_at ?? row.created_at,
    expiresAt: row.expires_at,
    permissions: storedPermissions(row.permissions) ?? null,
    removedAt: row.removed_at,
    lastSyncedAt: row.last_synced_at,
  };
}
