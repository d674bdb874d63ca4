import type { Kysely, Migration } from 'kysely';

/**
 * Who has access (issue 13). `plex_users` holds everyone plex.tv lists for the owner's server (an
 * accepted share or a pending invite), joined with Helpr's own request when there is one, and the
 * people Helpr removed or who left, so the owner can see and restore them. A person is keyed by
 * `plex_key`: `account:<plex.tv account id>`, or `email:<address>` for an invite to an address with
 * no Plex account yet (it becomes the account key once they join). `job_leases` lets one instance
 * at a time run a job that must not run twice at once (the users sync), and records its last run.
 */
export const plexUsers: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('plex_users')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('plex_key', 'text', (col) => col.notNull().unique())
      .addColumn('plex_account_id', 'text')
      .addColumn('username', 'text')
      .addColumn('email', 'text')
      // Lower-cased username and email, what search and matching compare.
      .addColumn('search_text', 'text', (col) => col.notNull())
      .addColumn('state', 'text', (col) => col.notNull())
      .addColumn('source', 'text', (col) => col.notNull())
      .addColumn('invitation_id', 'text')
      .addColumn('libraries', 'text', (col) => col.notNull().defaultTo('[]'))
      .addColumn('all_libraries', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('share_id', 'text')
      .addColumn('invited_at', 'text')
      .addColumn('accepted_at', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('removed_at', 'text')
      .addColumn('last_synced_at', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .execute();
    await db.schema.createIndex('plex_users_state_idx').on('plex_users').columns(['state', 'created_at']).execute();
    await db.schema.createIndex('plex_users_created_idx').on('plex_users').column('created_at').execute();
    await db.schema.createIndex('plex_users_account_idx').on('plex_users').column('plex_account_id').execute();

    await db.schema
      .createTable('job_leases')
      .addColumn('name', 'text', (col) => col.primaryKey())
      .addColumn('owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_started_at', 'text')
      .addColumn('last_finished_at', 'text')
      .execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('job_leases').execute();
    await db.schema.dropTable('plex_users').execute();
  },
};
