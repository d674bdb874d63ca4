import type { PlexHttp } from './plex-http.js';
import { plexProductHeaders } from './plex-headers.js';
import { isPlexError, PlexError } from './plex.errors.js';
import { parsePlexJson, pmsIdentitySchema, pmsSectionsSchema, validatePlex, type PlexConnection } from './plex.schemas.js';

export interface PmsLibrary {
  key: string;
  title: string;
  type: string;
}

export interface ConnectionProbe {
  uri: string;
  local: boolean;
  relay: boolean;
  ok: boolean;
  latencyMs: number;
  machineIdentifier?: string;
  error?: string;
}

export interface ServerProbe {
  /** Every address tried, in the order of preference (local first, relay last). */
  connections: ConnectionProbe[];
  /** The preferred address that answered as the expected server. */
  chosen?: ConnectionProbe;
  /** Some address answered, but as another server. */
  identityMismatch?: { uri: string; machineIdentifier: string };
  libraries?: PmsLibrary[];
  librariesError?: PlexError;
}

const rank = (c: Pick<PlexConnection, 'local' | 'relay'>) => (c.relay ? 2 : c.local ? 0 : 1);

/** Local addresses first, remote next, the slow relay last (a stable sort keeps plex.tv's order). */
export const orderConnections = <T extends Pick<PlexConnection, 'local' | 'relay'>>(connections: T[]): T[] =>
  [...connections].sort((a, b) => rank(a) - rank(b));

export function createPmsClient(ctx: { http: PlexHttp; clientIdentifier: string }) {
  const headers = (token?: string): Record<string, string> => ({
    ...plexProductHeaders(ctx.clientIdentifier),
    Accept: 'application/json',
    ...(token ? { 'X-Plex-Token': token } : {}),
  });

  const client = {
    /** E4 /identity: which server answers at this address (no token needed). */
    async identity(baseUrl: string, timeoutMs?: number): Promise<{ machineIdentifier: string; version?: string | null }> {
      const what = 'asking the media server who it is';
      const answer = await ctx.http.send({ what, url: `${baseUrl}/identity`, headers: headers(), timeoutMs });
      return validatePlex(pmsIdentitySchema, parsePlexJson(answer.text, what), what).MediaContainer;
    },

    /** E4 /library/sections: the server's libraries as the media server sees them (token needed). */
    async libraries(baseUrl: string, token: string, timeoutMs?: number): Promise<PmsLibrary[]> {
      const what = 'reading the libraries from the media server';
      const answer = await ctx.http.send({ what, url: `${baseUrl}/library/sections`, headers: headers(token), timeoutMs });
      return validatePlex(pmsSectionsSchema, parsePlexJson(answer.text, what), what).MediaContainer.Directory;
    },

    /**
     * Tries every address of the server at once (each bounded by the timeout), picks the preferred
     * one that answers as the expected server, then checks that the token can read its libraries.
     */
    async probe(connections: PlexConnection[], expectedMachineId: string, token: string, timeoutMs = 5000): Promise<ServerProbe> {
      const ordered = orderConnections(connections);
      const results = await Promise.all(
        ordered.map(async (connection): Promise<ConnectionProbe> => {
          const started = performance.now();
          const base = { uri: connection.uri, local: connection.local, relay: connection.relay };
          try {
            const { machineIdentifier } = await client.identity(connection.uri.replace(/\/+$/, ''), timeoutMs);
            return { ...base, ok: true, latencyMs: Math.round(performance.now() - started), machineIdentifier };
          } catch (error) {
            return { ...base, ok: false, latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
          }
        }),
      );
      const probe: ServerProbe = { connections: results };
      probe.chosen = results.find((r) => r.ok && r.machineIdentifier === expectedMachineId);
      const other = results.find((r) => r.ok && r.machineIdentifier !== expectedMachineId);
      if (other) probe.identityMismatch = { uri: other.uri, machineIdentifier: other.machineIdentifier! };
      if (probe.chosen) {
        try {
          probe.libraries = await client.libraries(probe.chosen.uri.replace(/\/+$/, ''), token, timeoutMs);
        } catch (error) {
          probe.librariesError = isPlexError(error) ? error : new PlexError('upstream', (error as Error).message, { cause: error });
        }
      }
      return probe;
    },
  };
  return client;
}

export type PmsClient = ReturnType<typeof createPmsClient>;
