import type { PlexPendingInvite, PlexSharedServer } from '../../plex/plex.schemas.js';
import { permissionsOf, type Permissions } from '../access/access-terms.js';
import { plexTimeOf } from '../../plex/plex.schemas.js';

/** One person plex.tv lists for the owner's server: an accepted share or a pending invite. */
export interface SeenPerson {
  /** `account:<plex.tv id>`, or `email:<address>` for an invite to an address with no account yet. */
  key: string;
  accountId: string | null;
  username: string | null;
  email: string | null;
  state: 'active' | 'pending';
  /** The media server's local section keys of the share. */
  libraries: string[];
  allLibraries: boolean;
  shareId: string;
  invitedAt: string | null;
  /** What the share allows as plex.tv reports it; null when it does not say. */
  permissions: Permissions | null;
}

type Invited = { id?: number | null; username?: string | null; title?: string | null; email?: string | null } | null | undefined;

const text = (value: string | null | undefined): string | null => (value && value.trim() !== '' ? value.trim() : null);

export function personKey(accountId: string | null, email: string | null): string | null {
  if (accountId !== null) return `account:${accountId}`;
  return email !== null ? `email:${email.toLowerCase()}` : null;
}

function person(
  entry: { id: number; invitedId?: number | null; invitedEmail?: string | null; invited?: Invited; allLibraries?: boolean | null; invitedAt?: string | number | null; createdAt?: string | number | null; libraries?: Array<{ id: number; key?: number | null }> | null; sharingSettings?: Record<string, unknown> | null },
  state: SeenPerson['state'],
  outer?: { invitedEmail?: string | null; invited?: Invited; createdAt?: string | number | null },
): SeenPerson | undefined {
  const invited = entry.invited ?? outer?.invited;
  const id = entry.invitedId ?? invited?.id;
  const accountId = id === null || id === undefined ? null : String(id);
  const email = text(invited?.email ?? entry.invitedEmail ?? outer?.invitedEmail)?.toLowerCase() ?? null;
  const key = personKey(accountId, email);
  if (key === null) return undefined;
  const invitedAt = plexTimeOf(entry.invitedAt ?? entry.createdAt ?? outer?.createdAt);
  return {
    key,
    accountId,
    username: text(invited?.username ?? invited?.title),
    email,
    state,
    // A library plex.tv names only by its global id cannot be shown or changed by key: left out.
    libraries: (entry.libraries ?? []).flatMap((library) => (library.key === null || library.key === undefined ? [] : [String(library.key)])),
    allLibraries: entry.allLibraries === true,
    shareId: String(entry.id),
    invitedAt: invitedAt ? invitedAt.toISOString() : null,
    permissions: permissionsOf(entry.sharingSettings),
  };
}

/**
 * Everyone with access to one server (E6c) or an invite to it (E6d), one entry per person. An
 * accepted share wins over a pending invite of the same person (plex.tv may list both while an
 * update is on its way).
 */
export function peopleOnServer(accepted: PlexSharedServer[], pending: PlexPendingInvite[], machineIdentifier: string): SeenPerson[] {
  const byKey = new Map<string, SeenPerson>();
  for (const invite of pending) {
    for (const server of invite.sharedServers) {
      if (server.machineIdentifier && server.machineIdentifier !== machineIdentifier) continue;
      const seen = person(server, 'pending', invite);
      if (seen && !byKey.has(seen.key)) byKey.set(seen.key, seen);
    }
  }
  for (const share of accepted) {
    if (share.machineIdentifier && share.machineIdentifier !== machineIdentifier) continue;
    const seen = person(share, 'active');
    if (seen) byKey.set(seen.key, seen);
  }
  return [...byKey.values()];
}
