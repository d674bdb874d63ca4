import type { CreateCodeInput } from './invite-codes.input.js';

/** What the admin typed into the create form, kept as text so a re-rendered form shows it unchanged. */
export interface CodeFormValues {
  code: string;
  label: string;
  expiresAt: string;
  maxUses: string;
  libraries: string[];
}

export const EMPTY_CODE_FORM: CodeFormValues = { code: '', label: '', expiresAt: '', maxUses: '', libraries: [] };

const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.slice(0, max) : '');
const list = (value: unknown): string[] => [value].flat().filter((entry): entry is string => typeof entry === 'string');

export function codeFormValues(body: unknown): CodeFormValues {
  const form = (body ?? {}) as Record<string, unknown>;
  return {
    code: text(form.code, 100),
    label: text(form.label, 300),
    expiresAt: text(form.expiresAt, 40),
    maxUses: text(form.maxUses, 20),
    libraries: list(form.libraries).slice(0, 300),
  };
}

/**
 * The form's expiry is a wall-clock time without a zone (datetime-local) and the page says it is UTC;
 * a bare date means the end of that day. Anything else goes to the service as typed, which explains.
 */
function expiryFromForm(value: string): string | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) return `${trimmed}T23:59:59.999Z`;
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(trimmed)) return `${trimmed}Z`;
  return trimmed;
}

export function codeInputFromForm(values: CodeFormValues): Omit<CreateCodeInput, 'createdBy'> {
  const maxUses = values.maxUses.trim();
  return {
    code: values.code,
    label: values.label,
    expiresAt: expiryFromForm(values.expiresAt),
    // Number('') would be 0; a blank field means unlimited. Number('2.5') stays invalid for the service.
    maxUses: maxUses ? Number(maxUses) : undefined,
    libraries: values.libraries.length ? values.libraries : undefined,
  };
}
