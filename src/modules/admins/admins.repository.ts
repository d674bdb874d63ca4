import type { Db } from '../../db/database.js';
import type { AdminsTable } from '../../db/schema.js';

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
