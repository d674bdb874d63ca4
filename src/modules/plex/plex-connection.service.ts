import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { PlexClient } from '../../plex/plex-client.js';
import type { SecretBox } from '../../security/crypto.js';
import { createCachedValue } from '../settings/cached-value.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import { SETTINGS_TTL_MS } from '../settings/settings.service.js';

export const PLEX_SETTINGS = {
  clientIdentifier: 'plex.clientIdentifier',
  token: 'plex.token',
  serverId: 'plex.serverId',
  serverUrl: 'plex.serverUrl',
  /** `{ id, name }` of the server as plex.tv last named it (chosen, or found by the connection test). */
  serverName: 'plex.serverName',
} as const;

export type ValueSource = 'environment' | 'settings' | 'none';

export interface PlexConnectionState {
  token: string | undefined;
  tokenSource: ValueSource;
  serverId: string | undefined;
  serverIdSource: ValueSource;
  serverUrl: string | undefined;
  /** The server's name for pages ("Home PMS"), when known for the server in use. */
  serverName?: string;
}

/**
 * Where Helpr's Plex connection comes from: the environment (PLEX_TOKEN, PLEX_SERVER_ID,
 * PLEX_SERVER_URL) wins, otherwise what "Sign in with Plex" stored (the token encrypted at rest).
 * The client is built on first use, once the installation's client identifier is known.
 */
export function createPlexConnection(deps: {
  config: Config['plex'];
  settings: SettingsRepository;
  secretBox: SecretBox;
  clock: Clock;
  buildClient: (clientIdentifier: string) => PlexClient;
  /** How long the stored connection is kept in memory (another instance's change is seen within it). */
  ttlMs?: number;
}) {
  const { config, settings, secretBox, clock } = deps;
  let client: Promise<PlexClient> | undefined;

  async function loadState(): Promise<PlexConnectionState> {
    const storedToken = config.token ? undefined : await settings.get<string>(PLEX_SETTINGS.token);
    const storedServer = config.serverId ? undefined : await settings.get<string>(PLEX_SETTINGS.serverId);
    const storedUrl = config.serverUrl ? undefined : await settings.get<string>(PLEX_SETTINGS.serverUrl);
    const named = await settings.get<{ id?: string; name?: string }>(PLEX_SETTINGS.serverName);
    const serverId = config.serverId ?? storedServer;
    return {
      serverName: named?.id !== undefined && named.id === serverId && named.name ? named.name : undefined,
      token: config.token ?? (storedToken ? secretBox.decrypt(storedToken) : undefined),
      tokenSource: config.token ? 'environment' : storedToken ? 'settings' : 'none',
      serverId: config.serverId ?? storedServer,
      serverIdSource: config.serverId ? 'environment' : storedServer ? 'settings' : 'none',
      serverUrl: config.serverUrl ?? storedUrl,
    };
  }
  const stored = createCachedValue(loadState, { ttlMs: deps.ttlMs ?? SETTINGS_TTL_MS, clock });

  const clientIdentifier = (): Promise<string> =>
    settings.setIfAbsent(PLEX_SETTINGS.clientIdentifier, `helpr-${crypto.randomUUID()}`, isoNow(clock));

  return {
    clientIdentifier,

    client(): Promise<PlexClient> {
      client ??= clientIdentifier().then(deps.buildClient);
      // A failed start (database away) must not be remembered forever.
      client.catch(() => (client = undefined));
      return client;
    },

    /** Read on every invite, so kept in memory like the other settings (see SETTINGS_TTL_MS). */
    state: stored.get,

    /** Read from the database now (and kept): when it matters whether the token changed meanwhile. */
    freshState: (): Promise<PlexConnectionState> => stored.refresh(),

    async saveToken(token: string): Promise<void> {
      try {
        await settings.set(PLEX_SETTINGS.token, secretBox.encrypt(token), isoNow(clock));
      } finally {
        stored.clear();
      }
    },

    async saveServer(serverId: string, serverUrl?: string): Promise<void> {
      try {
        await settings.set(PLEX_SETTINGS.serverId, serverId, isoNow(clock));
        if (serverUrl !== undefined) await settings.set(PLEX_SETTINGS.serverUrl, serverUrl, isoNow(clock));
      } finally {
        // Also after a half-done save: what is stored now is read again.
        stored.clear();
      }
    },

    /** Keeps the server's name for the pages that show it (a name is easier to read than its id). */
    async rememberServerName(serverId: string, name: string): Promise<void> {
      const named = await settings.get<{ id?: string; name?: string }>(PLEX_SETTINGS.serverName);
      if (named?.id === serverId && named.name === name) return;
      try {
        await settings.set(PLEX_SETTINGS.serverName, { id: serverId, name }, isoNow(clock));
      } finally {
        stored.clear();
      }
    },

    async close(): Promise<void> {
      const built = client ? await client.catch(() => undefined) : undefined;
      await built?.close();
    },
  };
}

export type PlexConnection = ReturnType<typeof createPlexConnection>;
