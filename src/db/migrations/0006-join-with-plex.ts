import type { Kysely, Migration } from 'kysely';

/**
 * Join with Plex (issue 12). A friend who signs in with Plex is recorded by their Plex account id
 * and shared and accepted by one durable job: `join_step` is the step it is at (share, accept,
 * verify), so a crash resumes there. The friend's token lives in its own table, encrypted, only
 * until the job ends (then the row is deleted). A sign-in in progress (the PIN and what the friend
 * chose before it) is kept in `plex_join_pins`, so any instance can answer the page's polls.
 */
export const joinWithPlex: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .alterTable('invitations')
      .addColumn('joined_with', 'text', (col) => col.notNull().defaultTo('email'))
      .execute();
    await db.schema.alterTable('invitations').addColumn('plex_account_id', 'text').execute();
    await db.schema.alterTable('invitations').addColumn('join_step', 'text').execute();
    await db.schema.alterTable('invitations').addColumn('accepted_at', 'text').execute();
    await db.schema.alterTable('invitations').addColumn('rules_accepted_at', 'text').execute();
    await db.schema.createIndex('invitations_plex_account_idx').on('invitations').column('plex_account_id').execute();

    await db.schema
      .createTable('friend_tokens')
      .addColumn('invitation_id', 'text', (col) => col.primaryKey().references('invitations.id').onDelete('cascade'))
      .addColumn('token_encrypted', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .execute();

    await db.schema
      .createTable('plex_join_pins')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('pin_id', 'text', (col) => col.notNull())
      .addColumn('pin_code', 'text', (col) => col.notNull())
      .addColumn('invite_code', 'text')
      .addColumn('rules_accepted', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('invitation_id', 'text')
      .addColumn('outcome', 'text')
      .addColumn('client_ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('plex_join_pins_expires_idx').on('plex_join_pins').column('expires_at').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('plex_join_pins').execute();
    await db.schema.dropTable('friend_tokens').execute();
    await db.schema.dropIndex('invitations_plex_account_idx').execute();
    for (const column of ['rules_accepted_at', 'accepted_at', 'join_step', 'plex_account_id', 'joined_with']) {
      await db.schema.alterTable('invitations').dropColumn(column).execute();
    }
  },
};
