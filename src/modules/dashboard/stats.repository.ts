import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { InvitationStatus } from '../../db/schema.js';

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

export type LatestInvitation = { id: string; identifier: string; status: InvitationStatus; created_at: string };

// Timestamps are ISO text everywhere, so the first 10 characters are the UTC day on both dialects.
// No bound parameters in it: PostgreSQL must see the same expression in SELECT and GROUP BY.
const createdDay = sql<string>`substr(created_at, 1, 10)`;

/**
 * The dashboard's aggregate reads: each is ONE statement however many invitations there are
 * (PostgreSQL returns counts and sums as strings, hence Number()).
 */
export function createStatsRepository(db: Db) {
  return {
    /** Per status: all-time total and the counts since each window start, in one pass. */
    async countsByStatus(starts: WindowStarts): Promise<StatusWindowCounts[]> {
      const since = (from: string) => sql<string>`sum(case when created_at >= ${from} then 1 else 0 end)`;
      const rows = await db
        .selectFrom('invitations')
        .select((eb) => [
          'status',
          eb.fn.countAll<string>().as('total'),
          since(starts.today).as('today'),
          since(starts.week).as('week'),
          since(starts.month).as('month'),
        ])
        .groupBy('status')
        .execute();
      return rows.map((row) => ({
        status: row.status,
        total: Number(row.total),
        today: Number(row.today ?? 0),
        week: Number(row.week ?? 0),
        month: Number(row.month ?? 0),
      }));
    },

    /** Requests per UTC day and status since `from` (days without requests are absent). */
    async countsPerDay(from: string): Promise<DayStatusCount[]> {
      const rows = await db
        .selectFrom('invitations')
        .select((eb) => [createdDay.as('day'), 'status', eb.fn.countAll<string>().as('count')])
        .where('created_at', '>=', from)
        .groupBy([createdDay, 'status'])
        .execute();
      return rows.map((row) => ({ day: row.day, status: row.status, count: Number(row.count) }));
    },

    latest(limit: number): Promise<LatestInvitation[]> {
      return db
        .selectFrom('invitations')
        .select(['id', 'identifier', 'status', 'created_at'])
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
    },
  };
}

export type StatsRepository = ReturnType<typeof createStatsRepository>;
