import { AppError } from '../../errors.js';

export interface PlexIdentifier {
  /** As typed, trimmed (emails lower-cased). */
  value: string;
  normalized: string;
  kind: 'email' | 'username';
}

const FIELD_MESSAGE = 'Type the email address or the username of your Plex account.';
// Deliberately simple: one @, something before it, a dot in the domain, no spaces.
const EMAIL = /^[^\s@"<>()[\],;:]+@[^\s@"<>()[\],;:]+\.[^\s@"<>()[\],;:.]{2,}$/;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;

/** A Plex account as a friend types it: an email address (up to 254 characters) or a username. */
export function parsePlexIdentifier(input: unknown): PlexIdentifier {
  const value = typeof input === 'string' ? input.trim() : '';
  const fail = (message: string) => new AppError('invite.invalid_identifier', message, { status: 400, fields: { email: message } });
  if (value === '') throw fail(FIELD_MESSAGE);
  if (value.includes('@')) {
    if (value.length > 254) throw fail('This email address is too long (254 characters at most).');
    if (!EMAIL.test(value)) throw fail('This does not look like an email address. Check it for typos.');
    const email = value.toLowerCase();
    return { value: email, normalized: email, kind: 'email' };
  }
  if (!USERNAME.test(value)) {
    throw fail('A Plex username has 2 to 64 letters, digits, dots, dashes or underscores. Or type your email address.');
  }
  return { value, normalized: value.toLowerCase(), kind: 'username' };
}
