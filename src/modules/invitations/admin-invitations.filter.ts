import type { InvitationStatus } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import { pageFromQuery } from '../../paging.js';
import { dayStartIn, nextDay, UTC } from '../../time-zone.js';
import { STATUS_LABELS } from './invitation-status.js';

/** Every status, in the labels' order: a status added to the schema (accepted) has a label, so the filter and the API know it too. */
export const INVITATION_STATUSES = Object.keys(STATUS_LABELS) as readonly InvitationStatus[];
export const STATUS_FILTERS = ['all', ...INVITATION_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/** What the admin list, the CSV export and the API filter by; dates are whole days in `timeZone`. */
export interface InvitationFilter {
  status: StatusFilter;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  /** YYYY-MM-DD, inclusive. */
  to?: string;
  /** Part of an email address or username. */
  q?: string;
  /** The zone whose days `from` and `to` are: the owner's on admin pages; UTC when absent (the API). */
  timeZone?: string;
}

/** The same filter as SQL bounds: created_at in [fromIso, beforeIso), identifier containing `contains`. */
export interface InvitationQuery {
  status?: InvitationStatus;
  fromIso?: string;
  beforeIso?: string;
  contains?: string;
}

export const MAX_SEARCH_LENGTH = 100;

/** When `day` begins in `zone` (local midnight, whatever the clocks do that day). */
function dayStart(value: string, field: 'from' | 'to', zone: string): Date {
  const date = new Date(`${value}T00:00:00.000Z`);
  // new Date() rolls 2026-02-31 over to March; a date that does not round-trip is not a date.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    const message = 'Use a date like 2026-11-24.';
    throw new AppError('invitations.invalid_date', message, { status: 400, fields: { [field]: message } });
  }
  return zone === UTC ? date : (dayStartIn(value, zone) ?? date);
}

/** When the day after `to` begins in `zone`; undefined after 9999-12-31, which nothing comes after. */
function dayEnd(to: string, zone: string): Date | undefined {
  dayStart(to, 'to', zone);
  const next = nextDay(to);
  return /^\d{4}-/.test(next) ? dayStart(next, 'to', zone) : undefined;
}

const REVERSED_MESSAGE = 'This date is before the From date.';

/** Turns a validated filter into SQL bounds; an impossible date, or a range that ends before it starts, is a 400 naming the field. */
export function toInvitationQuery(filter: InvitationFilter): InvitationQuery {
  const q = filter.q?.trim().toLowerCase();
  // YYYY-MM-DD strings compare as the days do; both are checked as dates below.
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new AppError('invitations.reversed_dates', `The range ends before it starts: ${filter.to} is before ${filter.from}.`, { status: 400, fields: { to: REVERSED_MESSAGE } });
  }
  return {
    status: filter.status === 'all' ? undefined : filter.status,
    fromIso: filter.from ? dayStart(filter.from, 'from', filter.timeZone ?? UTC).toISOString() : undefined,
    beforeIso: filter.to ? dayEnd(filter.to, filter.timeZone ?? UTC)?.toISOString() : undefined,
    contains: q ? q.slice(0, MAX_SEARCH_LENGTH) : undefined,
  };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * A filter from a page's query string, forgiving: an unknown status shows everything, a page
 * number that is not one shows page 1 (see pageFromQuery). Dates are checked later (toInvitationQuery).
 */
export function filterFromQuery(query: Record<string, unknown>): { filter: InvitationFilter; page: number } {
  const status = STATUS_FILTERS.find((s) => s === query.status) ?? 'all';
  return {
    filter: { status, from: text(query.from), to: text(query.to), q: text(query.q)?.slice(0, MAX_SEARCH_LENGTH) },
    page: pageFromQuery(query.page),
  };
}

/** The query string of a filter (and page), for links that keep the current view. */
export function filterQueryString(filter: InvitationFilter, page?: number): string {
  const params = new URLSearchParams();
  if (filter.status !== 'all') params.set('status', filter.status);
  if (filter.from) params.set('from', filter.from);
  if (filter.to) params.set('to', filter.to);
  if (filter.q) params.set('q', filter.q);
  if (page && page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

/**
 * For pages: drops dates that are not dates and says why beside the field, instead of failing.
 * `shown` is what the date fields keep: a reversed To date stays typed in, only the filter drops it.
 */
export function withValidDates(filter: InvitationFilter): { filter: InvitationFilter; errors: Record<string, string>; shown: { from?: string; to?: string } } {
  const errors: Record<string, string> = {};
  const checked = { ...filter };
  for (const field of ['from', 'to'] as const) {
    try {
      toInvitationQuery({ status: 'all', [field]: filter[field] });
    } catch (error) {
      if (!(error instanceof AppError) || !error.fields) throw error;
      errors[field] = error.message;
      checked[field] = undefined;
    }
  }
  // A range that ends before it starts matches nothing: say so, and filter from the From date on.
  const shown = { from: checked.from, to: checked.to };
  if (checked.from && checked.to && checked.from > checked.to) {
    errors.to = REVERSED_MESSAGE;
    checked.to = undefined;
  }
  return { filter: checked, errors, shown };
}
