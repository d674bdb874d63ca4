import { UTC, wallTimeAt, zoneOffsetMs } from './time-zone.js';

/**
 * Times as the owner reads them, in one format everywhere in the admin area:
 * "2026-11-24 13:00 CET". Year first reads the same in every country and sorts as text; the zone's
 * abbreviation says which clock is meant (and changes with summer time).
 */

// Each English locale knows the abbreviations of its own region (en-US: EST, en-GB: CET, en-AU:
// AEST); tried in turn until one is not a bare "GMT+1".
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-CA', 'en-IN', 'en-IE', 'en-NZ', 'en-ZA'];
const abbreviations = new Map<string, string>();

/** "CET", "EDT", "UTC", or "UTC+9" where no abbreviation is in use. Cached per zone and offset. */
export function zoneAbbreviation(instantMs: number, zone: string): string {
  const key = `${zone}|${zoneOffsetMs(instantMs, zone)}`;
  let abbreviation = abbreviations.get(key);
  if (abbreviation === undefined) {
    for (const locale of ABBREVIATION_LOCALES) {
      const parts = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }).formatToParts(instantMs);
      abbreviation = parts.find((part) => part.type === 'timeZoneName')?.value ?? UTC;
      if (!/^GMT[+-]/.test(abbreviation)) break;
    }
    // "GMT+9" says the same as "UTC+9", and the pages speak of UTC.
    abbreviation = abbreviation!.replace(/^GMT(?=[+-])/, 'UTC');
    abbreviations.set(key, abbreviation);
  }
  return abbreviation;
}

const two = (n: number): string => String(n).padStart(2, '0');

export interface TimeFormatOptions {
  /** Down to the second (the audit log). */
  seconds?: boolean;
  /** Without the zone's abbreviation (a CSV column whose header names the zone). */
  bare?: boolean;
}

/** "2026-11-24 13:00 CET" for an ISO-8601 instant in `zone`; '' for none; the text itself when it is not a time. */
export function formatTime(value: string | Date | null | undefined, zone: string = UTC, options: TimeFormatOptions = {}): string {
  if (value === null || value === undefined || value === '') return '';
  const instant = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(instant)) return String(value);
  const wall = wallTimeAt(instant, zone);
  const time = `${two(wall.hour)}:${two(wall.minute)}${options.seconds ? `:${two(wall.second)}` : ''}`;
  const text = `${wall.year}-${two(wall.month)}-${two(wall.day)} ${time}`;
  return options.bare ? text : `${text} ${zoneAbbreviation(instant, zone)}`;
}

/** The value of a datetime-local field showing `iso` in `zone` ("2026-11-24T13:00"). */
export function localInputValue(iso: string, zone: string): string {
  const wall = wallTimeAt(Date.parse(iso), zone);
  return `${wall.year}-${two(wall.month)}-${two(wall.day)}T${two(wall.hour)}:${two(wall.minute)}`;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** "America/New York": the IANA name as people write it. */
export const zoneLabel = (name: string): string => name.replaceAll('_', ' ');

/** The zone every admin page shows times in. `chosen` is false until the owner picks one (UTC meanwhile). */
export interface PageTimeZone {
  name: string;
  label: string;
  chosen: boolean;
}

/**
 * What every template gets: `it.timeZone`, `it.localTime(iso)` (text) and `it.timeTag(iso)` (a
 * <time> element carrying the UTC instant, printed with <%~ %>).
 */
export function timeViewHelpers(ownerZone: string | undefined) {
  const timeZone: PageTimeZone = { name: ownerZone ?? UTC, label: zoneLabel(ownerZone ?? UTC), chosen: ownerZone !== undefined };
  const localTime = (iso: string | null | undefined, options?: TimeFormatOptions): string => formatTime(iso, timeZone.name, options);
  const timeTag = (iso: string | null | undefined, options?: TimeFormatOptions): string =>
    iso ? `<time datetime="${escapeHtml(iso)}">${escapeHtml(localTime(iso, options))}</time>` : '';
  return { timeZone, localTime, timeTag };
}
