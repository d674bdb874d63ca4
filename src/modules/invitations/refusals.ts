/**
 * Why an invitation failed, one kind per reason, each with its own words for the friend and for
 * the owner and whether "Retry now" can succeed. Plex refuses with a 4xx whose text says why
 * (plex-api.md §1.4); Helpr reads that text once, when the refusal comes, and records the finer
 * kind (`error_kind`). Rows recorded before that are read the same way from their stored error.
 */
export type RefusalKind = 'self_share' | 'unknown_account' | 'account_refuses' | 'library_gone' | 'server_gone';

// Plex's own words for each refusal. Only the part after the status is matched ("400: You cannot
// share a server with yourself"), never Helpr's framing ("Plex refused sending the invite").
const PATTERNS: Array<[RefusalKind, RegExp]> = [
  ['self_share', /\byourself\b|your own (?:account|server)/i],
  ['server_gone', /\bserver\b.*\b(?:not found|no longer|does not exist|doesn't exist|unknown)|unknown server|doesn't exist \(404\)|you were looking for/i],
  ['library_gone', /librar|\bsections?\b/i],
  ['account_refuses', /not accepting|(?:does not|doesn't|do not) accept|\brefuses\b|\bblocked\b|not allowed to receive/i],
  ['unknown_account', /\b(?:user|account|username|email)\b.*\b(?:could not be found|not found|does not exist|doesn't exist|is invalid|unknown)\b|\bno (?:such )?(?:user|account)\b|\bunknown (?:user|account)\b/i],
];

/** The part of a stored error that is Plex's own text (after "(400: " or "404 while ...: "). */
function plexWords(message: string): string {
  const inParentheses = /\(\d{3}: (.*)\)\s*$/s.exec(message);
  if (inParentheses) return inParentheses[1]!;
  const afterColon = /\b\d{3} while [^:]*: (.*)$/s.exec(message);
  return afterColon ? afterColon[1]! : message;
}

/**
 * The kind to record for a failure: for Plex's refusals ('rejected', and 'not_found' on an invite,
 * which means the server's sharing page is gone) the finer kind its words name; any other kind as is.
 */
export function refusalKind(kind: string, message: string | null | undefined): string {
  if (kind !== 'rejected' && kind !== 'not_found') return kind;
  const words = plexWords(message ?? '');
  for (const [refusal, pattern] of PATTERNS) if (pattern.test(words)) return refusal;
  return kind === 'not_found' ? 'server_gone' : 'rejected';
}

export interface FailureWords {
  /** The friend's page: a headline and what to do next, in plain words. */
  friend: (who: string) => { headline: string; steps: string[] };
  /** What the owner reads in the invitations list. */
  owner: string;
  /** Whether sending again can work: false when Plex would refuse the very same invite again. */
  retryable: boolean;
}

const OWNER_HAS_BEEN_TOLD = 'Your request is saved and the server owner can see what went wrong.';

const WORDS: Record<RefusalKind | 'rejected', FailureWords> = {
  self_share: {
    friend: (who) => ({
      headline: `"${who}" is the Plex account of this server's owner, and Plex does not let an owner invite their own account.`,
      steps: [
        'To ask for access for yourself, use the email address or username of your own Plex account.',
        'If you are the owner: your libraries are already yours, there is nothing to ask for.',
      ],
    }),
    owner: 'This is your own Plex account: Plex does not let a server owner invite themselves. Nothing to send again.',
    retryable: false,
  },
  unknown_account: {
    friend: (who) => ({
      headline: `Plex has no account called "${who}".`,
      steps: [
        'Check the spelling, or use the email address of your Plex account instead of the username.',
        'No Plex account yet? Create a free one at plex.tv, then ask again here.',
      ],
    }),
    owner: 'Plex has no account with this name. The friend has to ask again with the right username or their email address.',
    retryable: false,
  },
  account_refuses: {
    friend: (who) => ({
      headline: `The Plex account "${who}" does not accept invites to other people's servers.`,
      steps: [
        'Allow invites in the settings of your Plex account (at plex.tv), then ask the server owner to send the invite again.',
        OWNER_HAS_BEEN_TOLD,
      ],
    }),
    owner: 'Plex says this account does not accept invites. Once the friend allows invites in their Plex account, press Retry now.',
    retryable: true,
  },
  library_gone: {
    friend: () => ({
      headline: 'The libraries this invite was for are no longer on the server.',
      steps: ['The server owner needs to choose the libraries again; they can then send your invite.', OWNER_HAS_BEEN_TOLD],
    }),
    owner: 'Plex no longer has a library this invitation shares (removed or re-created on the server). Choose the libraries again, then press Retry now.',
    retryable: true,
  },
  server_gone: {
    friend: () => ({
      headline: 'Plex no longer knows the server this page belongs to, so the invite could not be sent.',
      steps: ['The server owner needs to connect the server again; they can then send your invite.', OWNER_HAS_BEEN_TOLD],
    }),
    owner: 'Plex no longer knows the server Helpr is set up for (removed from your Plex account, or replaced). Choose the server again under Plex, then press Retry now.',
    retryable: true,
  },
  rejected: {
    friend: (who) => ({
      headline: `Plex did not accept the invite for "${who}".`,
      steps: [
        'Check the spelling, or use the email address of your Plex account instead of the username.',
        OWNER_HAS_BEEN_TOLD,
      ],
    }),
    owner: 'Plex refused this invitation (its words are under Details). Press Retry now once what it says is fixed.',
    retryable: true,
  },
};

/** Requests that waited 24 hours for a temporary problem and then stopped: a retry can work. */
const GAVE_UP: FailureWords = {
  friend: () => ({
    headline: "The server's connection to Plex needs the owner's attention, so the invite could not be sent.",
    steps: ['Your request is saved and the owner can see it. You can ask them to send it again.'],
  }),
  owner: 'Helpr tried for 24 hours and then stopped (the reason is under Details). Press Retry now to try again.',
  retryable: true,
};

/** The recorded kinds a retry cannot help (Plex would refuse the very same invite again), for SQL. */
export const REFUSED_FOR_GOOD_KINDS: readonly string[] = (Object.keys(WORDS) as Array<keyof typeof WORDS>).filter((kind) => !WORDS[kind].retryable);

/** Kinds recorded before refusals were told apart: only their stored error says which refusal it was. */
export const UNREFINED_KINDS: readonly string[] = ['rejected', 'not_found'];

/** The words for a failed invitation, by its recorded kind (and, for older rows, its stored error). */
export function failureWords(kind: string | null, error?: string | null): FailureWords {
  const refined = refusalKind(kind ?? '', error);
  return Object.hasOwn(WORDS, refined) ? WORDS[refined as keyof typeof WORDS] : GAVE_UP;
}
