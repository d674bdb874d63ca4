import { isAccessStart, MAX_ACCESS_DAYS, PERMISSION_KEYS, type AccessTerms, type Permissions } from '../access/access-terms.js';
import { codeInputError } from './invite-codes.errors.js';
import { CUSTOM_CODE_PATTERN } from './invite-codes.models.js';

export interface CreateCodeInput {
  /** A custom code; omitted or blank means a random one. */
  code?: string;
  label?: string;
  expiresAt?: string | Date;
  maxUses?: number;
  /** Library local keys or titles; omitted or empty means the server's default libraries. */
  libraries?: string[];
  /**
   * The code's own access terms: days (null = forever) and from when they count (default: when the
   * friend accepts). Omitted: the code follows the default settings.
   */
  access?: { days: number | null; startsOn?: string };
  /** The code's own permissions; omitted: the default settings'. A flag left out is not allowed. */
  permissions?: Partial<Record<keyof Permissions, boolean>>;
  createdBy?: string;
}

export interface ValidCodeInput {
  customCode: string | undefined;
  label: string | null;
  expiresAt: string | null;
  maxUses: number | null;
  libraries: string[] | null;
  access: AccessTerms | null;
  permissions: Permissions | null;
}

const MAX_LABEL_LENGTH = 100;
// PostgreSQL `integer` is 32-bit; no real invite needs more.
const MAX_USES_LIMIT = 1_000_000;
const MAX_LIBRARIES = 200;
const MAX_LIBRARY_NAME_LENGTH = 200;
// toISOString() of later dates is "+010000-..." and would sort wrongly against stored timestamps.
const LATEST_EXPIRY = Date.UTC(9999, 11, 31, 23, 59, 59);

function validCustomCode(code: string | undefined): string | undefined {
  const trimmed = code?.trim();
  if (!trimmed) return undefined;
  if (!CUSTOM_CODE_PATTERN.test(trimmed)) {
    throw codeInputError('code.invalid', 'code', 'Use 4 to 32 letters, digits, dashes or underscores.');
  }
  return trimmed;
}

function validLabel(label: string | undefined): string | null {
  const trimmed = label?.trim();
  if (!trimmed) return null;
  if (trimmed.length > MAX_LABEL_LENGTH) {
    throw codeInputError('code.invalid_label', 'label', `Keep the label to ${MAX_LABEL_LENGTH} characters or fewer.`);
  }
  return trimmed;
}

function validExpiry(expiresAt: string | Date | undefined, now: Date): string | null {
  if (expiresAt === undefined || expiresAt === '') return null;
  const date = expiresAt instanceof Date ? expiresAt : new Date(expiresAt);
  const time = date.getTime();
  if (Number.isNaN(time) || time > LATEST_EXPIRY) {
    throw codeInputError('code.invalid_expiry', 'expiresAt', 'Enter a valid expiry date and time.');
  }
  if (time <= now.getTime()) throw codeInputError('code.invalid_expiry', 'expiresAt', 'The expiry must be in the future.');
  return date.toISOString();
}

function validMaxUses(maxUses: number | undefined): number | null {
  if (maxUses === undefined) return null;
  if (!Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_USES_LIMIT) {
    throw codeInputError('code.invalid_max_uses', 'maxUses', `Maximum uses must be a whole number from 1 to ${MAX_USES_LIMIT}.`);
  }
  return maxUses;
}

function validLibraries(libraries: string[] | undefined): string[] | null {
  if (libraries === undefined) return null;
  const cleaned = [...new Set(libraries.map((library) => String(library).trim()).filter(Boolean))];
  if (cleaned.length > MAX_LIBRARIES || cleaned.some((library) => library.length > MAX_LIBRARY_NAME_LENGTH)) {
    throw codeInputError('code.invalid_libraries', 'libraries', 'Choose libraries from the list.');
  }
  return cleaned.length > 0 ? cleaned : null;
}

function validAccess(access: CreateCodeInput['access']): AccessTerms | null {
  if (access === undefined) return null;
  const { days } = access;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_ACCESS_DAYS)) {
    throw codeInputError('code.invalid_access_days', 'accessDays', `Access must last a whole number of days from 1 to ${MAX_ACCESS_DAYS}, or leave it empty for no end.`);
  }
  const startsOn = access.startsOn ?? 'accepted';
  if (!isAccessStart(startsOn)) throw codeInputError('code.invalid_access_start', 'accessStartsOn', 'Choose when the days start: when the friend accepts, or when the invite is sent.');
  return { days, startsOn };
}

function validPermissions(permissions: CreateCodeInput['permissions']): Permissions | null {
  if (permissions === undefined) return null;
  const flags = Object.fromEntries(PERMISSION_KEYS.map((key) => [key, permissions[key] === true])) as unknown as Permissions;
  return flags;
}

/** Checks what an admin typed for a new code; throws an AppError naming the field at fault. */
export function validateCreateCodeInput(input: CreateCodeInput, now: Date): ValidCodeInput {
  return {
    customCode: validCustomCode(input.code),
    label: validLabel(input.label),
    expiresAt: validExpiry(input.expiresAt, now),
    maxUses: validMaxUses(input.maxUses),
    libraries: validLibraries(input.libraries),
    access: validAccess(input.access),
    permissions: validPermissions(input.permissions),
  };
}
