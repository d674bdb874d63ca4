import type { ExpressionBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Database, InvitationsTable, JoinStep } from '../../db/schema.js';
import type { NewEventRow } from '../notifications/notification-events.js';

export type InvitationRow = Omit<InvitationsTable, 'attempts'> & { attempts: number };

export type InvitationResult = Pick<
  InvitationsTable,
  'status' | 'last_error' | 'error_kind' | 'plex_share_id' | 'sent_at' | 'next_attempt_at' | 'libraries' | 'updated_at' | 'unconfirmed_since' | 'join_step' | 'accepted_at'
>;

/** What a join job records after a step (the lease renewed for the next one). */
export interface JoinStepRecord {
  join_step: JoinStep;
  plex_share_id: string | null;
  sent_at: string | null;
  libraries: string;
  lease_until: string;
  updated_at: string;
}

/** The columns `complete` writes: the attempt's result, and the lease let go. */
export function completedColumns(result: InvitationResult) {
  return { ...result, lease_owner: null, lease_until: null };
}

/** The person this request brought in lost that access since (removed or expired on the Users page). */
function accessEnded(eb: ExpressionBuilder<Database, 'invitations'>) {
  return eb.exists(
    eb
      .selectFrom('plex_users')
      .select('plex_users.id')
      .whereRef('plex_users.invitation_id', '=', 'invitations.id')
      .where('plex_users.state', 'in', ['removed', 'expired'])
      .whereRef('plex_users.removed_at', '>=', 'invitations.created_at'),
  );
}

/**
 * An attempt's outcome written by the lease holder inside `trx`, with what the owner hears of it
 * (notifications outbox): both, or neither. False when the lease had gone.
 */
async function writeOutcome(trx: Db, id: string, owner: string, result: InvitationResult, event: NewEventRow | undefined): Promise<boolean> {
  const outcome = await trx
    .updateTable('invitations')
    .set((eb) => ({ ...completedColumns(result), unconfirmed_since: eb.fn.coalesce('unconfirmed_since', eb.val(result.unconfirmed_since)) }))
    .where('id', '=', id)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  if (Number(outcome.numUpdatedRows) !== 1) return false;
  if (event) await trx.insertInto('notification_events').values(event).execute();
  return true;
}

