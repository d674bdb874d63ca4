import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STATUSES, type Counts, type DashboardOverview } from './dashboard.service.js';
import { dashboardPage } from './dashboard.view.js';

const counts = (values: Partial<Counts>): Counts => {
  const all = Object.fromEntries(STATUSES.map((status) => [status, values[status] ?? 0])) as Counts;
  return { ...all, total: STATUSES.reduce((sum, status) => sum + all[status], 0) };
};

function overview(): DashboardOverview {
  const perDay = Array.from({ length: 30 }, (_, i) => ({ day: `2026-11-${String(i + 1).padStart(2, '0')}`, ...counts(i === 29 ? { accepted: 2, sent: 1, failed: 1 } : {}) }));
  return {
    windows: {
      today: counts({ accepted: 2, sent: 1, failed: 1 }),
      week: counts({ accepted: 2, sent: 3, already_shared: 1 }),
      month: counts({ accepted: 4, sent: 5, already_invited: 2 }),
      all: counts({ accepted: 4, sent: 10, already_shared: 3, already_invited: 2, pending: 1 }),
    },
    perDay,
    latest: [],
    awaiting: [],
    joinMode: 'open',
    setupComplete: true,
  };
}

describe('dashboard page data', () => {
  it('counts accepted and sent as successful in every window, not already shared or already invited', () => {
    expect(dashboardPage(overview()).successful).toEqual({ today: 3, week: 5, month: 9, all: 14 });
  });

  it('draws accepted as its own series, apart from sent', () => {
    const chart = JSON.parse(dashboardPage(overview()).chartJson) as { series: Array<{ status: string; label: string; data: number[] }> };
    const accepted = chart.series.find((series) => series.status === 'accepted');
    expect(accepted).toMatchObject({ label: 'Accepted' });
    expect(accepted!.data.at(-1)).toBe(2);
    expect(chart.series.find((series) => series.status === 'sent')!.data.at(-1)).toBe(1);
    expect(chart.series.map((series) => series.status)).toEqual([...STATUSES]);
  });

  it('gives every status a colour of its own in the chart script', () => {
    const script = readFileSync(new URL('../../static/js/dashboard-chart.js', import.meta.url), 'utf8');
    const block = /var colorVariables = \{([\s\S]*?)\};/.exec(script)![1]!;
    const colours = Object.fromEntries([...block.matchAll(/^\s*(\w+): '([^']+)'/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(colours).sort()).toEqual([...STATUSES].sort());
    // Accepted and sent are told apart on the chart as in the table.
    expect(colours.accepted).not.toBe(colours.sent);
  });
});
