import type { Db } from '../../db/database.js';
import type { SessionsTable } from '../../db/schema.js';

export function createSessionsRepository(db: Db) {
  return {
    findLive(id: string, now: string): Promise<SessionsTable | undefined> {
      return db.selectFrom('sessions').selectAll().where('id', '=', id).where('expires_at', '>', now).executeTakeFirst();
    },

    async upsert(row: SessionsTable): Promise<void> {
      await db
        .insertInto('sessions')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ data: row.data, admin_id: row.admin_id, expires_at: row.expires_at }))
        .execute();
    },

    /** An admin's sessions that have not expired. */
    liveForAdmin(adminId: string, now: string): Promise<SessionsTable[]> {
      return db.selectFrom('sessions').selectAll().where('admin_id', '=', adminId).where('expires_at', '>', now).execute();
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },

    /** Ends every session of an admin except one (a password change keeps the current one). */
    async deleteForAdmin(adminId: string, exceptId?: string): Promise<number> {
      let query = db.deleteFrom('sessions').where('admin_id', '=', adminId);
      if (exceptId) query = query.where('id', '!=', exceptId);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async deleteExpired(now: string): Promise<number> {
      const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
