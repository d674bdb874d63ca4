import type { Kysely, Migration } from 'kysely';

/** Why an invitation failed or waits, as a kind (friend-facing messages depend on it). */
export const invitationErrorKind: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('invitations').addColumn('error_kind', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('invitations').dropColumn('error_kind').execute();
  },
};
