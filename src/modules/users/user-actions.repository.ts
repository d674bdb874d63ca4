import type { Insertable, Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AuditLogTable, UserActionsTable } from '../../db/schema.js';
import type { NewEventRow } from '../notifications/notification-events.js';
import type { NewPlexUserRow, PlexUserRow } from './users.repository.js';

export type UserActionRow = Selectable<UserActionsTable>;
export type NewUserActionRow = Insertable<UserActionsTable>;

/** The durable queue of changes to people's access: one open action per person (open_key). */
export function createUserActionsRepository(db: Db) {
  return {
    /** Queues the action; false when the person already has one open (nothing is queued then). */
    async enqueue(row: NewUserActionRow): Promise<boolean> {
      const result = await db.insertInto('user_actions').values(row).onConflict((oc) => oc.column('open_key').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    findById(id: string): Promise<UserActionRow | undefined> {
      return db.selectFrom('user_actions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    openFor(userId: string): Promise<UserActionRow | undefined> {
      return db.selectFrom('user_actions').selectAll().where('open_key', '=', userId).executeTakeFirst();
    },

    /** The open actions of these people, by person. */
    async openForMany(userIds: string[]): Promise<Map<string, UserActionRow>> {
      if (userIds.length === 0) return new Map();
      const rows = await db.selectFrom('user_actions').selectAll().where('open_key', 'in', userIds).execute();
      return new Map(rows.map((row) => [row.user_id, row]));
    },

    /** A person's latest actions, newest first. */
    recentFor(userId: string, limit = 10): Promise<UserActionRow[]> {
      return db.selectFrom('user_actions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    /** Actions due now whose lease is free, oldest first. */
    async findDue(nowIso: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('user_actions')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowIso)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },

    /** Takes the action for one attempt (a lease), if it is still pending and nobody holds it. */
    async claim(id: string, owner: string, untilIso: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('user_actions')
        .set({ lease_owner: owner, lease_until: untilIso, updated_at: nowIso })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowIso)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Ends the action (done or failed) with what it changed on the person and its audit entry, in
     * one transaction; nothing is written when the lease was lost (another attempt took over).
     */
    async finish(
      id: string,
      owner: string,
      outcome: { status: 'done' | 'failed'; error: string | null; nowIso: string; user?: { id: string; set: Partial<NewPlexUserRow> }; audit?: AuditLogTable; event?: NewEventRow },
    ): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const ended = await trx
          .updateTable('user_actions')
          .set((eb) => ({ status: outcome.status, open_key: null, last_error: outcome.error, lease_owner: null, lease_until: null, done_at: outcome.nowIso, updated_at: outcome.nowIso, attempts: eb('attempts', '+', 1) }))
          .where('id', '=', id)
          .where('lease_owner', '=', owner)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        if (Number(ended.numUpdatedRows) !== 1) return false;
        if (outcome.user) await trx.updateTable('plex_users').set(outcome.user.set).where('id', '=', outcome.user.id).execute();
        if (outcome.audit) await trx.insertInto('audit_log').values(outcome.audit).execute();
        if (outcome.event) await trx.insertInto('notification_events').values(outcome.event).execute();
        return true;
      });
    },

    /** The attempt failed for now: tried again at `nextIso`; false when the lease was lost. */
    async retryLater(id: string, owner: string, nextIso: string, error: string, nowIso: string): Promise<boolean> {
      const result = await db
        .updateTable('user_actions')
        .set((eb) => ({ next_attempt_at: nextIso, last_error: error, lease_owner: null, lease_until: null, updated_at: nowIso, attempts: eb('attempts', '+', 1) }))
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * People with access whose end comes before `beforeIso` and who were not told of that end yet
     * (the owner's access.expiring notice), soonest first.
     */
    async dueExpiryNotices(nowIso: string, beforeIso: string, limit: number): Promise<PlexUserRow[]> {
      return db
        .selectFrom('plex_users')
        .selectAll()
        .where('state', '=', 'active')
        .where('expires_at', '>', nowIso)
        .where('expires_at', '<=', beforeIso)
        .where((eb) => eb.or([eb('expiry_notice_for', 'is', null), eb('expiry_notice_for', '!=', eb.ref('expires_at'))]))
        .orderBy('expires_at')
        .limit(limit)
        .execute();
    },

    /** Marks that end as told and writes the notice, together; false when another instance told it first. */
    async recordExpiryNotice(userId: string, expiresAt: string, event: NewEventRow): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('plex_users')
          .set({ expiry_notice_for: expiresAt })
          .where('id', '=', userId)
          .where('expires_at', '=', expiresAt)
          .where((eb) => eb.or([eb('expiry_notice_for', 'is', null), eb('expiry_notice_for', '!=', expiresAt)]))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx.insertInto('notification_events').values(event).execute();
        return true;
      });
    },

    /** People whose access ended by now and who have no open action: what the expiry job removes. */
    async dueExpiries(nowIso: string, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('plex_users')
        .select('id')
        .where('state', 'in', ['active', 'pending'])
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', nowIso)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('user_actions').select('id').whereRef('user_actions.open_key', '=', 'plex_users.id'))))
        .orderBy('expires_at')
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },
  };
}

export type UserActionsRepository = ReturnType<typeof createUserActionsRepository>;
