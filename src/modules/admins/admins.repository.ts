import type { Db } from '../../db/database.js';
import type { AdminRole, AdminsTable } from '../../db/schema.js';

export type AdminRow = AdminsTable;

export function createAdminsRepository(db: Db) {
  return {
    async count(): Promise<number> {
      const row = await db.selectFrom('admins').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    findByUsername(usernameNormalized: string): Promise<AdminRow | undefined> {
      return db.selectFrom('admins').selectAll().where('username_normalized', '=', usernameNormalized).executeTakeFirst();
    },

    findById(id: string): Promise<AdminRow | undefined> {
      return db.selectFrom('admins').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Every admin, by name. */
    list(): Promise<AdminRow[]> {
      return db.selectFrom('admins').selectAll().orderBy('username_normalized').execute();
    },

    async countOwners(): Promise<number> {
      const row = await db.selectFrom('admins').select((eb) => eb.fn.countAll().as('n')).where('role', '=', 'owner').executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async setRole(id: string, role: AdminRole, at: string): Promise<boolean> {
      const result = await db.updateTable('admins').set({ role, updated_at: at }).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Removes the admin and their sessions together. */
    async remove(id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('sessions').where('admin_id', '=', id).execute();
        const result = await trx.deleteFrom('admins').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) === 1;
      });
    },

    async insert(admin: AdminRow): Promise<void> {
      await db.insertInto('admins').values(admin).execute();
    },

    async updatePassword(id: string, passwordHash: string, at: string): Promise<boolean> {
      const result = await db
        .updateTable('admins')
        .set({ password_hash: passwordHash, updated_at: at, password_changed_at: at })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type AdminsRepository = ReturnType<typeof createAdminsRepository>;
