import type { Db } from '../../db/database.js';
import type { PlexJoinPinsTable } from '../../db/schema.js';

/** plex_join_pins.outcome while one poll has the token and is making the request. */
export const WORKING_OUTCOME = '{"state":"working"}';

export type PlexJoinPinRow = Omit<PlexJoinPinsTable, 'rules_accepted'> & { rules_accepted: number };

/**
 * Written with every end: plex.tv hands an approved PIN's token to whoever asks for it with
 * Helpr's client identifier (kept in the settings table) until the PIN expires, so an ended
 * sign-in keeps neither its PIN's id nor its code: the database alone must not lead to the token.
 */
const PIN_FORGOTTEN = { pin_id: '', pin_code: '' } as const;

/**
 * "Continue with Plex" sign-ins in progress (plex_join_pins). Every change of `outcome` is one
 * conditional statement: only a row without an outcome (or with the expected one) changes, so two
 * instances polling the same sign-in, or a cancel racing the approval, cannot both win.
 */
export function createPlexJoinPinsRepository(db: Db) {
  return {
    async insert(row: PlexJoinPinRow): Promise<void> {
      await db.insertInto('plex_join_pins').values(row).execute();
    },

    find(id: string): Promise<PlexJoinPinRow | undefined> {
      return db.selectFrom('plex_join_pins').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Sets the outcome when the row has `expected` (null: none yet); false when something else got there first. An end forgets the PIN. */
    async setOutcome(id: string, outcome: string, expected: string | null): Promise<boolean> {
      const forget = outcome === WORKING_OUTCOME ? {} : PIN_FORGOTTEN;
      let query = db.updateTable('plex_join_pins').set({ outcome, ...forget }).where('id', '=', id);
      query = expected === null ? query.where('outcome', 'is', null) : query.where('outcome', '=', expected);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The poll holding the token could not finish: the next poll takes the token from plex.tv again. */
    async releaseWorking(id: string): Promise<void> {
      await db.updateTable('plex_join_pins').set({ outcome: null }).where('id', '=', id).where('outcome', '=', WORKING_OUTCOME).execute();
    },

    /** The request the sign-in made, with its final outcome, in one statement (the PIN forgotten). */
    async finish(id: string, outcome: string, invitationId: string, expected: string): Promise<boolean> {
      const result = await db.updateTable('plex_join_pins').set({ outcome, invitation_id: invitationId, ...PIN_FORGOTTEN }).where('id', '=', id).where('outcome', '=', expected).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes sign-ins that expired at or before `cutoff`; returns how many. */
    async deleteExpired(cutoff: string): Promise<number> {
      const result = await db.deleteFrom('plex_join_pins').where('expires_at', '<=', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type PlexJoinPinsRepository = ReturnType<typeof createPlexJoinPinsRepository>;
