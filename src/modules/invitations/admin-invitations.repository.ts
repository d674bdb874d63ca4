import { sql, type ExpressionBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database } from '../../db/schema.js';
import type { InvitationQuery } from './admin-invitations.filter.js';
import type { InvitationRow } from './invitations.repository.js';
import { REFUSED_FOR_GOOD_KINDS, UNREFINED_KINDS, failureWords } from './refusals.js';

/** An invitation as the admin sees it: with the invite code it used, if any. */
export type InvitationListRow = InvitationRow & { code: string | null };

/** Where a keyset page ends: the next page starts after this row (newest first). */
export interface ListCursor {
  createdAt: string;
  id: string;
}

/** `%` and `_` typed by the admin are searched for, not wildcards. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function createAdminInvitationsRepository(db: Db) {
  function filtered(query: InvitationQuery) {
    let select = db.selectFrom('invitations');
    if (query.status) select = select.where('invitations.status', '=', query.status);
    if (query.fromIso) select = select.where('invitations.created_at', '>=', query.fromIso);
    if (query.beforeIso) select = select.where('invitations.created_at', '<', query.beforeIso);
    if (query.contains) {
      // identifier_normalized is lower-case and so is `contains`: LIKE is case-blind on both dialects.
      // ESCAPE is spelled out because SQLite has no default escape character.
      select = select.where(sql<boolean>`${sql.ref('invitations.identifier_normalized')} like ${likePattern(query.contains)} escape '\\'`);
    }
    return select;
  }

  /**
   * Failed rows recorded before refusals were told apart: their kind is only 'rejected' or
   * 'not_found', and their stored error says whether a retry can help. Read once per action.
   */
  async function unrefinedRefusedForGood(): Promise<string[]> {
    const rows = await db
      .selectFrom('invitations')
      .select(['id', 'error_kind', 'last_error'])
      .where('status', '=', 'failed')
      .where('error_kind', 'in', [...UNREFINED_KINDS])
      .execute();
    return rows.filter((row) => !failureWords(row.error_kind, row.last_error).retryable).map((row) => row.id);
  }

  type Where = ExpressionBuilder<Database, 'invitations'>;

  /** Failed rows a retry can help: not refused for good, by kind (and the old rows' ids). */
  const retryableFailed = (refusedIds: string[]) => (eb: Where) =>
    eb.and([
      eb('status', '=', 'failed'),
      eb.or([eb('error_kind', 'is', null), eb('error_kind', 'not in', [...REFUSED_FOR_GOOD_KINDS])]),
      ...(refusedIds.length > 0 ? [eb('id', 'not in', refusedIds)] : []),
    ]);

  /** Failed rows a retry cannot help. */
  const refusedFailed = (refusedIds: string[]) => (eb: Where) =>
    eb.and([
      eb('status', '=', 'failed'),
      eb.or([eb('error_kind', 'in', [...REFUSED_FOR_GOOD_KINDS]), ...(refusedIds.length > 0 ? [eb('id', 'in', refusedIds)] : [])]),
    ]);

  const withCode = (query: InvitationQuery) =>
    filtered(query)
      .leftJoin('invite_codes', 'invite_codes.id', 'invitations.code_id')
      .selectAll('invitations')
      .select('invite_codes.code as code')
      .orderBy('invitations.created_at', 'desc')
      .orderBy('invitations.id', 'desc');

  return {
    /** One page, newest first. */
    list(query: InvitationQuery, page: { limit: number; offset: number }): Promise<InvitationListRow[]> {
      return withCode(query).limit(page.limit).offset(page.offset).execute();
    },

    async count(query: InvitationQuery): Promise<number> {
      const row = await filtered(query).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * The rows after `cursor` (newest first): pages by (created_at, id), so a long export costs the
     * same per page and rows added meanwhile are neither repeated nor skipped.
     */
    listAfter(query: InvitationQuery, cursor: ListCursor | undefined, limit: number): Promise<InvitationListRow[]> {
      let select = withCode(query);
      if (cursor) {
        select = select.where((eb) =>
          eb.or([
            eb('invitations.created_at', '<', cursor.createdAt),
            eb.and([eb('invitations.created_at', '=', cursor.createdAt), eb('invitations.id', '<', cursor.id)]),
          ]),
        );
      }
      return select.limit(limit).execute();
    },

    findView(id: string): Promise<InvitationListRow | undefined> {
      return withCode({}).where('invitations.id', '=', id).executeTakeFirst();
    },

    /**
     * "Retry now": a pending or failed invitation that nobody is sending becomes due at once. The
     * caller then claims it like the retry worker does; false when it is not retryable (any more).
     */
    async markDueNow(id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({ status: 'pending', next_attempt_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', 'in', ['pending', 'failed'])
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * "Retry all failed": every failed invitation a retry can help becomes pending and due now,
     * for the retry worker (of any instance) to send. Refusals for good (refusals.ts: the owner's
     * own account, an account Plex does not know) stay failed: sending them again is refused again.
     * One statement: a row failing meanwhile is either in it or not. Returns how many were queued
     * and how many failed ones were left because a retry cannot help.
     */
    async requeueFailed(now: string): Promise<{ queued: number; refused: number }> {
      const refusedIds = await unrefinedRefusedForGood();
      const result = await db.updateTable('invitations').set({ status: 'pending', next_attempt_at: now, updated_at: now }).where(retryableFailed(refusedIds)).executeTakeFirst();
      const refused = await db.selectFrom('invitations').where(refusedFailed(refusedIds)).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return { queued: Number(result.numUpdatedRows), refused: Number(refused.n) };
    },

    /** How many failed invitations "Retry all failed" would queue (the button shows only then). */
    async countRetryableFailed(): Promise<number> {
      const row = await db.selectFrom('invitations').where(retryableFailed(await unrefinedRefusedForGood())).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * Approves a request still waiting for the owner and takes its sending lease in the same
     * conditional statement: of two approvals at once exactly one gets the row (and sends it); the
     * other changes nothing. The retry worker never sees the row before this (it only claims pending).
     */
    async markApproved(id: string, lease: { owner: string; until: string }, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set((eb) => ({
          status: 'pending',
          approved_at: now,
          next_attempt_at: now,
          lease_owner: lease.owner,
          lease_until: lease.until,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
        }))
        .where('id', '=', id)
        .where('status', '=', 'awaiting_approval')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Declines a request still waiting for the owner; it is never sent. The invite code use it
     * claimed on arrival is given back in the same transaction (never below zero), so a declined
     * request does not use up a code. False when it was not waiting (any more): nothing changes.
     */
    markDeclined(id: string, now: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('invitations')
          .set({ status: 'declined', next_attempt_at: null, updated_at: now })
          .where('id', '=', id)
          .where('status', '=', 'awaiting_approval')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        // A Plex join kept the friend's token for the approval: it is never used now.
        await trx.deleteFrom('friend_tokens').where('invitation_id', '=', id).execute();
        const codeId = (await trx.selectFrom('invitations').select('code_id').where('id', '=', id).executeTakeFirst())?.code_id;
        if (codeId) {
          await trx.deleteFrom('invite_code_uses').where('invitation_id', '=', id).execute();
          await trx
            .updateTable('invite_codes')
            .set((eb) => ({ uses: eb('uses', '-', 1) }))
            .where('id', '=', codeId)
            .where('uses', '>', 0)
            .execute();
        }
        return true;
      });
    },

    /**
     * Marks an invitation revoked and drops any lease, so a send still in flight cannot record
     * itself over the revocation (complete() needs the lease). A Plex join's token goes in the same
     * transaction. False when it already was revoked.
     */
    markRevoked(id: string, now: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('invitations')
          .set({ status: 'revoked', next_attempt_at: null, lease_owner: null, lease_until: null, updated_at: now })
          .where('id', '=', id)
          .where('status', '!=', 'revoked')
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx.deleteFrom('friend_tokens').where('invitation_id', '=', id).execute();
        return true;
      });
    },
  };
}

export type AdminInvitationsRepository = ReturnType<typeof createAdminInvitationsRepository>;
