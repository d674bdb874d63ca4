import type { Kysely, Migration } from 'kysely';

/**
 * Access that expires and permissions per code (issue 13). A code may carry its own terms
 * (`access_days`, null = forever, counted from `access_starts`: 'accepted' or 'sent'; both null =
 * the default settings) and its own `permissions` (JSON of allowSync/allowChannels/allowCameraUpload;
 * null = the default settings). A request keeps the terms and permissions it was made under. A
 * person's `permissions` are what plex.tv reports for their share.
 */
export const accessTerms: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    for (const table of ['invite_codes', 'invitations']) {
      await db.schema.alterTable(table).addColumn('access_days', 'integer').execute();
      await db.schema.alterTable(table).addColumn('access_starts', 'text').execute();
      await db.schema.alterTable(table).addColumn('permissions', 'text').execute();
    }
    await db.schema.alterTable('plex_users').addColumn('permissions', 'text').execute();
    // The friend's result page looks up the person their request gave access to.
    await db.schema.createIndex('plex_users_invitation_idx').on('plex_users').column('invitation_id').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('plex_users_invitation_idx').execute();
    await db.schema.alterTable('plex_users').dropColumn('permissions').execute();
    for (const table of ['invitations', 'invite_codes']) {
      for (const column of ['permissions', 'access_starts', 'access_days']) await db.schema.alterTable(table).dropColumn(column).execute();
    }
  },
};
