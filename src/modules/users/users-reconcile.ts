import crypto from 'node:crypto';
import { accessEnd, type AccessTerms } from '../access/access-terms.js';
import type { SeenPerson } from './plex-people.js';
import { displayName } from './users.models.js';
import type { NewPlexUserRow, PlexUserRow } from './users.repository.js';

/** A Helpr request that reached Plex, to tell who came through Helpr. */
export interface RequestLink {
  invitationId: string;
  /** The email or username the friend typed, lower-cased, or the Plex account id of a Plex join. */
  identifier: string;
  accountId: string | null;
  /** The access terms of a request that made the share (sent or accepted through Helpr); none: no end. */
  terms?: AccessTerms;
  sentAt?: string | null;
  /** When Helpr accepted the invite for the friend (joined with Plex). */
  acceptedAt?: string | null;
  /** The friend joined with Plex: Helpr accepted for them (and said so then). */
  joinedWithPlex?: boolean;
}

/** When access under the request's terms ends, given when the friend accepted (null: not yet); undefined: no end known. */
const endOf = (link: RequestLink | undefined, acceptedAt: string | null): string | undefined =>
  link ? accessEnd(link.terms, { sentAt: link.sentAt ?? null, acceptedAt: link.acceptedAt ?? acceptedAt }) : undefined;

const permissionsJson = (person: SeenPerson) => (person.permissions ? JSON.stringify(person.permissions) : null);

/** What a sync changes about one person, as the audit log records it. */
export interface UserChange {
  userId: string;
  action: 'user.found' | 'user.accepted' | 'user.removed_in_plex' | 'user.shared_in_plex' | 'user.libraries_changed';
  name: string;
  details: Record<string, unknown>;
}

export interface Reconciled {
  inserts: NewPlexUserRow[];
  updates: Array<{ id: string; set: Partial<NewPlexUserRow> }>;
  changes: UserChange[];
}

