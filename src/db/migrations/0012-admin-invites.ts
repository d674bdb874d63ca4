import type { Kysely, Migration } from 'kysely';

/**
 * One-time links that let a new admin choose their own name and password (issue 17). Only the
 * SHA-256 of the link's token is kept; a link works once, for 7 days, with the role it was made for.
 */
export const adminInvites: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('admin_invites')
      .addColumn('id', 'text', (col) => col.primaryKey())
      .addColumn('token_hash', 'text', (col) => col.notNull().unique())
      .addColumn('role', 'text', (col) => col.notNull())
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'text', (col) => col.notNull())
      .addColumn('expires_at', 'text', (col) => col.notNull())
      .addColumn('used_at', 'text')
      .addColumn('used_by', 'text')
      .execute();
  },
};
