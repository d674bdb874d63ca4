import { isoNow, type Clock } from '../../clock.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { sha256 } from '../../security/crypto.js';
import type { InvitationsRepository } from '../invitations/invitations.repository.js';
import { newEvent } from '../notifications/notification-events.js';
import type { NotificationsRepository } from '../notifications/notifications.repository.js';
import { OWNER_FIXABLE_KINDS } from '../invitations/retry-policy.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { PlexConnection, ValueSource } from './plex-connection.service.js';

const KEY = 'plex.tokenRefused';

/** What is stored: when Plex first refused, and which token (a short hash, never the token). */
interface StoredRefusal {
  at: string;
  token: string;
}

/** Plex refuses the token Helpr uses now: what every admin page shows in its banner. */
export interface TokenRefusal {
  /** When Plex first refused it. */
  at: string;
  /** Where the token comes from: "Sign in with Plex" (settings) or PLEX_TOKEN (environment). */
  source: ValueSource;
  /** Friends' requests waiting for the owner to sign in again. */
  waiting: number;
}

// A hash of a 20-character random token tells nothing about it, and tells two tokens apart.
const fingerprint = (token: string): string => sha256(`helpr-plex-token:${token}`).slice(0, 16);

/**
 * A refused Plex token (401, or 422 "Invalid token": revoked, expired, signed out) is a problem
 * the owner fixes by signing in again. The refusal is kept in the settings table, so every
 * instance on the database shows it at once (admin pages read it fresh, not from a cache). It
 * names the refused token: a refusal of a token Helpr no longer uses (a send that started before
 * the owner signed in again) shows nothing and changes nothing.
 */
export function createTokenRefusals(deps: {
  settings: SettingsRepository;
  connection: Pick<PlexConnection, 'state' | 'freshState'>;
  invitations: Pick<InvitationsRepository, 'wakeWaiting' | 'countWaiting'>;
  /** The notifications outbox: the owner hears of a refusal once per refused token. */
  events?: Pick<NotificationsRepository, 'addEventOnce'>;
  clock: Clock;
}) {
  async function refusedNow(): Promise<{ stored: StoredRefusal; source: ValueSource } | undefined> {
    const stored = await deps.settings.get<StoredRefusal | null>(KEY);
    if (!stored) return undefined;
    const { token, tokenSource } = await deps.connection.state();
    return token && fingerprint(token) === stored.token ? { stored, source: tokenSource } : undefined;
  }

  async function restored(): Promise<number> {
    await deps.settings.delete(KEY);
    return deps.invitations.wakeWaiting([...OWNER_FIXABLE_KINDS, 'not_connected'], isoNow(deps.clock));
  }

  async function record(token: string): Promise<boolean> {
    const current = await deps.connection.freshState();
    if (current.token !== token) return false;
    const stored = await deps.settings.get<StoredRefusal | null>(KEY);
    // The first refusal's time is kept: it says since when requests have been waiting.
    if (stored?.token !== fingerprint(token)) {
      await deps.settings.set(KEY, { at: isoNow(deps.clock), token: fingerprint(token) }, isoNow(deps.clock));
      // One event per refused token, whichever instances saw the refusal first (its id says which token).
      await deps.events?.addEventOnce({ ...newEvent('plex.token_refused', {}, isoNow(deps.clock)), id: `plex.token_refused:${fingerprint(token)}` });
    }
    return true;
  }

  return {
    /**
     * Plex refused `token`. Returns false when Helpr uses another token by now (read fresh from the
     * database): the caller should then try again soon rather than wait for the owner.
     */
    record,

    /** For a promise's catch: records a refusal of `token` when that is what failed, then rethrows. */
    noticed:
      (token: string) =>
      async (error: unknown): Promise<never> => {
        if (isPlexError(error) && error.kind === 'invalid_token') await record(token).catch(() => false);
        throw error;
      },

    /** The refusal of the token in use, if Plex refused it; read from the database every time. */
    async current(): Promise<TokenRefusal | undefined> {
      const refused = await refusedNow();
      if (!refused) return undefined;
      return { at: refused.stored.at, source: refused.source, waiting: await deps.invitations.countWaiting([...OWNER_FIXABLE_KINDS]) };
    },

    /**
     * A connection test passed: the token works (again, say after plex.tv let a revoked token back
     * in). The requests that waited for it go out now rather than after their long wait.
     */
    async clear(): Promise<number> {
      return restored();
    },

    /**
     * A new token was saved (signed in with Plex again): forget the refusal and make the requests
     * that waited for it due now, so the retry workers of every instance send them within seconds
     * instead of after their long wait. Returns how many were woken.
     */
    restored,

    /**
     * At start: a refusal stored for a token Helpr no longer uses means the owner replaced it while
     * Helpr was stopped (a new PLEX_TOKEN, then a restart; no sign-in ran to wake anything). The
     * banner already hides such a refusal; this also sends the requests that waited for the new
     * token, instead of after their long wait. Returns how many were woken.
     */
    async resumeIfReplaced(): Promise<number> {
      const stored = await deps.settings.get<StoredRefusal | null>(KEY);
      if (!stored) return 0;
      const { token } = await deps.connection.freshState();
      if (!token || fingerprint(token) === stored.token) return 0;
      return restored();
    },
  };
}

export type TokenRefusals = ReturnType<typeof createTokenRefusals>;
