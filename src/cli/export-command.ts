import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { csvLine, invitationsCsv } from '../modules/invitations/admin-invitations.csv.js';
import type { InviteCodeView } from '../modules/invite-codes/invite-codes.models.js';
import { usersCsv } from '../modules/users/users.page.js';
import { usageError, type CliIo } from './cli-io.js';

const USAGE = 'Usage: helpr export [--format json|csv] [--only invitations|users|codes]   (CSV holds one table: --only is needed)';
const TABLES = ['invitations', 'users', 'codes'] as const;
type Table = (typeof TABLES)[number];
/** How long the export waits for Plex's library names; without them, libraries are named by key. */
const TITLES_WAIT_MS = 3000;

async function all<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function allCodes(deps: Deps): Promise<InviteCodeView[]> {
  const codes: InviteCodeView[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await deps.services.codes.listCodes({ limit: 500, offset });
    codes.push(...page);
    if (page.length < 500) return codes;
  }
}

const CODE_COLUMNS: Array<[string, (code: InviteCodeView) => string | number | null]> = [
  ['id', (code) => code.id],
  ['code', (code) => code.code],
  ['label', (code) => code.label],
  ['created_at', (code) => code.createdAt],
  ['expires_at', (code) => code.expiresAt],
  ['max_uses', (code) => code.maxUses],
  ['uses', (code) => code.uses],
  ['state', (code) => code.state],
  ['revoked_at', (code) => code.revokedAt],
  ['libraries', (code) => (code.libraries ?? []).join(' ')],
  ['access_days', (code) => code.accessDays],
  ['access_starts_on', (code) => code.accessStartsOn],
  ['created_by', (code) => code.createdBy],
];

function codesCsv(codes: InviteCodeView[]): Readable {
  return Readable.from([csvLine(CODE_COLUMNS.map(([header]) => header)), ...codes.map((code) => csvLine(CODE_COLUMNS.map(([, value]) => value(code))))]);
}

/**
 * `helpr export`: the invitations, the people with access and the invite codes, as one JSON
 * document or one table as CSV (the same columns as the admin area's CSV downloads), on stdout.
 * Secrets (tokens, password hashes, API keys) are never part of it.
 */
export async function exportData(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { format: { type: 'string', default: 'json' }, only: { type: 'string' } }, strict: true });
  if (values.format !== 'json' && values.format !== 'csv') throw usageError(USAGE);
  if (values.only !== undefined && !(TABLES as readonly string[]).includes(values.only)) throw usageError(USAGE);
  const only = values.only as Table | undefined;
  if (values.format === 'csv' && !only) throw usageError(USAGE);
  const titles = await Promise.race([deps.services.adminInvitations.libraryTitles().catch(() => ({})), new Promise<Record<string, string>>((resolve) => setTimeout(() => resolve({}), TITLES_WAIT_MS).unref())]);
  const wanted = (table: Table) => only === undefined || only === table;

  if (values.format === 'csv') {
    const stream =
      only === 'invitations' ? invitationsCsv(deps.services.adminInvitations.exportAll({ status: 'all' }), titles) : only === 'users' ? usersCsv(deps.services.users.exportAll({}), titles) : codesCsv(await allCodes(deps));
    await pipeline(stream, io.stdout, { end: false });
    return;
  }
  const document = {
    exportedAt: deps.clock.now().toISOString(),
    ...(wanted('invitations') ? { invitations: await all(deps.services.adminInvitations.exportAll({ status: 'all' })) } : {}),
    ...(wanted('users') ? { users: await all(deps.services.users.exportAll({})) } : {}),
    ...(wanted('codes') ? { codes: await allCodes(deps) } : {}),
  };
  io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
