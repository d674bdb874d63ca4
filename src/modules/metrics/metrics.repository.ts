import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** The figures /metrics reads from the database at each scrape (the same for every instance). */
export function createMetricsRepository(db: Db) {
  return {
    /** Invitations waiting to be sent (pending: queued or between retries), and the oldest one's creation. */
    async inviteQueue(): Promise<{ depth: number; oldest: string | null }> {
      const row = await db
        .selectFrom('invitations')
        .select([sql<number>`count(*)`.as('depth'), sql<string | null>`min(created_at)`.as('oldest')])
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return { depth: Number(row?.depth ?? 0), oldest: row?.oldest ?? null };
    },

    /** Notification deliveries by status (pending, held for a digest, delivered, dead). */
    async outbox(): Promise<Array<{ status: string; count: number }>> {
      const rows = await db.selectFrom('notification_deliveries').select(['status', sql<number>`count(*)`.as('count')]).groupBy('status').execute();
      return rows.map((row) => ({ status: row.status, count: Number(row.count) }));
    },
  };
}

export type MetricsRepository = ReturnType<typeof createMetricsRepository>;
