import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexAccount } from '../../plex/plex.schemas.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { PlexConnection } from './plex-connection.service.js';
import { tokenHint } from './diagnostics.steps.js';

/** Where "Sign in with Plex" stands, as the waiting page (and its script) shows it. */
export type PinState =
  | { state: 'waiting'; message?: string }
  | { state: 'done'; account: string }
  | { state: 'expired'; message: string }
  | { state: 'error'; message: string };

export const PIN_EXPIRED_MESSAGE = 'The sign-in code expired, start again.';
// plex.tv keeps a PIN 15 minutes; past that we do not even ask.
const PIN_LIFETIME_MS = 15 * 60_000;

/**
 * Connecting Helpr to the owner's Plex account: the PIN flow ("Sign in with Plex", plex-api.md E9)
 * and the pasted-token fallback. A token is kept only after plex.tv accepts it AND the account owns
 * a media server, since an account without one cannot share anything.
 */
export function createPlexSignIn(deps: {
  connection: PlexConnection;
  audit: AuditService;
  /** Called once a new token is saved: the setup status and the library cache are stale then. */
  onConnected: () => void;
  /** Then awaited: the requests that waited for a working token are sent now (token-refusal.ts). */
  onTokenSaved?: () => Promise<unknown>;
  now: () => number;
}) {
  // One check per PIN at a time, and a PIN is used once: the page's script and the no-JS button
  // may ask together or one after the other, and must not sign in twice.
  const checking = new Map<number, Promise<PinState>>();
  const settled = new Map<number, PinState>();
  const remember = (pinId: number, result: PinState): PinState => {
    if (result.state === 'waiting') return result;
    settled.set(pinId, result);
    if (settled.size > 100) settled.delete(settled.keys().next().value!);
    return result;
  };

  async function verify(token: string): Promise<PlexAccount> {
    const client = await deps.connection.client();
    try {
      const account = await client.tv.getAccount(token);
      const servers = await client.tv.getOwnedServers(token);
      if (servers.length === 0) {
        throw new AppError('plex.no_owned_server', `The Plex account ${account.username} owns no Plex Media Server: sign in with the account that runs your server.`, {
          fields: { token: 'This account owns no Plex Media Server.' },
        });
      }
      return account;
    } catch (error) {
      if (!isPlexError(error)) throw error;
      const invalid = error.kind === 'invalid_token';
      const message = invalid ? 'Plex does not accept this token: check it, or sign in with Plex instead.' : tokenHint(error);
      throw new AppError(invalid ? 'plex.token_invalid' : 'plex.unavailable', message, { status: invalid ? 400 : 502, fields: { token: message }, cause: error });
    }
  }

  async function refuseWhenFromEnvironment(): Promise<void> {
    if ((await deps.connection.state()).tokenSource === 'environment') {
      throw new AppError('plex.token_from_environment', 'The Plex token comes from PLEX_TOKEN in the environment: change it there.', { status: 409 });
    }
  }

  async function connect(token: string, actor: AuditActor, method: 'pin' | 'token'): Promise<PlexAccount> {
    await refuseWhenFromEnvironment();
    const account = await verify(token);
    await deps.connection.saveToken(token);
    deps.onConnected();
    await deps.onTokenSaved?.();
    await deps.audit.record(actor, 'plex.connect', account.username, { method });
    return account;
  }

  async function check(pinId: number, actor: AuditActor): Promise<PinState> {
    const client = await deps.connection.client();
    let authToken: string | null | undefined;
    try {
      authToken = (await client.tv.checkPin(pinId)).authToken;
    } catch (error) {
      if (isPlexError(error) && error.kind === 'not_found') return { state: 'expired', message: PIN_EXPIRED_MESSAGE };
      // plex.tv hiccups: keep waiting, the next poll may get through.
      if (isPlexError(error) && error.temporary) return { state: 'waiting', message: tokenHint(error) };
      throw error;
    }
    if (!authToken) return { state: 'waiting' };
    try {
      const account = await connect(authToken, actor, 'pin');
      return { state: 'done', account: account.username };
    } catch (error) {
      if (error instanceof AppError) return { state: 'error', message: error.message };
      throw error;
    }
  }

  return {
    /** A new PIN and the app.plex.tv address where the owner approves it. */
    async startPin(): Promise<{ id: number; code: string; startedAt: number; authUrl: string }> {
      await refuseWhenFromEnvironment();
      const client = await deps.connection.client();
      const pin = await client.tv.createPin().catch((error: unknown) => {
        throw new AppError('plex.unavailable', isPlexError(error) ? tokenHint(error) : 'Plex could not start the sign-in.', { status: 502, cause: error });
      });
      return { id: pin.id, code: pin.code, startedAt: deps.now(), authUrl: client.tv.authUrl(pin) };
    },

    async authUrl(code: string): Promise<string> {
      return (await deps.connection.client()).tv.authUrl({ code });
    },

    /** Asks plex.tv whether the PIN was approved; when it was, verifies and saves the token. */
    checkPin(pin: { id: number; startedAt: number }, actor: AuditActor): Promise<PinState> {
      if (deps.now() - pin.startedAt > PIN_LIFETIME_MS) return Promise.resolve({ state: 'expired', message: PIN_EXPIRED_MESSAGE });
      const known = settled.get(pin.id);
      if (known) return Promise.resolve(known);
      let running = checking.get(pin.id);
      if (!running) {
        running = check(pin.id, actor)
          .then((result) => remember(pin.id, result))
          .finally(() => checking.delete(pin.id));
        checking.set(pin.id, running);
      }
      return running;
    },

    /** The fallback: a token pasted by the owner. Field errors name `token`. */
    connectToken(token: string, actor: AuditActor): Promise<PlexAccount> {
      const trimmed = token.trim();
      if (!/^[A-Za-z0-9_~.+/=-]{8,200}$/.test(trimmed)) {
        return Promise.reject(new AppError('plex.token_malformed', 'This does not look like a Plex token.', { fields: { token: 'Paste the token only: letters, digits and a few symbols, no spaces.' } }));
      }
      return connect(trimmed, actor, 'token');
    },
  };
}

export type PlexSignIn = ReturnType<typeof createPlexSignIn>;
