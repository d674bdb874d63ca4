import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { invitationRow } from '../../../bench/invitation-rows.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { createInvitationsRepository } from '../invitations/invitations.repository.js';
import type { DiagnosticReport } from '../plex/diagnostics.service.js';
import { STATUS_LABELS } from '../invitations/invitation-status.js';
import { createDashboardService, STATUSES, type DashboardService } from './dashboard.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { createStatsRepository } from './stats.repository.js';

// Now is 2026-11-24 12:00 UTC: today starts 11-24, the 7 days on 11-18, the 30 days on 10-26.
const SEED = [
  ['today-start', 'pending', '2026-11-24T00:00:00.000Z'],
  ['today-late', 'sent', '2026-11-24T11:59:59.999Z'],
  // A friend who joined with Plex: shared and accepted for them (issue 12).
  ['joined', 'accepted', '2026-11-24T06:00:00.000Z'],
  ['now', 'failed', '2026-11-24T12:00:00.000Z'],
  ['yesterday-end', 'sent', '2026-11-23T23:59:59.999Z'],
  ['week-start', 'already_shared', '2026-11-18T00:00:00.000Z'],
  ['before-week', 'revoked', '2026-11-17T23:59:59.999Z'],
  ['month-start', 'failed', '2026-10-26T00:00:00.000Z'],
  ['before-month', 'sent', '2026-10-25T23:59:59.999Z'],
  ['last-year', 'pending', '2025-01-01T08:00:00.000Z'],
] as const;

const FAILED_TEST: DiagnosticReport = {
  ok: false,
  startedAt: '2026-11-24T09:30:00.000Z',
  steps: [
    { name: 'token', label: 'Plex token is valid', status: 'ok', durationMs: 40, detail: 'Signed in as owner' },
    { name: 'server', label: 'Server found and owned', status: 'failed', durationMs: 30, detail: 'No server is chosen.', hint: 'Choose a server.' },
    { name: 'reachable', label: 'Server reachable', status: 'skipped', durationMs: 0, detail: 'Skipped: an earlier step failed.' },
  ],
};

