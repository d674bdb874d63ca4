import { afterAll, beforeAll, expect, it } from 'vitest';
import { invitationRow } from '../../../bench/invitation-rows.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { createInvitationsRepository } from '../invitations/invitations.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import { createDashboardService, STATUSES } from './dashboard.service.js';
import { createStatsRepository } from './stats.repository.js';

// Now is 2026-12-01 06:00 UTC: Nov 30 22:00 in Los Angeles, Dec 1 07:00 in Berlin.
const NOW = '2026-12-01T06:00:00.000Z';
const SEED = [
  // Nov 30 21:00 in Los Angeles, Dec 1 06:00 in Berlin: the example from issue 19.
  ['early-utc-morning', 'sent', '2026-12-01T05:00:00.000Z'],
  // Nov 1 23:30 in Los Angeles (PST, the clocks went back that morning: a 25-hour day); Nov 2 08:30
  // in Berlin, the first of Berlin's 30 days.
  ['long-day-end', 'failed', '2026-11-02T07:30:00.000Z'],
  // Outside every 30 days: only in all time.
  ['old', 'pending', '2026-10-01T12:00:00.000Z'],
] as const;

describeDialects('dashboard counts by the owner\'s local days on %s', (dialect) => {
  let database: TestDatabase;

  const dashboardIn = (timeZone: string | null) =>
    createDashboardService({
      stats: createStatsRepository(database.db),
      clock: fixedClock(NOW),
      connectionTests: { load: async () => undefined },
      setup: { isReady: async () => true },
      settings: { get: async () => ({ joinMode: 'open', timeZone }) as Awaited<ReturnType<SettingsService['get']>> },
    });

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const invitations = createInvitationsRepository(database.db);
    for (const [id, status, at] of SEED) await invitations.insert(invitationRow(id, status, at));
  });
  afterAll(() => database.close());

  it('counts a request at 05:00 UTC on Dec 1 as today on Nov 30 in Los Angeles, on its last bar', async () => {
    const { windows, perDay } = await dashboardIn('America/Los_Angeles').stats();
    expect(perDay).toHaveLength(30);
    expect(perDay[29]).toMatchObject({ day: '2026-11-30', sent: 1, total: 1 });
    expect(perDay[0]!.day).toBe('2026-11-01');
    expect(windows.today).toMatchObject({ sent: 1, total: 1 });
    expect(windows.week.total).toBe(1);
    expect(windows.month).toMatchObject({ sent: 1, failed: 1, total: 2 });
    expect(windows.all.total).toBe(3);
  });

  it('puts the last hour of a 25-hour day (clocks going back) in that day, not the next', async () => {
    const { perDay } = await dashboardIn('America/Los_Angeles').stats();
    const filled = perDay.filter((d) => d.total > 0).map((d) => [d.day, d.total]);
    expect(filled).toEqual([['2026-11-01', 1], ['2026-11-30', 1]]);
  });

  it('counts the same request as today on Dec 1 in Berlin', async () => {
    const { windows, perDay } = await dashboardIn('Europe/Berlin').stats();
    expect(perDay[29]).toMatchObject({ day: '2026-12-01', sent: 1, total: 1 });
    expect(perDay[0]!.day).toBe('2026-11-02');
    expect(windows.today).toMatchObject({ sent: 1, total: 1 });
    expect(perDay.filter((d) => d.total > 0).map((d) => d.day)).toEqual(['2026-11-02', '2026-12-01']);
  });

  it('sums accepted into the local windows like every other status (issue 12)', async () => {
    const invitations = createInvitationsRepository(database.db);
    // Nov 30 20:00 in Los Angeles.
    await invitations.insert({ ...invitationRow('joined', 'accepted', '2026-12-01T04:00:00.000Z'), joined_with: 'plex', plex_account_id: '4242' });
    try {
      const { windows, perDay } = await dashboardIn('America/Los_Angeles').stats();
      expect(perDay[29]).toMatchObject({ day: '2026-11-30', sent: 1, accepted: 1, total: 2 });
      // Each window's statuses add up to its total: none is left out of the sums.
      for (const counts of Object.values(windows)) expect(STATUSES.reduce((sum, status) => sum + counts[status], 0)).toBe(counts.total);
      expect(windows.today).toMatchObject({ sent: 1, accepted: 1, total: 2 });
      expect(windows.week).toMatchObject({ accepted: 1, total: 2 });
      expect(windows.month).toMatchObject({ accepted: 1, total: 3 });
      expect(windows.all).toMatchObject({ accepted: 1, total: 4 });
    } finally {
      await database.db.deleteFrom('invitations').where('id', '=', 'joined').execute();
    }
  });

  it('keeps UTC days when no zone is chosen (or UTC is)', async () => {
    for (const zone of [null, 'UTC']) {
      const { windows, perDay } = await dashboardIn(zone).stats();
      expect(perDay[29]).toMatchObject({ day: '2026-12-01', sent: 1, total: 1 });
      expect(windows.today.total).toBe(1);
      expect(perDay.find((d) => d.day === '2026-11-02')!.failed).toBe(1);
    }
  });
});
