import type { Db } from '../../db/database.js';
import type { InvitationStatus } from '../../db/schema.js';

/** A friend's token is kept only while its join job may still run: pending, or waiting for the owner. */
export const TOKEN_KEEPING_STATUSES: readonly InvitationStatus[] = ['pending', 'awaiting_approval'];

/**
 * The friends' Plex tokens (encrypted by the caller, never in plain text here), one per join
 * request, kept only while its job may still run. Every end of a job deletes its row in the same
 * transaction as the status (invitations.repository.ts completeJoin, the owner's decline and
 * revoke); `sweep` removes any left over all the same.
 */
export function createFriendTokensRepository(db: Db) {
  return {
    async insert(invitationId: string, tokenEncrypted: string, now: string): Promise<void> {
      await db.insertInto('friend_tokens').values({ invitation_id: invitationId, token_encrypted: tokenEncrypted, created_at: now }).execute();
    },

    /**
     * Stores a newer token for a request whose job may still run (the friend signed in again): a
     * request that ended meanwhile gets none. The request's row is locked first by a conditional
     * update: a job ending at that moment (its status and the token's deletion commit together) is
     * either waited for, and then nothing is stored, or waits for this. (An INSERT ... SELECT alone
     * reads the old status on PostgreSQL, waits for the deleted token row and then inserts, leaving
     * a token behind an ended job.) False when nothing was stored.
     */
    async replace(invitationId: string, tokenEncrypted: string, now: string): Promise<boolean> {
      const store = async (trx: Db): Promise<boolean> => {
        const running = await trx
          .updateTable('invitations')
          .set((eb) => ({ updated_at: eb.ref('updated_at') }))
          .where('id', '=', invitationId)
          .where('status', 'in', [...TOKEN_KEEPING_STATUSES])
          .executeTakeFirst();
        if (Number(running.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('friend_tokens')
          .values({ invitation_id: invitationId, token_encrypted: tokenEncrypted, created_at: now })
          .onConflict((oc) => oc.column('invitation_id').doUpdateSet({ token_encrypted: tokenEncrypted, created_at: now }))
          .execute();
        return true;
      };
      return db.isTransaction ? store(db) : db.transaction().execute(store);
    },

    async find(invitationId: string): Promise<string | undefined> {
      const row = await db.selectFrom('friend_tokens').select('token_encrypted').where('invitation_id', '=', invitationId).executeTakeFirst();
      return row?.token_encrypted;
    },

    async delete(invitationId: string): Promise<boolean> {
      const result = await db.deleteFrom('friend_tokens').where('invitation_id', '=', invitationId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Deletes every token whose request can no longer run a job (ended, or gone); returns how many. */
    async sweep(): Promise<number> {
      const result = await db
        .deleteFrom('friend_tokens')
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('invitations')
                .select('invitations.id')
                .whereRef('invitations.id', '=', 'friend_tokens.invitation_id')
                .where('invitations.status', 'in', [...TOKEN_KEEPING_STATUSES]),
            ),
          ),
        )
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type FriendTokensRepository = ReturnType<typeof createFriendTokensRepository>;
