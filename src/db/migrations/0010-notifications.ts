import type { Kysely, Migration } from 'kysely';

/**
 * Notifications (issue 14). `notification_channels`: where messages go (email, chat services, a
 * webhook), each with the events it wants; `config` is JSON without secrets, `secret` the sealed
 * secret (SMTP password, bot token, webhook signing key). `notification_events` is the outbox: an
 * event is written in the same transaction as the change that caused it; the worker then fans it
 * out into one `notification_deliveries` row per channel and recipient (unique, so two
 * instances fanning out at once make one), each delivered with a lease and retried for 24 hours,
 * then kept as dead for the owner to resend.
 */
export const notifications: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('notification_channels')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('name', 'text', (col) => col.notNull())
      .addColumn('events', 'text', (col) => col.notNull())
      .addColumn('config', 'text', (col) => col.notNull())
      .addColumn('secret', 'text')
      .addColumn('enabled', 'integer', (col) => col.notNull().defaultTo(1))
      // A daily digest instead of one message per event; when the last one went out.
      .addColumn('digest', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('last_digest_at', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .execute();
    await db.schema
      .createTable('notification_events')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('type', 'text', (col) => col.notNull())
      .addColumn('occurred_at', 'text', (col) => col.notNull())
      .addColumn('data', 'text', (col) => col.notNull())
      .addColumn('fanned_out', 'integer', (col) => col.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('notification_events_fan_idx').on('notification_events').columns(['fanned_out', 'occurred_at']).execute();
    await db.schema
      .createTable('notification_deliveries')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('event_id', 'text', (col) => col.notNull().references('notification_events.id').onDelete('cascade'))
      .addColumn('channel_id', 'text', (col) => col.notNull().references('notification_channels.id').onDelete('cascade'))
      // 'owner': the channel's own recipient; 'friend': the friend the event is about (their email).
      .addColumn('recipient', 'text', (col) => col.notNull().defaultTo('owner'))
      .addColumn('status', 'text', (col) => col.notNull())
      .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('updated_at', 'text', (col) => col.notNull())
      .addColumn('delivered_at', 'text')
      .addUniqueConstraint('notification_deliveries_once', ['event_id', 'channel_id', 'recipient'])
      .execute();
    await db.schema.createIndex('notification_deliveries_due_idx').on('notification_deliveries').columns(['status', 'next_attempt_at']).execute();
    await db.schema.createIndex('notification_deliveries_channel_idx').on('notification_deliveries').columns(['channel_id', 'created_at']).execute();
    // The end of access the owner was told is near (access.expiring): told once per end date.
    await db.schema.alterTable('plex_users').addColumn('expiry_notice_for', 'text').execute();
    // A Plex join's account email (its identifier is the username): where the friend's emails go.
    await db.schema.alterTable('invitations').addColumn('friend_email', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('invitations').dropColumn('friend_email').execute();
    await db.schema.alterTable('plex_users').dropColumn('expiry_notice_for').execute();
    await db.schema.dropTable('notification_deliveries').execute();
    await db.schema.dropTable('notification_events').execute();
    await db.schema.dropTable('notification_channels').execute();
  },
};
