import type { Db } from '../../db/database.js';
import type { AuditLogTable } from '../../db/schema.js';

export type AuditRow = AuditLogTable;

export function createAuditRepository(db: Db) {
  return {
    async insert(row: AuditRow): Promise<void> {
      await db.insertInto('audit_log').values(row).execute();
    },

    /** Newest first; `before` pages by (created_at, id) so equal times do not repeat rows. */
    async list(options: { limit: number; offset?: number; action?: string }): Promise<AuditRow[]> {
      let query = db.selectFrom('audit_log').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit);
      if (options.action) query = query.where('action', 'like', `${options.action}%`);
      if (options.offset) query = query.offset(options.offset);
      return query.execute();
    },

    async count(action?: string): Promise<number> {
      let query = db.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n'));
      if (action) query = query.where('action', 'like', `${action}%`);
      return Number((await query.executeTakeFirstOrThrow()).n);
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
