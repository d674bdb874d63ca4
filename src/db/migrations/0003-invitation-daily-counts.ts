import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Requests per UTC day and status, kept by the database itself (triggers), so the dashboard and
 * /api/v1/stats read a few hundred rows however many invitations there are. Triggers rather than
 * application code: every writer (request form, worker, admin, API, SQL by hand) keeps the counts
 * right, in the same transaction as the change.
 */

const SQLITE_TRIGGERS = [
  sql`CREATE TRIGGER invitations_count_insert AFTER INSERT ON invitations BEGIN
    INSERT INTO invitation_daily_counts (day, status, count) VALUES (substr(NEW.created_at, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET count = count + 1;
  END`,
  sql`CREATE TRIGGER invitations_count_update AFTER UPDATE OF status ON invitations WHEN OLD.status <> NEW.status BEGIN
    UPDATE invitation_daily_counts SET count = count - 1 WHERE day = substr(OLD.created_at, 1, 10) AND status = OLD.status;
    INSERT INTO invitation_daily_counts (day, status, count) VALUES (substr(NEW.created_at, 1, 10), NEW.status, 1)
    ON CONFLICT (day, status) DO UPDATE SET count = count + 1;
  END`,
  sql`CREATE TRIGGER invitations_count_delete AFTER DELETE ON invitations BEGIN
    UPDATE invitation_daily_counts SET count = count - 1 WHERE day = substr(OLD.created_at, 1, 10) AND status = OLD.status;
  END`,
];

// The two rows of a status change are always locked in the same (alphabetical) order, so two
// concurrent changes in opposite directions (failed -> pending, pending -> failed) cannot deadlock.
const POSTGRES_TRIGGERS = [
  sql`CREATE FUNCTION invitations_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    step RECORD;
  BEGIN
    FOR step IN
      SELECT * FROM (
        SELECT substr(OLD.created_at, 1, 10) AS day, OLD.status AS status, -1 AS delta WHERE TG_OP IN ('UPDATE', 'DELETE')
        UNION ALL
        SELECT substr(NEW.created_at, 1, 10), NEW.status, 1 WHERE TG_OP IN ('UPDATE', 'INSERT')
      ) AS changes ORDER BY status
    LOOP
      INSERT INTO invitation_daily_counts (day, status, count) VALUES (step.day, step.status, step.delta)
      ON CONFLICT (day, status) DO UPDATE SET count = invitation_daily_counts.count + step.delta;
    END LOOP;
    RETURN NULL;
  END $$`,
  sql`CREATE TRIGGER invitations_count_insert AFTER INSERT ON invitations FOR EACH ROW EXECUTE FUNCTION invitations_count_change()`,
  sql`CREATE TRIGGER invitations_count_update AFTER UPDATE OF status ON invitations FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION invitations_count_change()`,
  sql`CREATE TRIGGER invitations_count_delete AFTER DELETE ON invitations FOR EACH ROW EXECUTE FUNCTION invitations_count_change()`,
];

const isPostgres = (db: Kysely<unknown>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

export const invitationDailyCounts: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('invitation_daily_counts')
      .addColumn('day', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('invitation_daily_counts_pk', ['day', 'status'])
      .execute();
    await sql`INSERT INTO invitation_daily_counts (day, status, count)
      SELECT substr(created_at, 1, 10), status, count(*) FROM invitations GROUP BY substr(created_at, 1, 10), status`.execute(db);
    for (const statement of (isPostgres(db)) ? POSTGRES_TRIGGERS : SQLITE_TRIGGERS) await statement.execute(db);
  },

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    for (const trigger of ['invitations_count_insert', 'invitations_count_update', 'invitations_count_delete']) {
      if (isPostgres(db)) await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)} ON invitations`.execute(db);
      else await sql`DROP TRIGGER IF EXISTS ${sql.raw(trigger)}`.execute(db);
    }
    if (isPostgres(db)) await sql`DROP FUNCTION IF EXISTS invitations_count_change()`.execute(db);
    await db.schema.dropTable('invitation_daily_counts').ifExists().execute();
  },
};
