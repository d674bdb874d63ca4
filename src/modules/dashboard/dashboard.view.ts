import { formatTime } from '../../time-format.js';
import { UTC } from '../../time-zone.js';
import { STATUS_BADGES, STATUS_LABELS } from '../invitations/invitation-status.js';
import { joinModeChoice } from '../settings/join-mode.js';
import { STATUSES, successfulOf, type DashboardOverview } from './dashboard.service.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Nov 24" for a YYYY-MM-DD day. */
export function shortDay(day: string): string {
  return `${MONTHS[Number(day.slice(5, 7)) - 1]} ${Number(day.slice(8, 10))}`;
}


/** What the template needs: the overview, labels, and the chart's series for dashboard-chart.js. */
export function dashboardPage(overview: DashboardOverview, timeZone: string = UTC) {
  const chart = {
    labels: overview.perDay.map((d) => shortDay(d.day)),
    series: STATUSES.map((status) => ({ status, label: STATUS_LABELS[status], data: overview.perDay.map((d) => d[status]) })),
  };
  return {
    title: 'Dashboard',
    section: '/admin',
    scripts: ['/vendor/chart.js/chart.umd.js', '/static/js/dashboard-chart.js'],
    overview,
    joinMode: joinModeChoice(overview.joinMode),
    awaitingTotal: overview.windows.all.awaiting_approval,
    // The invites that reached Plex per window (accepted + sent), the row under the statuses.
    successful: {
      today: successfulOf(overview.windows.today),
      week: successfulOf(overview.windows.week),
      month: successfulOf(overview.windows.month),
      all: successfulOf(overview.windows.all),
    },
    statuses: STATUSES,
    // Short headings on a phone, where the full ones would make the table scroll sideways.
    windowHeadings: [['7 d', '7 days'], ['30 d', '30 days'], ['All', 'All time']],
    labels: STATUS_LABELS,
    badges: STATUS_BADGES,
    chartJson: JSON.stringify(chart),
    shortDay,
    // Times and days in the owner's zone, like every admin page (UTC until one is chosen).
    daysIn: timeZone === UTC ? 'UTC days' : `days in the ${timeZone} time zone`,
    shortTime: (iso: string) => formatTime(iso, timeZone),
    n: (value: number) => value.toLocaleString('en-US'),
  };
}
