import type { Kysely, Migration } from 'kysely';

/**
 * When an attempt at sending an invitation may have reached Plex without Helpr learning what came
 * of it (a crash or a database outage before the outcome was written, a timeout): from then on a
 * new attempt first looks for the share, and Plex's "already sharing" counts as Helpr's own invite.
 */
export const invitationUnconfirmedSince: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('invitations').addColumn('unconfirmed_since', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('invitations').dropColumn('unconfirmed_since').execute();
  },
};
