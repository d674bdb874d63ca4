import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { InvitationStatus, JoinedWith } from '../../db/schema.js';

/** Start of each counting window, as ISO-8601 UTC text (timestamps are stored the same way). */
export interface WindowStarts {
  today: string;
  week: string;
  month: string;
}

export interface StatusWindowCounts {
  status: InvitationStatus;
  total: number;
  today: number;
  week: number;
  month: number;
}

export interface DayStatusCount {
  day: string;
  status: InvitationStatus;
  count: number;
}

/** joined_with: the dashboard marks a Plex sign-in (its identifier is the Plex account's name, not something typed). */
export type LatestInvitation = { id: string; identifier: string; status: InvitationStatus; joined_with?: JoinedWith; created_at: string };
export type AwaitingInvitation = { id: string; identifier: string; source: 'public' | 'admin' | 'api'; joined_with?: JoinedWith; client_ip: string | null; created_at: string };

const dayOf = (iso: string) => iso.slice(0, 10);

/**
 * The dashboard's aggregate reads, from the per-day counts the database keeps up to date
 * (invitation_daily_counts, migration 0003): a few hundred rows to sum however many invitations
 * there are. PostgreSQL returns sums as strings, hence Number(). The triggers count whatever status
 * a row has, so a status added later (accepted, migration 0006) is counted with no change here.
 */
export function createStatsRepository(db: Db) {
  return {
    /** Per status: all-time total and the counts since each window start, in one statement. */
    async countsByStatus(starts: WindowStarts): Promise<StatusWindowCounts[]> {
      const since = (from: string) => sql<string>`sum(case when day >= ${dayOf(from)} then count else 0 end)`;
      const rows = await db
        .selectFrom('invitation_daily_counts')
        .select((eb) => [
          'status',
          eb.fn.sum<string>('count').as('total'),
          since(starts.today).as('today'),
          since(starts.week).as('week'),
          since(starts.month).as('month'),
        ])
        .groupBy('status')
        .execute();
      return rows.map((row) => ({
        status: row.status,
        total: Number(row.total ?? 0),
        today: Number(row.today ?? 0),
        week: Number(row.week ?? 0),
        month: Number(row.month ?? 0),
      }));
    },

    /** Requests per UTC day and status since `from` (days without requests are absent). */
    async countsPerDay(from: string): Promise<DayStatusCount[]> {
      const rows = await db
        .selectFrom('invitation_daily_counts')
        .select(['day', 'status', 'count'])
        .where('day', '>=', dayOf(from))
        .where('count', '>', 0)
        .execute();
      return rows.map((row) => ({ day: row.day, status: row.status, count: Number(row.count) }));
    },

    /**
     * Requests per status in each range [bounds[i], bounds[i + 1]) of creation times (ISO-8601 UTC
     * text): one grouped statement over the invitations themselves, for days that are not UTC days
     * (the owner's local days, which the per-UTC-day table cannot be regrouped into). The range scan
     * uses invitations_created_at_idx (created_at, status), so it reads only the rows in the ranges.
     */
    async countsPerRange(bounds: string[]): Promise<Array<{ range: number; status: InvitationStatus; count: number }>> {
      if (bounds.length < 2) return [];
      const whens = bounds.slice(1).map((end, index) => sql`when created_at < ${end} then ${sql.lit(index)}`);
      const ranged = db
        .selectFrom('invitations')
        .select([sql<number>`case ${sql.join(whens, sql` `)} end`.as('range'), 'status'])
        .where('created_at', '>=', bounds[0]!)
        .where('created_at', '<', bounds.at(-1)!)
        .as('ranged');
      const rows = await db
        .selectFrom(ranged)
        .select((eb) => ['range', 'status', eb.fn.countAll<string>().as('count')])
        .groupBy(['range', 'status'])
        .execute();
      return rows.map((row) => ({ range: Number(row.range), status: row.status, count: Number(row.count) }));
    },

    /** Requests waiting for the owner's approval, oldest first (the order they came in). */
    awaitingApproval(limit: number): Promise<AwaitingInvitation[]> {
      return db
        .selectFrom('invitations')
        .select(['id', 'identifier', 'source', 'joined_with', 'client_ip', 'created_at'])
        .where('status', '=', 'awaiting_approval')
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
    },

    latest(limit: number): Promise<LatestInvitation[]> {
      return db
        .selectFrom('invitations')
        .select(['id', 'identifier', 'status', 'joined_with', 'created_at'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
  };
}

export type StatsRepository = ReturnType<typeof createStatsRepository>;
