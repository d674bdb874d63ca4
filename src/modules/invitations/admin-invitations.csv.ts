import { Readable } from 'node:stream';
import type { InvitationView } from './admin-invitations.models.js';

const COLUMNS: Array<[header: string, value: (row: InvitationView) => string | number | null]> = [
  ['id', (row) => row.id],
  ['created_at', (row) => row.createdAt],
  ['identifier', (row) => row.identifier],
  ['identifier_kind', (row) => row.identifierKind],
  ['status', (row) => row.status],
  ['source', (row) => row.source],
  ['code', (row) => row.code],
  ['libraries', (row) => row.libraries.join(' ')],
  ['attempts', (row) => row.attempts],
  ['last_error', (row) => row.error],
  ['sent_at', (row) => row.sentAt],
  ['client_ip', (row) => row.clientIp],
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

const csvLine = (cells: Array<string | number | null>): string => `${cells.map(csvCell).join(',')}\r\n`;

export const CSV_HEADER = csvLine(COLUMNS.map(([header]) => header));

/** The export as a stream: rows are read page by page as the client takes them. */
export function invitationsCsv(rows: AsyncIterable<InvitationView>): Readable {
  return Readable.from(
    (async function* lines() {
      yield CSV_HEADER;
      for await (const row of rows) yield csvLine(COLUMNS.map(([, value]) => value(row)));
    })(),
  );
}

export const csvFilename = (nowIso: string): string => `helpr-invitations-${nowIso.slice(0, 10)}.csv`;