/** Counts the statements the service sends, whatever runs them. */
function countingPlugin(log: string[]): KyselyPlugin {
  return {
    transformQuery: (args) => {
      log.push(args.node.kind);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
}

describeDialects('dashboard service on %s', (dialect) => {
  let database: TestDatabase;
  let dashboard: DashboardService;
  const statements: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const invitations = createInvitationsRepository(database.db);
    for (const [id, status, at] of SEED) {
      const row = invitationRow(id, status, at);
      await invitations.insert(status === 'accepted' ? { ...row, identifier: 'friend-joined', joined_with: 'plex', plex_account_id: '4242' } : row);
    }
    dashboard = createDashboardService({
      stats: createStatsRepository(database.db.withPlugin(countingPlugin(statements))),
      clock: fixedClock('2026-11-24T12:00:00.000Z'),
      connectionTests: { load: async () => FAILED_TEST },
      setup: { isReady: async () => false },
      settings: { get: async () => ({ joinMode: 'approval' }) as Awaited<ReturnType<SettingsService['get']>> },
    });
  });
  afterAll(() => database.close());

  it('counts by status for today, 7 days, 30 days and all time, with the UTC day boundaries', async () => {
    const { windows } = await dashboard.stats();
    expect(windows.today).toEqual({ awaiting_approval: 0, pending: 1, sent: 1, accepted: 1, already_shared: 0, already_invited: 0, failed: 1, declined: 0, revoked: 0, total: 4 });
    expect(windows.week).toEqual({ awaiting_approval: 0, pending: 1, sent: 2, accepted: 1, already_shared: 1, already_invited: 0, failed: 1, declined: 0, revoked: 0, total: 6 });
    expect(windows.month).toEqual({ awaiting_approval: 0, pending: 1, sent: 2, accepted: 1, already_shared: 1, already_invited: 0, failed: 2, declined: 0, revoked: 1, total: 8 });
    expect(windows.all).toEqual({ awaiting_approval: 0, pending: 2, sent: 3, accepted: 1, already_shared: 1, already_invited: 0, failed: 2, declined: 0, revoked: 1, total: 10 });
  });

  it('counts every status the labels know, accepted included', () => {
    expect([...STATUSES].sort()).toEqual(Object.keys(STATUS_LABELS).sort());
    expect(STATUSES).toContain('accepted');
  });

  it('buckets every one of the last 30 days by status, zeros included', async () => {
    const { perDay } = await dashboard.stats();
    expect(perDay).toHaveLength(30);
    expect(perDay[0]!.day).toBe('2026-10-26');
    expect(perDay[29]!.day).toBe('2026-11-24');
    const nonEmpty = Object.fromEntries(perDay.filter((d) => d.total > 0).map(({ day, ...counts }) => [day, counts]));
    expect(nonEmpty).toEqual({
      '2026-10-26': { awaiting_approval: 0, pending: 0, sent: 0, accepted: 0, already_shared: 0, already_invited: 0, failed: 1, declined: 0, revoked: 0, total: 1 },
      '2026-11-17': { awaiting_approval: 0, pending: 0, sent: 0, accepted: 0, already_shared: 0, already_invited: 0, failed: 0, declined: 0, revoked: 1, total: 1 },
      '2026-11-18': { awaiting_approval: 0, pending: 0, sent: 0, accepted: 0, already_shared: 1, already_invited: 0, failed: 0, declined: 0, revoked: 0, total: 1 },
      '2026-11-23': { awaiting_approval: 0, pending: 0, sent: 1, accepted: 0, already_shared: 0, already_invited: 0, failed: 0, declined: 0, revoked: 0, total: 1 },
      '2026-11-24': { awaiting_approval: 0, pending: 1, sent: 1, accepted: 1, already_shared: 0, already_invited: 0, failed: 1, declined: 0, revoked: 0, total: 4 },
    });
    const days = perDay.map((d) => d.day);
    expect(new Set(days).size).toBe(30);
    expect([...days].sort()).toEqual(days);
  });

  it('answers the API shape: all-time totals by status and the 30-day series', async () => {
    const stats = await dashboard.apiStats();
    expect(stats.total).toBe(10);
    expect(stats.byStatus).toEqual({ awaiting_approval: 0, pending: 2, sent: 3, accepted: 1, already_shared: 1, already_invited: 0, failed: 2, declined: 0, revoked: 1 });
    // Successful: the invites that reached Plex, accepted and sent; not the already shared one.
    expect(stats.successful).toBe(4);
    expect(stats.perDay).toHaveLength(30);
    expect(stats.perDay.reduce((sum, d) => sum + d.total, 0)).toBe(8);
    expect(stats.perDay.at(-1)!.accepted).toBe(1);
  });

  it('counts a request under accepted once its job accepts it, and no longer under pending', async () => {
    const invitations = createInvitationsRepository(database.db);
    await invitations.insert({ ...invitationRow('joining', 'pending', '2026-11-24T07:00:00.000Z'), joined_with: 'plex', plex_account_id: '77' });
    const before = (await dashboard.apiStats()).byStatus;
    await database.db.updateTable('invitations').set({ status: 'accepted', accepted_at: '2026-11-24T07:00:05.000Z' }).where('id', '=', 'joining').execute();
    const after = await dashboard.apiStats();
    expect(after.byStatus.accepted - before.accepted).toBe(1);
    expect(after.byStatus.pending - before.pending).toBe(-1);
    expect(after.successful).toBe(after.byStatus.accepted + after.byStatus.sent);
    await database.db.deleteFrom('invitations').where('id', '=', 'joining').execute();
  });

  it('builds the overview from three statements, none per row (a fourth only when requests wait for approval)', async () => {
    statements.length = 0;
    const overview = await dashboard.overview();
    expect(statements).toEqual(['SelectQueryNode', 'SelectQueryNode', 'SelectQueryNode']);
    expect(overview.joinMode).toBe('approval');
    expect(overview.awaiting).toEqual([]);
    expect(overview.setupComplete).toBe(false);
    expect(overview.lastTest).toEqual({
      ok: false,
      at: '2026-11-24T09:30:00.000Z',
      failed: { label: 'Server found and owned', detail: 'No server is chosen.', hint: 'Choose a server.' },
    });
    expect(overview.latest.map((row) => row.id)).toEqual(SEED.map(([id]) => id).sort((a, b) => order(b) - order(a)));
  });

  it('lists only the 10 newest requests, newest first', async () => {
    const invitations = createInvitationsRepository(database.db);
    for (let i = 0; i < 5; i += 1) await invitations.insert(invitationRow(`extra-${i}`, 'sent', `2026-11-24T10:0${i}:00.000Z`));
    const { latest } = await dashboard.overview();
    expect(latest).toHaveLength(10);
    expect(latest.slice(0, 3).map((row) => row.id)).toEqual(['now', 'today-late', 'extra-4']);
    expect(latest.at(-1)!.id).toBe('yesterday-end');
    expect(latest[0]).toEqual({ id: 'now', identifier: 'friend-now@example.com', status: 'failed', joined_with: 'email', created_at: '2026-11-24T12:00:00.000Z' });
    // A Plex sign-in is marked on the dashboard: the list says how each friend joined.
    expect(latest.find((row) => row.id === 'joined')).toMatchObject({ status: 'accepted', joined_with: 'plex' });
  });

  it('counts requests waiting for approval and declined ones, and moves them when the owner decides', async () => {
    const before = (await dashboard.stats()).windows.today;
    const invitations = createInvitationsRepository(database.db);
    await invitations.insert(invitationRow('wait-old', 'awaiting_approval', '2026-11-24T08:00:00.000Z'));
    await invitations.insert(invitationRow('wait-new', 'awaiting_approval', '2026-11-24T09:00:00.000Z'));
    let after = (await dashboard.stats()).windows.today;
    expect(after.awaiting_approval - before.awaiting_approval).toBe(2);
    expect(after.total - before.total).toBe(2);
    statements.length = 0;
    const overview = await dashboard.overview();
    expect(overview.awaiting.map((row) => row.id)).toEqual(['wait-old', 'wait-new']);
    expect(statements).toHaveLength(4);

    // Approved (pending, then sent) and declined: the same requests, counted under their new status.
    const set = (id: string, status: 'pending' | 'declined') => database.db.updateTable('invitations').set({ status }).where('id', '=', id).execute();
    await set('wait-old', 'pending');
    await set('wait-new', 'declined');
    after = (await dashboard.stats()).windows.today;
    expect(after.awaiting_approval - before.awaiting_approval).toBe(0);
    expect(after.pending - before.pending).toBe(1);
    expect(after.declined - before.declined).toBe(1);
    expect(after.total - before.total).toBe(2);
    expect((await dashboard.overview()).awaiting).toEqual([]);
  });
});

const order = (id: string): number => Date.parse(SEED.find(([seedId]) => seedId === id)![2]);
