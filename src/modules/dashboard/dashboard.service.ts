import type { Clock } from '../../clock.js';
import type { InvitationStatus } from '../../db/schema.js';
import type { ConnectionTests } from '../plex/last-test.js';
import type { SetupStatus } from '../public/setup-status.js';
import type { JoinMode } from '../settings/join-mode.js';
import type { SettingsService } from '../settings/settings.service.js';
import { dayStartIn, nextDay, UTC, wallTimeAt } from '../../time-zone.js';
import { STATUS_LABELS } from '../invitations/invitation-status.js';
import type { AwaitingInvitation, LatestInvitation, StatsRepository } from './stats.repository.js';

/**
 * Every status, in the labels' order. Taken from the labels (a Record over the status type), so a
 * new status (accepted) is counted, summed into the windows and drawn without another list to update.
 */
export const STATUSES = Object.keys(STATUS_LABELS) as readonly InvitationStatus[];
/**
 * The invites that reached Plex, what the dashboard and the API call successful: accepted (the
 * friend can watch now) and sent (the share exists, the friend still accepts it in Plex). Already
 * shared and already invited are left out: Plex had them before, nothing new was shared.
 */
export const SUCCESSFUL_STATUSES = ['accepted', 'sent'] as const satisfies readonly InvitationStatus[];
export const successfulOf = (counts: StatusCounts): number => SUCCESSFUL_STATUSES.reduce((sum, status) => sum + counts[status], 0);
export const CHART_DAYS = 30;
const LATEST_COUNT = 10;
/** Requests shown in the dashboard's approval card; the invitations list has the rest. */
export const AWAITING_SHOWN = 10;
const DAY_MS = 86_400_000;

export type StatusCounts = Record<InvitationStatus, number>;
export type Counts = StatusCounts & { total: number };
export type DayCounts = Counts & { day: string };

export interface DashboardStats {
  /** Today, the last 7 and the last 30 days in the owner's zone (each including today), and all time. */
  windows: { today: Counts; week: Counts; month: Counts; all: Counts };
  /** Every one of the last 30 days in the owner's zone (UTC until one is chosen), oldest first, zeros included. */
  perDay: DayCounts[];
}

export interface LastTestSummary {
  ok: boolean;
  at: string;
  failed?: { label: string; detail: string; hint?: string };
}

export interface DashboardOverview extends DashboardStats {
  latest: LatestInvitation[];
  /** Oldest first, at most AWAITING_SHOWN; how many wait in all is windows.all.awaiting_approval. */
  awaiting: AwaitingInvitation[];
  joinMode: JoinMode;
  lastTest?: LastTestSummary;
  setupComplete: boolean;
}

const emptyCounts = (): Counts => ({ ...(Object.fromEntries(STATUSES.map((status) => [status, 0])) as StatusCounts), total: 0 });

/** Midnight UTC `daysBack` days before `now`'s day. */
function utcDayStart(now: Date, daysBack: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - daysBack * DAY_MS);
}

const pad = (value: number) => String(value).padStart(2, '0');

/** The day (YYYY-MM-DD) a clock on the wall in `zone` shows at `now`. */
function localDay(now: Date, zone: string): string {
  const wall = wallTimeAt(now.getTime(), zone);
  return `${String(wall.year).padStart(4, '0')}-${pad(wall.month)}-${pad(wall.day)}`;
}

const previousDay = (day: string) => new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);

function addCounts(into: Counts, from: Counts): void {
  for (const status of STATUSES) into[status] += from[status];
  into.total += from.total;
}

/**
 * The admin dashboard and GET /api/v1/stats: a few aggregate statements (never one per row) and no
 * Plex call; the connection test shown is the stored result of the last one run.
 */
