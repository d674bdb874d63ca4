import { Readable } from 'node:stream';
import { pageFromQuery } from '../../paging.js';
import { formatTime } from '../../time-format.js';
import { describePermissions } from '../access/access-terms.js';
import { csvLine } from '../invitations/admin-invitations.csv.js';
import { pageLinks } from '../invitations/admin-invitations.page.js';
import { SOURCE_LABELS, STATE_BADGES, STATE_LABELS, STATE_MEANINGS, USER_STATES, type UserState, type UserView } from './users.models.js';
import type { UserFilter, UserPage } from './users.service.js';
import type { SyncStatus } from './users-sync.js';
import type { ActionView } from './user-actions.service.js';

export const USERS_PER_PAGE = 50;
export const MAX_USER_SEARCH = 100;

/** The filter in a page's address: an unknown state is every state, the search is cut to 100 characters. */
export function userFilterFromQuery(query: Record<string, unknown>): { filter: UserFilter; page: number } {
  const state = typeof query.state === 'string' && (USER_STATES as readonly string[]).includes(query.state) ? (query.state as UserState) : undefined;
  const q = typeof query.q === 'string' ? query.q.trim().slice(0, MAX_USER_SEARCH) : '';
  return { filter: { state, q: q || undefined }, page: pageFromQuery(query.page) };
}

export function userFilterQuery(filter: UserFilter, page?: number): string {
  const params = new URLSearchParams();
  if (filter.state) params.set('state', filter.state);
  if (filter.q) params.set('q', filter.q);
  if (page !== undefined && page > 1) params.set('page', String(page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Library names for a person: by title where known, "all libraries" for a share of everything. */
export function userLibrariesText(user: Pick<UserView, 'libraries' | 'allLibraries'>, titles: Record<string, string>): string {
  if (user.allLibraries) return 'all libraries';
  if (user.libraries.length === 0) return 'none listed';
  return user.libraries.map((key) => titles[key] ?? `library ${key}`).join(', ');
}

/** The sync line above the list: when it last worked, and the warning when the last one changed nothing. */
export function syncSummary(sync: SyncStatus | undefined, zone: string | undefined) {
  return {
    never: sync === undefined,
    lastSuccess: sync?.lastSuccessAt ? formatTime(sync.lastSuccessAt, zone) : undefined,
    lastSuccessAt: sync?.lastSuccessAt ?? undefined,
    warning: sync?.warning ? { ...sync.warning, since: formatTime(sync.warning.at, zone) } : undefined,
  };
}

export function usersPageData(result: UserPage, filter: UserFilter, zone: string | undefined) {
  const href = (n: number) => `/admin/users${userFilterQuery(filter, n)}`;
  const withAccess = (result.counts.active ?? 0) + (result.counts.pending ?? 0);
  return {
    title: 'Users',
    section: '/admin/users',
    filter,
    ...pageLinks(result, href),
    withAccess,
    counts: result.counts,
    csvHref: `/admin/users.csv${userFilterQuery(filter)}`,
    back: href(result.page),
    states: [{ value: '', label: 'All' }, ...USER_STATES.map((value) => ({ value, label: STATE_LABELS[value] }))],
    legend: USER_STATES.map((state) => ({ label: STATE_LABELS[state], meaning: STATE_MEANINGS[state] })),
    sync: syncSummary(result.sync, zone),
    rows: result.items.map((user) => ({
      ...user,
      stateLabel: STATE_LABELS[user.state],
      stateMeaning: STATE_MEANINGS[user.state],
      badge: STATE_BADGES[user.state],
      sourceLabel: SOURCE_LABELS[user.source],
      librariesText: userLibrariesText(user, result.libraryTitles),
      sinceText: formatTime(user.since, zone),
      expiresText: user.expiresAt ? formatTime(user.expiresAt, zone) : undefined,
      lastSyncedText: user.lastSyncedAt ? formatTime(user.lastSyncedAt, zone) : undefined,
      removedText: user.removedAt ? formatTime(user.removedAt, zone) : undefined,
    })),
  };
}

const COLUMNS: Array<[header: string, value: (user: UserView, titles: Record<string, string>) => string | null]> = [
  ['id', (user) => user.id],
  ['username', (user) => user.username],
  ['email', (user) => user.email],
  ['plex_account_id', (user) => user.plexAccountId],
  ['state', (user) => user.state],
  ['source', (user) => user.source],
  ['libraries', (user, titles) => userLibrariesText(user, titles)],
  ['library_keys', (user) => user.libraries.join(' ')],
  ['since', (user) => user.since],
  ['expires_at', (user) => user.expiresAt],
  ['removed_at', (user) => user.removedAt],
  ['last_synced_at', (user) => user.lastSyncedAt],
  ['invitation_id', (user) => user.invitationId],
];

/** The users as CSV (ISO-8601 UTC times, as the API), read page by page as the client takes them. */
export function usersCsv(users: AsyncIterable<UserView>, titles: Record<string, string>): Readable {
  return Readable.from(
    (async function* lines() {
      yield csvLine(COLUMNS.map(([header]) => header));
      for await (const user of users) yield csvLine(COLUMNS.map(([, value]) => value(user, titles)));
    })(),
  );
}

const ACTION_NAMES: Record<ActionView['kind'], string> = {
  remove: 'Remove access',
  expire: 'Access ended (expiry)',
  libraries: 'Change libraries',
  resend: 'Send the invite again',
  restore: 'Give access back',
};
const ACTION_STATUS: Record<ActionView['status'], string> = { pending: 'in progress', done: 'done', failed: 'failed' };

/** Everything the page of one person shows: who, their access, what can be done now, and the latest changes. */
export function userDetailData(
  detail: { user: UserView; open: ActionView | undefined; recent: ActionView[] },
  titles: Record<string, string>,
  serverLibraries: Array<{ key: string; title: string }>,
  zone: string | undefined,
) {
  const { user } = detail;
  const hasAccess = user.state === 'active' || user.state === 'pending' || user.state === 'expiring';
  const action = (a: ActionView) => ({
    ...a,
    name: ACTION_NAMES[a.kind],
    statusText: ACTION_STATUS[a.status],
    created: formatTime(a.createdAt, zone),
    nextAttempt: a.nextAttemptAt ? formatTime(a.nextAttemptAt, zone) : undefined,
  });
  return {
    title: user.name,
    section: '/admin/users',
    user: {
      ...user,
      stateLabel: STATE_LABELS[user.state],
      stateMeaning: STATE_MEANINGS[user.state],
      badge: STATE_BADGES[user.state],
      sourceLabel: SOURCE_LABELS[user.source],
      librariesText: userLibrariesText(user, titles),
      permissionsText: user.permissions ? describePermissions(user.permissions) : 'not reported by Plex yet',
      sinceText: formatTime(user.since, zone),
      expiresText: user.expiresAt ? formatTime(user.expiresAt, zone) : undefined,
      lastSyncedText: user.lastSyncedAt ? formatTime(user.lastSyncedAt, zone) : undefined,
    },
    open: detail.open ? action(detail.open) : undefined,
    recent: detail.recent.map(action),
    // Actions are offered only when they apply and no other change is under way.
    canRemove: hasAccess && !detail.open,
    canResend: user.state === 'pending' && !detail.open,
    canRestore: (user.state === 'expired' || user.state === 'removed') && !detail.open,
    canChange: hasAccess && !detail.open,
    libraryChoices: serverLibraries.map((library) => ({ ...library, checked: user.libraries.includes(library.key) })),
  };
}
