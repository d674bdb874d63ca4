import type { Clock } from '../../clock.js';
import { librariesSoon } from '../invitations/admin-invitations.service.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import { expiringBefore, toUserView, type UserState, type UserView } from './users.models.js';
import type { UsersRepository } from './users.repository.js';
import type { SyncStatus, UsersSync } from './users-sync.js';

export interface UserFilter {
  state?: UserState;
  q?: string;
}

export interface UserPage {
  items: UserView[];
  total: number;
  page: number;
  perPage: number;
  /** How many people are in each state (expiring counted inside active). */
  counts: Record<string, number>;
  sync: SyncStatus | undefined;
  /** Library titles by local key, when Plex answered (or cached). */
  libraryTitles: Record<string, string>;
}

/** The owner's view of who has access: the list, its export, and a sync on demand. */
export function createUsersService(deps: { users: UsersRepository; sync: UsersSync; mapping: LibraryMapping; clock: Clock }) {
  const query = (filter: UserFilter) => ({ state: filter.state, q: filter.q, expiringBefore: expiringBefore(deps.clock.now()) });

  /** Titles by local key: cached, or asked for briefly (none when Plex is slow or away; keys show then). */
  async function libraryTitles(): Promise<Record<string, string>> {
    return Object.fromEntries((await librariesSoon(deps.mapping)).map((library) => [library.key, library.title]));
  }

  return {
    async list(filter: UserFilter, page: number, perPage: number, knownTotal?: number): Promise<{ items: UserView[]; total: number }> {
      const now = deps.clock.now();
      const { rows, total } = await deps.users.list(query(filter), page, perPage, knownTotal);
      return { items: rows.map((row) => toUserView(row, now)), total };
    },

    /**
     * A page of the list with what the page shows around it: counts per state, the sync's status,
     * library names. Without words to search for, the counts per state give the total too.
     */
    async page(filter: UserFilter, page: number, perPage: number): Promise<UserPage> {
      const [counts, sync, titles] = await Promise.all([deps.users.countByState(), deps.sync.status(), libraryTitles()]);
      const all = Object.values(counts).reduce((sum, n) => sum + n, 0);
      const knownTotal = filter.q ? undefined : filter.state === undefined ? all : filter.state === 'expiring' ? undefined : (counts[filter.state] ?? 0);
      const list = await this.list(filter, page, perPage, knownTotal);
      return { ...list, page, perPage, counts, sync, libraryTitles: titles };
    },

    async *exportAll(filter: UserFilter): AsyncGenerator<UserView> {
      for await (const row of deps.users.stream(query(filter))) yield toUserView(row, deps.clock.now());
    },

    /** The person a request gave access to, as the last sync listed them; undefined before that. */
    async byInvitation(invitationId: string): Promise<UserView | undefined> {
      const row = await deps.users.findByInvitation(invitationId);
      return row ? toUserView(row, deps.clock.now()) : undefined;
    },

    libraryTitles,
    /** The server's libraries, for the libraries form (empty when Plex is slow or away). */
    serverLibraries: () => librariesSoon(deps.mapping),
    syncNow: () => deps.sync.runNow(),
    syncStatus: () => deps.sync.status(),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