const sameList = (a: string[], b: string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');


export const searchText = (username: string | null, email: string | null) => [username, email].filter(Boolean).join(' ').toLowerCase();

/** The Helpr request a person came through: by their Plex account id first, then by email or username. */
function linkOf(person: SeenPerson, links: { byAccount: Map<string, RequestLink>; byName: Map<string, RequestLink> }): RequestLink | undefined {
  return (
    (person.accountId !== null ? links.byAccount.get(person.accountId) : undefined) ??
    (person.email !== null ? links.byName.get(person.email) : undefined) ??
    (person.username !== null ? links.byName.get(person.username.toLowerCase()) : undefined)
  );
}

export function indexLinks(requests: RequestLink[]) {
  const byAccount = new Map<string, RequestLink>();
  const byName = new Map<string, RequestLink>();
  // Oldest first in, newest last: the newest request of a person wins.
  for (const request of requests) {
    if (request.accountId !== null) byAccount.set(request.accountId, request);
    byName.set(request.identifier, request);
  }
  return { byAccount, byName };
}

/**
 * Compares what plex.tv lists with what Helpr knows and says what to write: new people, changed
 * states and libraries, and the people who were there and are gone (removed). Pure: the caller
 * has already refused an empty or failed read.
 */
export function reconcile(local: PlexUserRow[], seen: SeenPerson[], requests: RequestLink[], nowIso: string): Reconciled {
  const byKey = new Map(local.map((row) => [row.plex_key, row]));
  const links = indexLinks(requests);
  const result: Reconciled = { inserts: [], updates: [], changes: [] };
  const touched = new Set<string>();

  for (const person of seen) {
    // An invite to an address is keyed by it until the friend has an account: then it moves to the account's key.
    const row = byKey.get(person.key) ?? (person.email !== null ? byKey.get(`email:${person.email}`) : undefined);
    const link = linkOf(person, links);
    if (!row) {
      const id = crypto.randomUUID();
      result.inserts.push({
        id,
        plex_key: person.key,
        plex_account_id: person.accountId,
        username: person.username,
        email: person.email,
        search_text: searchText(person.username, person.email),
        state: person.state,
        source: link ? 'helpr' : 'plex',
        invitation_id: link?.invitationId ?? null,
        libraries: JSON.stringify(person.libraries),
        all_libraries: person.allLibraries ? 1 : 0,
        share_id: person.shareId,
        invited_at: person.invitedAt,
        accepted_at: person.state === 'active' ? nowIso : null,
        expires_at: endOf(link, person.state === 'active' ? nowIso : null) ?? null,
        permissions: permissionsJson(person),
        removed_at: null,
        last_synced_at: nowIso,
        created_at: nowIso,
        updated_at: nowIso,
      });
      result.changes.push({ userId: id, action: 'user.found', name: displayName(person), details: { state: person.state, source: link ? 'helpr' : 'plex', libraries: person.libraries } });
      continue;
    }
    touched.add(row.id);
    const set: Partial<NewPlexUserRow> = {};
    if (row.plex_key !== person.key && !byKey.has(person.key)) set.plex_key = person.key;
    if (person.accountId !== null && row.plex_account_id !== person.accountId) set.plex_account_id = person.accountId;
    if (person.username !== null && row.username !== person.username) set.username = person.username;
    if (person.email !== null && row.email !== person.email) set.email = person.email;
    if (set.username !== undefined || set.email !== undefined) set.search_text = searchText(set.username ?? row.username, set.email ?? row.email);
    // Their access ended in Helpr and this is still the share that was removed (a list read just before the removal).
    const stale = (row.state === 'expired' || row.state === 'removed') && row.share_id === person.shareId;
    if (stale) continue;
    if (row.share_id !== person.shareId) set.share_id = person.shareId;
    const backAfterEnd = row.state === 'expired' || row.state === 'removed';
    // When they accepted in this period: now if this sync is the first to see it, else as recorded.
    const acceptedAt = person.state !== 'active' ? null : row.state === 'active' ? row.accepted_at : nowIso;
    // The latest Helpr request of this person (a friend who came back asked again).
    const newRequest = link !== undefined && row.invitation_id !== link.invitationId;
    if (newRequest) {
      set.invitation_id = link.invitationId;
      set.source = 'helpr';
      // A new request's terms start a new period (when they have an end), counted from its own moments.
      const end = endOf(link, acceptedAt);
      if (end !== undefined) set.expires_at = end;
      else if (backAfterEnd) set.expires_at = null;
      // Back and not accepted yet: this period's acceptance is still to come.
      if (backAfterEnd && person.state === 'pending') set.accepted_at = null;
    }
    const permissions = permissionsJson(person);
    if (permissions !== null && permissions !== row.permissions) set.permissions = permissions;
    const name = displayName({ ...row, ...set });
    const libraries = JSON.parse(row.libraries) as string[];
    if (!sameList(libraries, person.libraries) || (row.all_libraries === 1) !== person.allLibraries) {
      set.libraries = JSON.stringify(person.libraries);
      set.all_libraries = person.allLibraries ? 1 : 0;
      // Only a change made outside this sync is news; a first listing of libraries is not.
      if (row.state === person.state) result.changes.push({ userId: row.id, action: 'user.libraries_changed', name, details: { from: libraries, to: person.libraries } });
    }
    const state = person.state;
    if (state !== row.state) {
      set.state = state;
      set.removed_at = null;
      if (state === 'active') set.accepted_at = nowIso;
      // Back after an end without a new request: given back by the owner (here or in Plex), on purpose with no end.
      if (backAfterEnd && !newRequest) set.expires_at = null;
      // First accepted under its request: days counted from acceptance start, unless the owner already
      // set an end. Not after "give access back" (accepted before: the owner cleared the end on purpose).
      else if (row.state === 'pending' && state === 'active' && !newRequest && row.accepted_at === null && row.expires_at === null && link?.terms?.startsOn === 'accepted') {
        const end = endOf(link, nowIso);
        if (end !== undefined) set.expires_at = end;
      }
      const action = row.state === 'pending' && state === 'active' ? 'user.accepted' : 'user.shared_in_plex';
      // A Plex join's acceptance was told when Helpr accepted for the friend (invitation.accepted): not twice.
      result.changes.push({ userId: row.id, action, name, details: { from: row.state, to: state, ...(link?.joinedWithPlex ? { joinedWithPlex: true } : {}) } });
    }
    // Everyone listed gets their "last synced" in one statement afterwards; a row is written only when it changed.
    if (Object.keys(set).length > 0) result.updates.push({ id: row.id, set: { ...set, updated_at: nowIso } });
  }

  for (const row of local) {
    if (touched.has(row.id) || (row.state !== 'active' && row.state !== 'pending')) continue;
    result.updates.push({ id: row.id, set: { state: 'removed', removed_at: nowIso, last_synced_at: nowIso, updated_at: nowIso } });
    result.changes.push({ userId: row.id, action: 'user.removed_in_plex', name: displayName(row), details: { from: row.state } });
  }
  return result;
}
