import type { Db } from '../../db/database.js';

/** When a friend who asked with the email form accepted the house rules. */
export function createJoinRulesRepository(db: Db) {
  return {
    /** Only the first acceptance counts: a duplicate request within the window keeps the earlier time. */
    async recordAccepted(invitationId: string, at: string): Promise<void> {
      await db.updateTable('invitations').set({ rules_accepted_at: at }).where('id', '=', invitationId).where('rules_accepted_at', 'is', null).execute();
    },
  };
}

export type JoinRulesRepository = ReturnType<typeof createJoinRulesRepository>;
