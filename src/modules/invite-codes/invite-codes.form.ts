import { localToUtc } from '../../time-zone.js';
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
}

export const EMPTY_CODE_FORM: CodeFormValues = { code: '', label: '', expiresIn: 'never', expiresAt: '', maxUses: '', libraries: [] };

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
  };
}
