import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../test/helpers/database.js';
import { migrateToLatest } from './migrate.js';

const TABLES = ['admins', 'api_keys', 'audit_log', 'friend_tokens', 'invitation_daily_counts', 'invitations', 'invite_code_uses', 'invite_codes', 'job_leases', 'notification_channels', 'notification_deliveries', 'notification_events', 'plex_join_pins', 'plex_users', 'sessions', 'settings', 'user_actions'];

describeDialects('migrations on %s', (dialect) => {
  let database: TestDatabase;
  afterAll(() => database?.close());

  it('create every table once, and a second run applies nothing', async () => {
    database = await createTestDatabase(dialect, { migrate: false });
    expect((await migrateToLatest(database)).applied).toEqual(['0001-initial-schema', '0002-invitation-error-kind', '0003-invitation-daily-counts', '0004-invitation-unconfirmed-since', '0005-invitation-approved-at', '0006-join-with-plex', '0007-plex-users', '0008-user-actions', '0009-access-terms', '0010-notifications']);
    expect((await migrateToLatest(database)).applied).toEqual([]);

    const tables = await database.db.introspection.getTables();
    const ours = tables.filter((t) => dialect === 'sqlite' || t.schema === database.schema);
    expect(ours.map((t) => t.name).sort()).toEqual(TABLES);
  });

  it('index the dashboard queries', async () => {
    const query =
      dialect === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`
        : sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema()`;
    const names = (await query.execute(database.db)).rows.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'invitations_status_idx',
        'invitations_created_at_idx',
        'invitations_identifier_idx',
        'invitations_queue_idx',
        'invitations_code_id_idx',
      ]),
    );
  });
});
