import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { InviteCodesTable, InviteCodeUsesTable } from '../../db/schema.js';

export type InviteCodeRow = Selectable<InviteCodesTable>;
export type NewInviteCodeRow = Insertable<InviteCodesTable>;
export type InviteCodeUseRow = InviteCodeUsesTable;

/**
 * Invite codes and their uses. Create it with a transaction (`createInviteCodesRepository(trx)`) to
 * run these statements inside one.
 */
export function createInviteCodesRepository(db: Db) {
  return {
    async insert(row: NewInviteCodeRow): Promise<void> {
      await db.insertInto('invite_codes').values(row).execute();
    },

    findByNormalized(codeNormalized: string): Promise<InviteCodeRow | undefined> {
      return db.selectFrom('invite_codes').selectAll().where('code_normalized', '=', codeNormalized).executeTakeFirst();
    },

    findById(id: string): Promise<InviteCodeRow | undefined> {
      return db.selectFrom('invite_codes').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * Takes one use if the code is still usable, in a single conditional statement so concurrent
     * redemptions cannot overshoot max_uses. True when this call got the use.
     */
    async claimUse(codeId: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('invite_codes')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('id', '=', codeId)
        .where('revoked', '=', 0)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', nowIso)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Gives a use back (compensation when a later step fails outside a rolled-back transaction). */
    async releaseUse(codeId: string): Promise<boolean> {
      const result = await db
        .updateTable('invite_codes')
        .set((eb) => ({ uses: eb('uses', '-', 1) }))
        .where('id', '=', codeId)
        .where('uses', '>', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The invitation row must exist first (foreign key). */
    async recordUse(row: InviteCodeUseRow): Promise<void> {
      await db.insertInto('invite_code_uses').values(row).execute();
    },

    async countUses(codeId: string): Promise<number> {
      const row = await db
        .selectFrom('invite_code_uses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('code_id', '=', codeId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** False when the code does not exist or was already revoked. */
    async revoke(id: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('invite_codes')
        .set({ revoked: 1, revoked_at: nowIso })
        .where('id', '=', id)
        .where('revoked', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Newest first; `uses` on each row is the claimed-use counter. */
    list(options: { limit: number; offset: number }): Promise<InviteCodeRow[]> {
      return db
        .selectFrom('invite_codes')
        .selectAll()
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit)
        .offset(options.offset)
        .execute();
    },

    async count(): Promise<number> {
      const row = await db.selectFrom('invite_codes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type InviteCodesRepository = ReturnType<typeof createInviteCodesRepository>;