export function createDashboardService(deps: {
  stats: StatsRepository;
  clock: Clock;
  connectionTests: Pick<ConnectionTests, 'load'>;
  setup: Pick<SetupStatus, 'isReady'>;
  settings: Pick<SettingsService, 'get'>;
}) {
  /**
   * Days are the owner's days (issue 19: a request at 21:00 in Los Angeles belongs to that evening,
   * not to tomorrow's UTC bar). In UTC the per-UTC-day table (migration 0003) answers, as fast as
   * ever. Elsewhere that table cannot be regrouped (a local day straddles two UTC days, and zones
   * like India's are not whole hours off), so the 30 local days come from the invitations
   * themselves: one statement grouping the rows created since the first local midnight into the
   * ranges between local midnights (each found with the zone's own offsets, so a day with a clock
   * change is 23 or 25 hours long), on the (created_at, status) index. 30 days of requests is little
   * for a self-hosted server; all-time totals still come from the table. Simpler than a second,
   * per-zone table that would need rebuilding whenever the owner changes zone.
   */
  async function stats(): Promise<DashboardStats> {
    const now = deps.clock.now();
    const zone = (await deps.settings.get()).timeZone ?? UTC;
    return zone === UTC ? utcStats(now) : localStats(now, zone);
  }

  async function localStats(now: Date, zone: string): Promise<DashboardStats> {
    const days = [localDay(now, zone)];
    while (days.length < CHART_DAYS) days.unshift(previousDay(days[0]!));
    const bounds = [...days, nextDay(days.at(-1)!)].map((day) => dayStartIn(day, zone)!.toISOString());
    const [byStatus, rangeRows] = await Promise.all([
      deps.stats.countsByStatus({ today: bounds[CHART_DAYS - 1]!, week: bounds[CHART_DAYS - 7]!, month: bounds[0]! }),
      deps.stats.countsPerRange(bounds),
    ]);
    const perDay: DayCounts[] = days.map((day) => ({ day, ...emptyCounts() }));
    for (const row of rangeRows) {
      const bucket = perDay[row.range];
      if (!bucket) continue;
      bucket[row.status] += row.count;
      bucket.total += row.count;
    }
    const windows = { today: emptyCounts(), week: emptyCounts(), month: emptyCounts(), all: emptyCounts() };
    perDay.forEach((day, index) => {
      addCounts(windows.month, day);
      if (index >= CHART_DAYS - 7) addCounts(windows.week, day);
      if (index === CHART_DAYS - 1) addCounts(windows.today, day);
    });
    for (const row of byStatus) {
      windows.all[row.status] += row.total;
      windows.all.total += row.total;
    }
    return { windows, perDay };
  }

  async function utcStats(now: Date): Promise<DashboardStats> {
    const iso = (daysBack: number) => utcDayStart(now, daysBack).toISOString();
    const [byStatus, perDayRows] = await Promise.all([
      deps.stats.countsByStatus({ today: iso(0), week: iso(6), month: iso(CHART_DAYS - 1) }),
      deps.stats.countsPerDay(iso(CHART_DAYS - 1)),
    ]);

    const windows = { today: emptyCounts(), week: emptyCounts(), month: emptyCounts(), all: emptyCounts() };
    for (const row of byStatus) {
      const values = { today: row.today, week: row.week, month: row.month, all: row.total };
      for (const name of Object.keys(windows) as Array<keyof typeof windows>) {
        windows[name][row.status] += values[name];
        windows[name].total += values[name];
      }
    }

    const days = new Map<string, DayCounts>();
    for (let back = CHART_DAYS - 1; back >= 0; back -= 1) {
      const day = iso(back).slice(0, 10);
      days.set(day, { day, ...emptyCounts() });
    }
    for (const row of perDayRows) {
      const bucket = days.get(row.day);
      // A row stamped after today (another instance's clock running ahead) has no bar to go in.
      if (!bucket) continue;
      bucket[row.status] += row.count;
      bucket.total += row.count;
    }
    return { windows, perDay: [...days.values()] };
  }

  return {
    stats,

    async overview(): Promise<DashboardOverview> {
      const [counts, latest, report, setupComplete, settings] = await Promise.all([
        stats(),
        deps.stats.latest(LATEST_COUNT),
        deps.connectionTests.load(),
        deps.setup.isReady(),
        deps.settings.get(),
      ]);
      // The counts say whether anyone waits for approval: the list is read only then.
      const awaiting = counts.windows.all.awaiting_approval > 0 ? await deps.stats.awaitingApproval(AWAITING_SHOWN) : [];
      const failedStep = report?.steps.find((step) => step.status === 'failed');
      const lastTest = report && {
        ok: report.ok,
        at: report.startedAt,
        failed: failedStep && { label: failedStep.label, detail: failedStep.detail, hint: failedStep.hint },
      };
      return { ...counts, latest, awaiting, joinMode: settings.joinMode, lastTest, setupComplete };
    },

    /** The API's shape: all-time totals (all, successful) and by status, and the per-day series, by UTC day like the rest of the API. */
    async apiStats(): Promise<{ total: number; successful: number; byStatus: StatusCounts; perDay: DayCounts[] }> {
      const { windows, perDay } = await utcStats(deps.clock.now());
      const { total, ...byStatus } = windows.all;
      return { total, successful: successfulOf(byStatus), byStatus, perDay };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
