import type { Kysely, Migration } from 'kysely';

/**
 * Several admins with roles (issue 17): `owner` may do everything, `viewer` reads the dashboards,
 * requests and users and changes nothing. Admins made before this were the owner.
 */
export const adminRoles: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('admins').addColumn('role', 'text', (col) => col.notNull().defaultTo('owner')).execute();
  },
};
