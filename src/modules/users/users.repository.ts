import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../../db/database.js';
import type { AuditLogTable, PlexUsersTable } from '../../db/schema.js';
import { storedTerms } from '../access/access-terms.js';
import type { NewEventRow } from '../notifications/notification-events.js';
import type { RequestLink } from './users-reconcile.js';

export type PlexUserRow = Selectable<PlexUsersTable>;
export type NewPlexUserRow = Insertable<PlexUsersTable>;

/** Which people a list shows: a state (expiring is active with an expiry before `expiringBefore`), words in the name or email. */
export interface UserQuery {
  state?: 'pending' | 'active' | 'expiring' | 'expired' | 'removed';
  q?: string;
  /** ISO instant: active people whose access ends before it count as expiring. */
  expiringBefore: string;
}

// Rows per insert: 19 columns x 400 stays under SQLite's and PostgreSQL's parameter limits.
const INSERT_BATCH = 400;

/** LIKE pattern for words typed in the search box: %, _ and \ match themselves. */
const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The people with access to the owner's server, as the last sync saw them, and what Helpr knows of them. */
export function createUsersRepository(db: Db) {
  function filtered(query: UserQuery) {
    let select = db.selectFrom('plex_users');
    if (query.state === 'expiring') {
      select = select.where('state', '=', 'active').where('expires_at', 'is not', null).where('expires_at', '<', query.expiringBefore);
    } else if (query.state) {
      select = select.where('state', '=', query.state);
    }
    const q = query.q?.trim();
    if (q) select = select.where(sql<boolean>`search_text like ${likePattern(q)} escape '\\'`);
    return select;
  }

  return {
    /** The person a request gave access to, once a sync listed them. */
    findByInvitation(invitationId: string): Promise<PlexUserRow | undefined> {
      return db.selectFrom('plex_users').selectAll().where('invitation_id', '=', invitationId).executeTakeFirst();
    },

    findById(id: string): Promise<PlexUserRow | undefined> {
      return db.selectFrom('plex_users').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async setExpiry(id: string, expiresAt: string | null, nowIso: string): Promise<void> {
      await db.updateTable('plex_users').set({ expires_at: expiresAt, updated_at: nowIso }).where('id', '=', id).execute();
    },

    /** Everyone known, for a sync to compare with plex.tv's lists. */
    all(): Promise<PlexUserRow[]> {
      return db.selectFrom('plex_users').selectAll().execute();
    },

    /**
     * One page, newest first (by when Helpr first saw them), and how many match in all (counted
     * unless the caller knows it already: `knownTotal`).
     */
    async list(query: UserQuery, page: number, perPage: number, knownTotal?: number): Promise<{ rows: PlexUserRow[]; total: number }> {
      const [rows, total] = await Promise.all([
        filtered(query).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(perPage).offset((page - 1) * perPage).execute(),
        knownTotal ?? filtered(query).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow().then((count) => Number(count.n)),
      ]);
      return { rows, total };
    },

    /** Every match, in pages of `batch`, for the CSV (never the whole table in memory at once). */
    async *stream(query: UserQuery, batch = 1000): AsyncGenerator<PlexUserRow> {
      for (let offset = 0; ; offset += batch) {
        const rows = await filtered(query).selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(batch).offset(offset).execute();
        yield* rows;
        if (rows.length < batch) return;
      }
    },

    /** How many people are in each stored state. */
    async countByState(): Promise<Record<string, number>> {
      const rows = await db.selectFrom('plex_users').select(['state', (eb) => eb.fn.countAll().as('n')]).groupBy('state').execute();
      return Object.fromEntries(rows.map((row) => [row.state, Number(row.n)]));
    },

    /** Helpr's requests that reached Plex, oldest first, to tell who came through Helpr. */
    async requestLinks(): Promise<RequestLink[]> {
      const rows = await db
        .selectFrom('invitations')
        .select(['id', 'identifier_normalized', 'plex_account_id', 'status', 'access_days', 'access_starts', 'sent_at', 'accepted_at', 'joined_with'])
        .where('status', 'in', ['sent', 'accepted', 'already_shared', 'already_invited', 'revoked'])
        .orderBy('created_at', 'asc')
        .execute();
      return rows.map((row) => ({
        invitationId: row.id,
        identifier: row.identifier_normalized,
        accountId: row.plex_account_id ?? null,
        // Terms end only access Helpr gave: not access the person had before asking (already shared or invited).
        terms: row.status === 'sent' || row.status === 'accepted' ? storedTerms(row.access_days, row.access_starts) : undefined,
        sentAt: row.sent_at,
        acceptedAt: row.accepted_at ?? null,
        joinedWithPlex: row.joined_with === 'plex',
      }));
    },

    /**
     * Writes one sync's outcome in one transaction: new people, changed rows, their audit entries,
     * and "last synced" for everyone listed.
     */
    async applySync(
      change: { inserts: NewPlexUserRow[]; updates: Array<{ id: string; set: Partial<NewPlexUserRow> }>; audit: AuditLogTable[]; events?: NewEventRow[] },
      nowIso: string,
    ): Promise<void> {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < change.inserts.length; i += INSERT_BATCH) {
          await trx.insertInto('plex_users').values(change.inserts.slice(i, i + INSERT_BATCH)).execute();
        }
        for (let i = 0; i < change.audit.length; i += INSERT_BATCH) {
          await trx.insertInto('audit_log').values(change.audit.slice(i, i + INSERT_BATCH)).execute();
        }
        for (const update of change.updates) {
          await trx.updateTable('plex_users').set(update.set).where('id', '=', update.id).execute();
        }
        const events = change.events ?? [];
        for (let i = 0; i < events.length; i += INSERT_BATCH) await trx.insertInto('notification_events').values(events.slice(i, i + INSERT_BATCH)).execute();
        await trx.updateTable('plex_users').set({ last_synced_at: nowIso }).where('state', 'in', ['active', 'pending']).execute();
      });
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;
