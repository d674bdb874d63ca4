import type { Kysely, Migration } from 'kysely';

/**
 * When the owner approved a request (join mode "approval"). Sending starts then, so the retry
 * policy's "give up after 24 hours" counts from the approval, not from the request: a request
 * approved two days later still gets its full day of retries.
 */
export const invitationApprovedAt: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema.alterTable('invitations').addColumn('approved_at', 'text').execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.alterTable('invitations').dropColumn('approved_at').execute();
  },
};
