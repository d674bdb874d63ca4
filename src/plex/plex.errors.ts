/**
 * Every Plex failure becomes a PlexError with a kind the rest of Helpr decides on:
 * - invalid_token: 401, or 422 "Invalid token" (a revoked token): sign in again
 * - already_shared: the account already has this server (v1 400 "already sharing", v2 422)
 * - not_found: 404 or 410 (unknown server or PIN, removed endpoint)
 * - rejected: any other 4xx: a permanent refusal (unknown Plex user, bad library id)
 * - rate_limited: 429, with the Retry-After plex.tv gave
 * - upstream: 5xx or an answer that does not parse: temporary, try again later
 * - timeout / network: no answer in time, or no connection at all
 */
export type PlexErrorKind = 'invalid_token' | 'already_shared' | 'not_found' | 'rejected' | 'rate_limited' | 'upstream' | 'timeout' | 'network';

export class PlexError extends Error {
  readonly kind: PlexErrorKind;
  readonly status: number | undefined;
  /** plex.tv's numeric error code (1001, 1000, 1020...) when it sent one. */
  readonly code: number | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Temporary failures are worth retrying; the others need a person. */
  get temporary(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'upstream' || this.kind === 'timeout' || this.kind === 'network';
  }

  constructor(
    kind: PlexErrorKind,
    message: string,
    options: { status?: number; code?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PlexError';
    this.kind = kind;
    this.status = options.status;
    this.code = options.code;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isPlexError = (error: unknown): error is PlexError => error instanceof PlexError;

/**
 * [assume] The code plex.tv answers an accept with when the account's email address is not
 * confirmed. Nobody has recorded the real answer; this is the guess the simulator makes too, so the
 * words are matched as well.
 */
export const UNCONFIRMED_EMAIL_CODE = 1069;
const UNCONFIRMED_EMAIL_TEXT = /\b(confirm|verify)\b[^.]*\bemail\b|\bemail\b[^.]*\bnot\b[^.]*\b(confirmed|verified)\b|\b(unconfirmed|unverified)\b[^.]*\bemail\b/i;

/**
 * Whether plex.tv refused because the account's email address is not confirmed yet: a permanent
 * refusal (4xx) with the assumed code, or with words that say so. Waiting for the friend helps;
 * retrying alone does not.
 */
export function isUnconfirmedEmailRefusal(error: unknown): boolean {
  if (!isPlexError(error) || error.kind !== 'rejected') return false;
  return error.code === UNCONFIRMED_EMAIL_CODE || UNCONFIRMED_EMAIL_TEXT.test(error.message);
}

/** The readable text of a Plex error body, whatever its shape (see plex-api.md §1.4). */
export function plexErrorText(body: string): { message: string | undefined; code: number | undefined } {
  const json = /^\s*[{[]/.test(body) ? safeJson(body) : undefined;
  const first = (json as { errors?: Array<{ message?: string; code?: number }> } | undefined)?.errors?.[0];
  if (first) return { message: first.message, code: first.code };
  const v1 = /<Response[^>]*\bstatus="([^"]*)"/.exec(body);
  const v1Code = /<Response[^>]*\bcode="(\d+)"/.exec(body);
  if (v1) return { message: decodeXml(v1[1]!), code: v1Code ? Number(v1Code[1]) : undefined };
  const v2Xml = /<error\b[^>]*\bmessage="([^"]*)"/.exec(body);
  const v2Code = /<error\b[^>]*\bcode="(\d+)"/.exec(body);
  if (v2Xml) return { message: decodeXml(v2Xml[1]!), code: v2Code ? Number(v2Code[1]) : undefined };
  const bare = /<error>\s*([^<]+?)\s*<\/error>/.exec(body);
  if (bare) return { message: decodeXml(bare[1]!), code: undefined };
  const title = /<title>([^<]*)<\/title>/i.exec(body);
  return { message: title?.[1]?.trim() || undefined, code: undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const NAMED_ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: '<', gt: '>', amp: '&' };

// One pass, so "&amp;lt;" stays "&lt;"; numeric references too (Rails writes ' as &#39;).
const decodeXml = (text: string): string =>
  text.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(\w+));/gi, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) return NAMED_ENTITIES[name] ?? whole;
    const point = dec ? Number(dec) : Number.parseInt(hex!, 16);
    return point <= 0x10ffff ? String.fromCodePoint(point) : whole;
  });

/** Classifies a non-2xx answer. `what` names the call for the message ("sending the invite"). */
export function errorFromResponse(what: string, status: number, body: string, retryAfter: string | undefined): PlexError {
  const { message, code } = plexErrorText(body);
  const detail = message ? `: ${message}` : '';
  const options = { status, code };
  if (status === 401 || (status === 422 && /invalid token/i.test(body))) {
    return new PlexError('invalid_token', `Plex refused the token while ${what} (${status}${detail})`, options);
  }
  if (/already sharing|already has access/i.test(message ?? '')) {
    return new PlexError('already_shared', `Plex says this account already has access${detail}`, options);
  }
  if (status === 404 || status === 410) return new PlexError('not_found', `Plex answered ${status} while ${what}${detail}`, options);
  if (status === 429) {
    const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
    return new PlexError('rate_limited', `Plex asked us to slow down while ${what}`, { ...options, retryAfterSeconds: seconds });
  }
  if (status >= 400 && status < 500) return new PlexError('rejected', `Plex refused ${what} (${status}${detail})`, options);
  return new PlexError('upstream', `Plex failed while ${what} (${status}${detail})`, options);
}