export function createInvitationsRepository(db: Db) {
  return {
    /** With `event`, the owner hears of it (notifications outbox): both are written, or neither. */
    async insert(row: InvitationRow, event?: NewEventRow): Promise<void> {
      // A repository made on a transaction is inside one already (Kysely does not nest them).
      if (event && !db.isTransaction) return db.transaction().execute((trx) => createInvitationsRepository(trx).insert(row, event));
      await db.insertInto('invitations').values(row).execute();
      if (event) await db.insertInto('notification_events').values(event).execute();
    },

    findById(id: string): Promise<InvitationRow | undefined> {
      return db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * The latest request for this email or username since `since` (the duplicate window), leaving
     * out one whose access ended since (removed or expired on the Users page): coming back then is a
     * new request (issue 13), not the old one again.
     */
    findRecentByIdentifier(identifierNormalized: string, since: string): Promise<InvitationRow | undefined> {
      return db
        .selectFrom('invitations')
        .selectAll()
        .where('identifier_normalized', '=', identifierNormalized)
        .where('created_at', '>=', since)
        .where('status', '!=', 'revoked')
        .where((eb) => eb.not(accessEnded(eb)))
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /** Pending invitations whose next attempt is due and whose lease (if any) ran out. */
    async findDue(now: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('invitations')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /**
     * Takes the sending lease of a pending invitation in one conditional statement: of several
     * workers (or instances) exactly one gets it. A lease left by a crash runs out and is taken over;
     * the attempt that held it may have reached Plex, so the row is marked unconfirmed (the SET
     * expressions see the old lease_owner).
     */
    async claim(id: string, owner: string, leaseUntil: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set((eb) => ({
          lease_owner: owner,
          lease_until: leaseUntil,
          attempts: eb('attempts', '+', 1),
          updated_at: now,
          unconfirmed_since: eb.fn.coalesce('unconfirmed_since', eb.case().when('lease_owner', 'is not', null).then(eb.val(now)).else(null).end()),
        }))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Gives a lease back unused (the worker stopped before sending): the attempt the claim counted
     * did not happen, and another worker or instance may take the invitation at once.
     */
    async release(id: string, owner: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set((eb) => ({ lease_owner: null, lease_until: null, attempts: eb('attempts', '-', 1), updated_at: now }))
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Gives a lease back while its send may still be under way (Helpr stopping before Plex
     * answered): another worker or instance may take the invitation at once, and as this attempt
     * may have reached Plex, the one that does looks the share up first (unconfirmed).
     */
    async abandon(id: string, owner: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set((eb) => ({ lease_owner: null, lease_until: null, updated_at: now, unconfirmed_since: eb.fn.coalesce('unconfirmed_since', eb.val(now)) }))
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Records the outcome of a send and lets go of the lease; only the lease holder may. An
     * unconfirmed mark, once set, stays (whatever the caller read before).
     */
    complete(id: string, owner: string, result: InvitationResult, event?: NewEventRow): Promise<boolean> {
      return db.transaction().execute((trx) => writeOutcome(trx, id, owner, result, event));
    },

    /**
     * The Plex join of this plex.tv account to answer a new sign-in with: one whose job may still
     * run (pending, or waiting for the owner), whatever its age, so that one account never has two
     * jobs sharing and accepting at once (a friend who confirmed their email an hour later signs in
     * again; a duplicate window of 0); otherwise the latest since `since` (the duplicate window).
     */
    findRecentPlexJoin(plexAccountId: string, since: string): Promise<InvitationRow | undefined> {
      const running = ['pending', 'awaiting_approval'] as const;
      return db
        .selectFrom('invitations')
        .selectAll()
        .where('plex_account_id', '=', plexAccountId)
        .where('joined_with', '=', 'plex')
        .where((eb) => eb.or([eb('created_at', '>=', since), eb('status', 'in', running)]))
        .where('status', '!=', 'revoked')
        // A job that may still run is always joined (never two at once); an ended one whose access ended since is not.
        .where((eb) => eb.or([eb('status', 'in', running), eb.not(accessEnded(eb))]))
        .orderBy((eb) => eb.case().when('status', 'in', running).then(0).else(1).end())
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    /**
     * A join job records the step it finished, keeping (and renewing) its lease for the next one.
     * Only the lease holder may, and only while the request is pending: after a revoke, or once
     * another worker took the lease over, nothing is written and the job stops there.
     */
    async recordJoinStep(id: string, owner: string, step: JoinStepRecord): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set(step)
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Records a join job's outcome like `complete`; when the job ended (any status but pending),
     * the friend's token is deleted in the same transaction, so no ended job keeps one.
     */
    completeJoin(id: string, owner: string, result: InvitationResult, event?: NewEventRow): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        if (!(await writeOutcome(trx, id, owner, result, event))) return false;
        if (result.status !== 'pending') await trx.deleteFrom('friend_tokens').where('invitation_id', '=', id).execute();
        return true;
      });
    },

    /**
     * The friend's "Try again": a pending Plex join nobody is running becomes due now. False when
     * it is not pending, not a Plex join, being run, or already due.
     */
    async wakeJoin(id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({ next_attempt_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('joined_with', '=', 'plex')
        .where('next_attempt_at', '>', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Pending invitations waiting for the owner (by error kind) become due now; returns how many. */
    async wakeWaiting(kinds: string[], now: string): Promise<number> {
      const result = await db
        .updateTable('invitations')
        .set({ next_attempt_at: now, updated_at: now })
        .where('status', '=', 'pending')
        .where('error_kind', 'in', kinds)
        .where('next_attempt_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** One pending invitation, no longer leased, becomes due now (its wait ended early). */
    async wakeOne(id: string, now: string): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({ next_attempt_at: now, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('lease_owner', 'is', null)
        .where('next_attempt_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async countWaiting(kinds: string[]): Promise<number> {
      const row = await db
        .selectFrom('invitations')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', 'pending')
        .where('error_kind', 'in', kinds)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type InvitationsRepository = ReturnType<typeof createInvitationsRepository>;
