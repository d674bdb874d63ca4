import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../test/helpers/database.js';
import { createDatabase } from './database.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';

const TABLES = ['admin_invites', 'admins', 'api_keys', 'audit_log', 'friend_tokens', 'invitation_daily_counts', 'invitations', 'invite_code_uses', 'invite_codes', 'job_leases', 'notification_channels', 'notification_deliveries', 'notification_events', 'plex_join_pins', 'plex_users', 'sessions', 'settings', 'user_actions'];

const ALL_MIGRATIONS = ['0001-initial-schema', '0002-invitation-error-kind', '0003-invitation-daily-counts', '0004-invitation-unconfirmed-since', '0005-invitation-approved-at', '0006-join-with-plex', '0007-plex-users', '0008-user-actions', '0009-access-terms', '0010-notifications', '0011-admin-roles', '0012-admin-invites'];

describeDialects('migrations on %s', (dialect) => {
  let database: TestDatabase;
  afterAll(() => database?.close());

  it('create every table once, and a second run applies nothing', async () => {
    database = await createTestDatabase(dialect, { migrate: false });
    expect((await migrateToLatest(database)).applied).toEqual(ALL_MIGRATIONS);
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

describeDialects('migrations of several instances on %s', (dialect) => {
  const open: TestDatabase[] = [];
  afterAll(async () => {
    for (const database of open.splice(0).reverse()) await database.close();
  });

  it('two instances starting at once on an empty database migrate once, and neither fails', async () => {
    const first = await createTestDatabase(dialect, { migrate: false });
    open.push(first);
    // A second handle (its own connections) on the same database or schema, as another instance has.
    const second: TestDatabase = dialect === 'postgres' ? { ...(await createDatabase(first.config, { schema: first.schema, poolSize: 5 })), config: first.config } : first;
    if (second !== first) open.push(second);
    const results = await Promise.all([migrateToLatest(first), migrateToLatest(second)]);
    const applied = results.map((result) => result.applied.length).sort();
    expect(applied).toEqual([0, ALL_MIGRATIONS.length]);
  });

  it('lists what a migration would apply, without applying it', async () => {
    const database = await createTestDatabase(dialect, { migrate: false });
    open.push(database);
    expect(await pendingMigrations(database)).toEqual(ALL_MIGRATIONS);
    expect((await database.db.introspection.getTables()).filter((t) => dialect === 'sqlite' || t.schema === database.schema).map((t) => t.name)).not.toContain('invitations');
    await migrateToLatest(database);
    expect(await pendingMigrations(database)).toEqual([]);
  });
});
