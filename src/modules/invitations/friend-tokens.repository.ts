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
     * Stores a newer token for a request whose job may still run (the friend signed in again), in
     * one statement: a request that ended meanwhile gets none. False when nothing was stored.
     */
    async replace(invitationId: string, tokenEncrypted: string, now: string): Promise<boolean> {
      const result = await db
        .insertInto('friend_tokens')
        .columns(['invitation_id', 'token_encrypted', 'created_at'])
        .expression((eb) =>
          eb
            .selectFrom('invitations')
            .select([eb.val(invitationId).as('invitation_id'), eb.val(tokenEncrypted).as('token_encrypted'), eb.val(now).as('created_at')])
            .where('id', '=', invitationId)
            .where('status', 'in', [...TOKEN_KEEPING_STATUSES]),
        )
        .onConflict((oc) => oc.column('invitation_id').doUpdateSet({ token_encrypted: tokenEncrypted, created_at: now }))
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
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
