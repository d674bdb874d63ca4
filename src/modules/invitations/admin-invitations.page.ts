import { STATUS_FILTERS, filterQueryString, type InvitationFilter } from './admin-invitations.filter.js';
import { JOINED_WITH_LABELS, STATUS_BADGES, STATUS_LABELS, STATUS_MEANINGS, canRetryNow, statusMeaning, hasAccessToRevoke, type InvitationView } from './admin-invitations.models.js';
import type { InvitationPage } from './admin-invitations.service.js';
import { failureWords } from './refusals.js';
import { formatTime } from '../../time-format.js';

export const PER_PAGE = 25;

/** Page numbers to link: the first, the last, and two either side of the current one; null is a gap. */
export function pageNumbers(current: number, last: number): Array<number | null> {
  const wanted = [...new Set([1, last, ...[-2, -1, 0, 1, 2].map((d) => current + d)])].filter((n) => n >= 1 && n <= last).sort((a, b) => a - b);
  const numbers: Array<number | null> = [];
  for (const n of wanted) {
    const previous = numbers.at(-1);
    if (typeof previous === 'number' && n - previous > 1) numbers.push(null);
    numbers.push(n);
  }
  return numbers;
}

/** The paging part of a list page: page links (`href(n)` makes one), previous and next, and which rows are shown. */
export function pageLinks(list: { page: number; perPage: number; total: number; items: unknown[] }, href: (n: number) => string) {
  const lastPage = Math.max(1, Math.ceil(list.total / list.perPage));
  return {
    total: list.total,
    page: list.page,
    lastPage,
    pages: pageNumbers(list.page, lastPage).map((n) => (n === null ? null : { n, href: href(n) })),
    previousHref: list.page > 1 ? href(list.page - 1) : undefined,
    nextHref: list.page < lastPage ? href(list.page + 1) : undefined,
    firstShown: list.total === 0 ? 0 : (list.page - 1) * list.perPage + 1,
    lastShown: (list.page - 1) * list.perPage + list.items.length,
  };
}

/** "2026-11-24 13:00 CET" in the owner's zone (the filter's); the UTC instant goes in the datetime attribute. */
const shortTime = (iso: string | null, zone: string | undefined): string => formatTime(iso, zone);

/**
 * The libraries column: what was shared, by name. For access that was there before (or an invite
 * waiting), what Plex's share gives, never the request's wish; "already had access" when Plex did
 * not say. A library whose name is not known shows as "library N".
 */
export function librariesText(item: Pick<InvitationView, 'status' | 'libraries'>, titles: Record<string, string>): string {
  // A code made through the API may name its libraries by title (the row keeps them so): a known title shows as it is.
  const known = new Set(Object.values(titles));
  const names = item.libraries.map((key) => titles[key] ?? (known.has(key) ? key : `library ${key}`)).join(', ');
  if (item.status === 'already_shared') return names ? `had ${names}` : 'already had access';
  if (item.status === 'already_invited') return names ? `invited to ${names}` : 'invite already waiting';
  return names || 'default';
}

/**
 * What Sent and Accepted mean, side by side, once the page shows a Plex sign-in or an accepted
 * row: from then on "Sent" no longer means the end of the road. Pages of typed requests only
 * (every owner's list before Join with Plex) stay as they were.
 */
export function statusLegend(items: Array<Pick<InvitationView, 'status' | 'joinedWith'>>): Array<{ label: string; meaning: string }> {
  if (!items.some((item) => item.status === 'accepted' || item.joinedWith === 'plex')) return [];
  return (['sent', 'accepted'] as const).map((status) => ({ label: STATUS_LABELS[status], meaning: STATUS_MEANINGS[status] }));
}

const shortError = (error: string | null): string => (error && error.length > 80 ? `${error.slice(0, 77)}...` : (error ?? ''));

/** Everything the invitations page template shows, worked out here so the template stays plain. */
export function invitationsPageData(result: InvitationPage, filter: InvitationFilter, errors: Record<string, string>) {
  const back = `/admin/invitations${filterQueryString(filter, result.page)}`;
  return {
    title: 'Invitations',
    section: '/admin/invitations',
    filter,
    errors,
    ...pageLinks(result, (n) => `/admin/invitations${filterQueryString(filter, n)}`),
    csvHref: `/admin/invitations.csv${filterQueryString(filter)}`,
    canRetryAll: result.retryableFailed > 0,
    statuses: STATUS_FILTERS.map((value) => ({ value, label: value === 'all' ? 'All' : STATUS_LABELS[value] })),
    legend: statusLegend(result.items),
    back,
    rows: result.items.map((item) => ({
      ...item,
      statusLabel: STATUS_LABELS[item.status],
      badge: STATUS_BADGES[item.status],
      // Sent and accepted both reached Plex: the badge's title says which one the friend can watch with.
      statusMeaning: statusMeaning(item.status),
      joinedWithLabel: JOINED_WITH_LABELS[item.joinedWith],
      libraryNames: item.libraries.map((key) => result.libraryTitles[key] ?? key),
      librariesText: librariesText(item, result.libraryTitles),
      // Failed rows: the owner's words for Plex's reason; the stored error stays in a disclosure.
      problem: item.status === 'failed' ? failureWords(item.errorKind, item.error).owner : undefined,
      shortError: shortError(item.error),
      created: shortTime(item.createdAt, filter.timeZone),
      sent: shortTime(item.sentAt, filter.timeZone),
      canRetry: canRetryNow(item),
      canApprove: item.status === 'awaiting_approval',
      // Only where someone has access or an invite (never for a request not sent, declined or refused).
      canRevoke: hasAccessToRevoke(item),
    })),
  };
}
