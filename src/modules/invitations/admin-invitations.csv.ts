import { Readable } from 'node:stream';
import { formatTime } from '../../time-format.js';
import { UTC } from '../../time-zone.js';
import type { InvitationView } from './admin-invitations.models.js';

type Titles = Record<string, string>;

/** "2026-11-24 13:00:05" in the owner's zone: a spreadsheet reads it as a date and time. */
const local = (iso: string | null, zone: string): string | null => (iso ? formatTime(iso, zone, { seconds: true, bare: true }) : null);

/** Keys shown by title; a code made through the API may store titles, shown as they are. */
function libraryNames(keys: string[], titles: Titles): string {
  const known = new Set(Object.values(titles));
  return keys.map((key) => titles[key] ?? (known.has(key) ? key : `library ${key}`)).join(', ');
}

/**
 * Libraries by name for the reader; their keys in the last column, for scripts.
 *
 * Times are exported twice, on purpose. The *_at columns stay ISO-8601 UTC: unambiguous (a local
 * time repeats when the clocks go back), sortable as text, the same as the API, and what scripts
 * already read. The *_local columns come after every older column, so no script's column numbers
 * move; they are the owner's wall-clock time, for the person filtering by their own days in a
 * spreadsheet, and time_zone names the zone they are in. Columns added later (joined_with,
 * plex_account_id) go after these for the same reason.
 */
const COLUMNS: Array<[header: string, value: (row: InvitationView, titles: Titles, zone: string) => string | number | null]> = [
  ['id', (row) => row.id],
  ['created_at', (row) => row.createdAt],
  ['identifier', (row) => row.identifier],
  ['identifier_kind', (row) => row.identifierKind],
  ['status', (row) => row.status],
  ['source', (row) => row.source],
  ['code', (row) => row.code],
  ['libraries', (row, titles) => libraryNames(row.libraries, titles)],
  ['attempts', (row) => row.attempts],
  ['last_error', (row) => row.error],
  ['sent_at', (row) => row.sentAt],
  ['client_ip', (row) => row.clientIp],
  ['created_local', (row, _titles, zone) => local(row.createdAt, zone)],
  ['sent_local', (row, _titles, zone) => local(row.sentAt, zone)],
  ['time_zone', (_row, _titles, zone) => zone],
  ['library_keys', (row) => row.libraries.join(' ')],
  // Join with Plex (issue 12): appended, so no older column moves.
  ['joined_with', (row) => row.joinedWith],
  ['plex_account_id', (row) => row.plexAccountId],
];

/**
 * One CSV field, always quoted (RFC 4180). Text a spreadsheet would run as a formula (starting with
 * = + - @, or a tab or carriage return that hides one) gets a leading quote: friends choose their
 * usernames, and the owner opens this file in Excel.
 */
export function csvCell(value: string | number | null): string {
  let text = value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

export const csvLine = (cells: Array<string | number | null>): string => `${cells.map(csvCell).join(',')}\r\n`;

export const CSV_HEADER = csvLine(COLUMNS.map(([header]) => header));

/** The export as a stream: rows are read page by page as the client takes them. */
export function invitationsCsv(rows: AsyncIterable<InvitationView>, titles: Titles = {}, timeZone: string = UTC): Readable {
  return Readable.from(
    (async function* lines() {
      yield CSV_HEADER;
      for await (const row of rows) yield csvLine(COLUMNS.map(([, value]) => value(row, titles, timeZone)));
    })(),
  );
}

export const csvFilename = (nowIso: string): string => `helpr-invitations-${nowIso.slice(0, 10)}.csv`;
