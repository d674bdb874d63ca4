import crypto from 'node:crypto';
import type { AppError } from '../../errors.js';
import { storedPermissions, storedTerms, type AccessStart, type AccessTerms, type Permissions } from '../access/access-terms.js';
import { codeExpiredError, codeRevokedError, codeUsedUpError } from './invite-codes.errors.js';
import type { InviteCodeRow } from './invite-codes.repository.js';

export type InviteCodeState = 'active' | 'expired' | 'used_up' | 'revoked';

export interface InviteCodeView {
  id: string;
  /** As created (custom codes keep the admin's casing); matching uses the normalized form. */
  code: string;
  label: string | null;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  /** null = unlimited. */
  remaining: number | null;
  /** Library keys or titles; null = the server's default libraries. */
  libraries: string[] | null;
  /** Days of access the code gives (null: forever), when it has its own terms (accessStartsOn set). */
  accessDays: number | null;
  /** From when those days count; null: the code follows the default settings' terms. */
  accessStartsOn: AccessStart | null;
  /** The code's own permissions; null: the default settings'. */
  permissions: Permissions | null;
  revoked: boolean;
  revokedAt: string | null;
  state: InviteCodeState;
  createdBy: string | null;
  createdAt: string;
}

/** No 0/O, 1/I/L: codes are read aloud and copied by hand. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const GENERATED_CODE_LENGTH = 8;
export const CUSTOM_CODE_PATTERN = /^[A-Za-z0-9_-]{4,32}$/;

export function generateCode(): string {
  let code = '';
  for (let i = 0; i < GENERATED_CODE_LENGTH; i++) code += CODE_ALPHABET[crypto.randomInt(CODE_ALPHABET.length)];
  return code;
}

/**
 * Codes are case-insensitive: whitespace anywhere is dropped (pasted codes often carry spaces or line
 * breaks) and letters are upper-cased. Dashes and underscores stay significant: a custom code may use
 * them, and "MOVIE-NIGHT" should not also match "MOVIENIGHT".
 */
export const normalizeCode = (input: string): string => input.replace(/\s+/g, '').toUpperCase();

export const joinPath = (code: string): string => `/join/${encodeURIComponent(code)}`;

export function codeState(row: InviteCodeRow, nowIso: string): InviteCodeState {
  if (row.revoked) return 'revoked';
  if (row.expires_at !== null && row.expires_at <= nowIso) return 'expired';
  if (row.max_uses !== null && row.uses >= row.max_uses) return 'used_up';
  return 'active';
}

/** Why a code cannot be used now, most definitive reason first; undefined when it can. */
export function codeProblem(row: InviteCodeRow, nowIso: string): AppError | undefined {
  switch (codeState(row, nowIso)) {
    case 'revoked':
      return codeRevokedError();
    case 'expired':
      return codeExpiredError(row.expires_at ?? nowIso);
    case 'used_up':
      return codeUsedUpError(row.max_uses);
    case 'active':
      return undefined;
  }
}

function parseLibraries(json: string | null): string[] | null {
  if (json === null) return null;
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === 'string') : null;
}

export function toInviteCodeView(row: InviteCodeRow, nowIso: string): InviteCodeView {
  const uses = Number(row.uses);
  const maxUses = row.max_uses === null ? null : Number(row.max_uses);
  const terms = storedTerms(row.access_days, row.access_starts);
  return {
    id: row.id,
    code: row.code,
    label: row.label,
    expiresAt: row.expires_at,
    maxUses,
    uses,
    remaining: maxUses === null ? null : Math.max(0, maxUses - uses),
    libraries: parseLibraries(row.libraries),
    accessDays: terms?.days ?? null,
    accessStartsOn: terms?.startsOn ?? null,
    permissions: storedPermissions(row.permissions) ?? null,
    revoked: Boolean(row.revoked),
    revokedAt: row.revoked_at,
    state: codeState(row, nowIso),
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** The code's own access terms; undefined when it follows the default settings. */
export const codeTerms = (code: Pick<InviteCodeView, 'accessDays' | 'accessStartsOn'>): AccessTerms | undefined =>
  code.accessStartsOn === null ? undefined : { days: code.accessDays, startsOn: code.accessStartsOn };
