import { localToUtc } from '../../time-zone.js';
import { PERMISSION_KEYS } from '../access/access-terms.js';
import { codeInputError } from './invite-codes.errors.js';
import type { CreateCodeInput } from './invite-codes.input.js';

/** The expiry choices of the create form: a number of days from now, never, or a date typed below. */
export const EXPIRY_CHOICES = [
  ['never', 'Never'],
  ['1', '1 day'],
  ['7', '7 days'],
  ['30', '30 days'],
  ['date', 'On a date'],
] as const;
const DAY_MS = 86_400_000;

/** What the admin typed into the create form, kept as text so a re-rendered form shows it unchanged. */
export interface CodeFormValues {
  code: string;
  label: string;
  /** One of EXPIRY_CHOICES when valid; '' from a form without the choice (a date alone). */
  expiresIn: string;
  expiresAt: string;
  maxUses: string;
  libraries: string[];
  /** How long friends' access lasts: 'default' (the settings'), 'forever' or 'days' (accessDays). */
  access: string;
  accessDays: string;
  accessStartsOn: string;
  /** 'default' (the settings') or 'own' (what is ticked in `permissions`). */
  permissionsMode: string;
  permissions: string[];
}

export const EMPTY_CODE_FORM: CodeFormValues = {
  code: '',
  label: '',
  expiresIn: 'never',
  expiresAt: '',
  maxUses: '',
  libraries: [],
  access: 'default',
  accessDays: '',
  accessStartsOn: 'accepted',
  permissionsMode: 'default',
  permissions: [],
};

const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.slice(0, max) : '');
const list = (value: unknown): string[] => [value].flat().filter((entry): entry is string => typeof entry === 'string');

export function codeFormValues(body: unknown): CodeFormValues {
  const form = (body ?? {}) as Record<string, unknown>;
  return {
    code: text(form.code, 100),
    label: text(form.label, 300),
    expiresIn: text(form.expiresIn, 10),
    expiresAt: text(form.expiresAt, 40),
    maxUses: text(form.maxUses, 20),
    libraries: list(form.libraries).slice(0, 300),
    access: text(form.access, 10),
    accessDays: text(form.accessDays, 20),
    accessStartsOn: text(form.accessStartsOn, 20),
    permissionsMode: text(form.permissionsMode, 10),
    permissions: list(form.permissions).slice(0, 10),
  };
}

/**
 * The expiry as a UTC instant. A preset counts whole days of 24 hours from now. A typed date is a
 * wall-clock time without a zone (datetime-local), read in the owner's zone as the page says; a
 * bare date (browsers without datetime-local) means the end of that day. A date typed while a
 * preset is chosen is a contradiction the owner settles; with "Never" (the default, and what a
 * form without JavaScript keeps) the date wins, since typing one says what is meant.
 */
function expiryFromForm(values: CodeFormValues, at: { timeZone: string; now: Date }): Date | undefined {
  const typed = values.expiresAt.trim();
  const choice = values.expiresIn || (typed ? 'date' : 'never');
  const preset = EXPIRY_CHOICES.find(([value]) => value === choice)?.[0];
  if (!preset) throw codeInputError('code.invalid_expiry', 'expiresIn', 'Choose when the code expires.');
  if (preset !== 'date' && preset !== 'never') {
    if (typed) throw codeInputError('code.invalid_expiry', 'expiresAt', `You chose ${preset === '1' ? '1 day' : `${preset} days`} and also typed a date: choose “On a date” to use the date, or clear it.`);
    return new Date(at.now.getTime() + Number(preset) * DAY_MS);
  }
  if (!typed) {
    if (preset === 'never') return undefined;
    throw codeInputError('code.invalid_expiry', 'expiresAt', 'Type the date and time the code stops working, or choose another option.');
  }
  const local = /^\d{4}-\d{2}-\d{2}$/.test(typed) ? `${typed}T23:59:59.999` : typed;
  const instant = localToUtc(local, at.timeZone);
  if (!instant) throw codeInputError('code.invalid_expiry', 'expiresAt', 'Enter a valid expiry date and time, like 2026-12-24 18:00.');
  return instant;
}

/**
 * The code's own access terms, or undefined to follow the settings. As with the expiry, a number
 * of days typed while "As in Settings" is chosen (what a form without JavaScript keeps) wins.
 */
function accessFromForm(values: CodeFormValues): CreateCodeInput['access'] {
  const typed = values.accessDays.trim();
  const choice = values.access === 'default' || values.access === '' ? (typed ? 'days' : 'default') : values.access;
  if (choice === 'default') return undefined;
  const startsOn = values.accessStartsOn || undefined;
  if (choice === 'forever') {
    if (typed) throw codeInputError('code.invalid_access_days', 'accessDays', 'You chose no end and also typed a number of days: choose “For a number of days”, or clear it.');
    return { days: null, startsOn };
  }
  if (choice !== 'days') throw codeInputError('code.invalid_access_days', 'accessDays', 'Choose how long friends of this code keep access.');
  if (!typed) throw codeInputError('code.invalid_access_days', 'accessDays', 'Type the number of days, or choose another option.');
  // Number('2.5') and Number('x') stay invalid for the service's check.
  return { days: /^\d{1,6}$/.test(typed) ? Number(typed) : Number.NaN, startsOn };
}

/** The code's own permissions, or undefined to follow the settings; ticking one means its own. */
function permissionsFromForm(values: CodeFormValues): CreateCodeInput['permissions'] {
  const own = values.permissionsMode === 'own' || values.permissions.length > 0;
  if (!own) return undefined;
  return Object.fromEntries(PERMISSION_KEYS.map((key) => [key, values.permissions.includes(key)]));
}

/** What the form asks for, with the expiry worked out in the owner's zone (`timeZone`) at `now`. */
export function codeInputFromForm(values: CodeFormValues, at: { timeZone: string; now: Date }): Omit<CreateCodeInput, 'createdBy'> {
  const maxUses = values.maxUses.trim();
  return {
    code: values.code,
    label: values.label,
    expiresAt: expiryFromForm(values, at),
    // Number('') would be 0; a blank field means unlimited. Number('2.5') stays invalid for the service.
    maxUses: maxUses ? Number(maxUses) : undefined,
    libraries: values.libraries.length ? values.libraries : undefined,
    access: accessFromForm(values),
    permissions: permissionsFromForm(values),
  };
}
