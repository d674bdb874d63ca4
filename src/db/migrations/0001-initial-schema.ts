import type { Kysely, Migration } from 'kysely';

/**
 * The whole product's schema. Portable types only (see schema.ts); every table has a text primary
 * key made by the app so the same statements work on SQLite and PostgreSQL.
 */
export const initialSchema: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('admins')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('username_normalized', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('password_changed_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('admin_id', 'text', (c) => c.references('admins.id').onDelete('cascade'))
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
    await db.schema.createIndex('sessions_admin_id_idx').on('sessions').column('admin_id').execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text')
      .addColumn('actor_type', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('details', 'text')
      .addColumn('ip', 'text')
      .execute();
    await db.schema.createIndex('audit_log_created_at_idx').on('audit_log').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('audit_log_action_idx').on('audit_log').columns(['action', 'created_at']).execute();

    await db.schema
      .createTable('invite_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('code_normalized', 'text', (c) => c.notNull().unique())
      .addColumn('label', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('max_uses', 'integer')
      .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('libraries', 'text')
      .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('revoked_at', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('invite_codes_created_at_idx').on('invite_codes').column('created_at').execute();

    await db.schema
      .createTable('invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('identifier', 'text', (c) => c.notNull())
      .addColumn('identifier_normalized', 'text', (c) => c.notNull())
      .addColumn('identifier_kind', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('code_id', 'text', (c) => c.references('invite_codes.id').onDelete('set null'))
      .addColumn('libraries', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_error', 'text')
      .addColumn('plex_share_id', 'text')
      .addColumn('next_attempt_at', 'text')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until', 'text')
      .addColumn('client_ip', 'text')
      .addColumn('user_agent', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('sent_at', 'text')
      .execute();
    // Dashboard counts and the per-day chart.
    await db.schema.createIndex('invitations_created_at_idx').on('invitations').columns(['created_at', 'status']).execute();
    // Filter by status, newest first; the retry worker's queue scan.
    await db.schema.createIndex('invitations_status_idx').on('invitations').columns(['status', 'created_at']).execute();
    await db.schema.createIndex('invitations_queue_idx').on('invitations').columns(['status', 'next_attempt_at']).execute();
    // Duplicate-window look-up and admin search by email or username.
    await db.schema
      .createIndex('invitations_identifier_idx')
      .on('invitations')
      .columns(['identifier_normalized', 'created_at'])
      .execute();
    await db.schema.createIndex('invitations_code_id_idx').on('invitations').column('code_id').execute();

    await db.schema
      .createTable('invite_code_uses')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code_id', 'text', (c) => c.notNull().references('invite_codes.id').onDelete('cascade'))
      .addColumn('invitation_id', 'text', (c) => c.notNull().references('invitations.id').onDelete('cascade'))
      .addColumn('used_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('invite_code_uses_code_id_idx').on('invite_code_uses').column('code_id').execute();
    await db.schema
      .createIndex('invite_code_uses_invitation_idx')
      .on('invite_code_uses')
      .column('invitation_id')
      .unique()
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    for (const table of ['api_keys', 'invite_code_uses', 'invitations', 'invite_codes', 'audit_log', 'settings', 'sessions', 'admins']) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
