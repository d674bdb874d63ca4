import { AppError } from '../../errors.js';

/**
 * Errors a person redeeming a code sees. Each message is safe to show and is repeated under
 * `fields.code` so a form can put it beside the code input.
 */
function redeemError(code: string, status: number, message: string): AppError {
  return new AppError(code, message, { status, expose: true, fields: { code: message } });
}

/** Locale-independent, so the message reads the same on every server: "2026-01-02 at 15:04 UTC". */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = date.toISOString();
  return `${text.slice(0, 10)} at ${text.slice(11, 16)} UTC`;
}

export const codeUnknownError = (): AppError =>
  redeemError('invite.code_unknown', 404, 'This invite code does not exist. Check it for typos, or ask for a new one.');

export const codeExpiredError = (expiresAt: string): AppError =>
  redeemError('invite.code_expired', 410, `This invite code expired on ${formatUtc(expiresAt)}. Ask for a new one.`);

export const codeUsedUpError = (maxUses: number | null): AppError =>
  redeemError(
    'invite.code_used_up',
    410,
    maxUses === 1
      ? 'This invite code has already been used. Ask for a new one.'
      : `This invite code has been used the maximum number of times (${maxUses ?? 0}). Ask for a new one.`,
  );

export const codeRevokedError = (): AppError =>
  redeemError('invite.code_revoked', 410, 'This invite code has been withdrawn. Ask for a new one.');

/** Errors the admin creating or managing codes sees, with the form field they belong to. */
export function codeInputError(code: string, field: string, message: string, status = 400): AppError {
  return new AppError(code, message, { status, expose: true, fields: { [field]: message } });
}

export const codeNotFoundError = (): AppError => new AppError('code.not_found', 'This invite code does not exist.', { status: 404 });
