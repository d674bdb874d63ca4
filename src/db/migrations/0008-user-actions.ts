import type { Kysely, Migration } from 'kysely';

/**
 * What the owner does to someone's access after the invite (issue 13): remove it, change their
 * libraries, send the invite again, give access back, and the expiry job's removals. Each is a
 * durable job, tried at once and retried with backoff like sending an invite, claimed with a lease
 * so several instances never run one twice. `open_key` is the user's id while an action for them
 * is open (pending or running) and null once it ended: a unique column, so one action per person
 * at a time (two expiry jobs on two instances cannot both queue a removal).
 */
export const userActions: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('user_actions')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('user_id', 'text', (col) => col.notNull().references('plex_users.id').onDelete('cascade'))
      .addColumn('kind', 'text', (col) => col.notNull())
      .addColumn('payload', 'text')
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('open_key', 'text', (col) => col.unique())
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('actor', 'text')
      .addColumn('actor_type', 'text', (col) => col.notNull())
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .addColumn('done_at', 'text')
      .execute();
    await db.schema.createIndex('user_actions_due_idx').on('user_actions').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('user_actions_user_idx').on('user_actions').columns(['user_id', 'created_at']).execute();
    await db.schema.createIndex('plex_users_expires_idx').on('plex_users').columns(['expires_at']).execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('plex_users_expires_idx').execute();
    await db.schema.dropTable('user_actions').execute();
  },
};
