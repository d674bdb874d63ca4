import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { tokenHint, unreachableHint } from '../plex/diagnostics.steps.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';

export interface ServerOption {
  id: string;
  name: string;
  version: string | null;
  reachable: boolean;
  /** The address that answered (the one Helpr would use), with its kind and answer time. */
  uri?: string;
  kind?: 'local' | 'remote' | 'relay';
  latencyMs?: number;
  hint?: string;
}

export interface ServerList {
  servers: ServerOption[];
  currentId: string | undefined;
  /** PLEX_SERVER_ID decides: the page shows it and offers no choice. */
  fixed: boolean;
  /** Why the list could not be read (plex.tv away, token refused), with the fix. */
  problem?: string;
}

const PROBE_TIMEOUT_MS = 5000;

/**
 * Picking the media server: the account's OWN servers (only those can be shared), each probed on
 * all its addresses at once. No address is stored: the connection test tries every address plex.tv
 * lists each time, so a copied address could only go stale (PLEX_SERVER_URL pins one if needed).
 */
export function createServerChoice(deps: { connection: PlexConnection; audit: AuditService; onChanged: () => void }) {
  async function ownedServers() {
    const state = await deps.connection.state();
    if (!state.token) throw new AppError('plex.not_connected', 'Sign in with Plex first.', { status: 409 });
    const client = await deps.connection.client();
    return { state, client, servers: await client.tv.getOwnedServers(state.token) };
  }

  return {
    async list(): Promise<ServerList> {
      const base = await deps.connection.state();
      const listed = { currentId: base.serverId, fixed: base.serverIdSource === 'environment' };
      try {
        const { state, client, servers } = await ownedServers();
        const probes = await Promise.all(
          servers.map((server) => client.pms.probe(server.connections, server.clientIdentifier, server.accessToken ?? state.token!, PROBE_TIMEOUT_MS)),
        );
        const options = servers.map((server, i): ServerOption => {
          const chosen = probes[i]!.chosen;
          const common = { id: server.clientIdentifier, name: server.name, version: server.productVersion ?? null };
          if (!chosen) return { ...common, reachable: false, hint: unreachableHint(PROBE_TIMEOUT_MS, probes[i]!.identityMismatch) };
          const kind = chosen.relay ? 'relay' : chosen.local ? 'local' : 'remote';
          return { ...common, reachable: true, uri: chosen.uri, kind, latencyMs: chosen.latencyMs };
        });
        return { ...listed, servers: options };
      } catch (error) {
        if (!isPlexError(error)) throw error;
        return { ...listed, servers: [], problem: `${error.message}. ${tokenHint(error)}` };
      }
    },

    /** Saves the chosen server; it must be one of the account's own servers right now. */
    async choose(serverId: string, actor: AuditActor): Promise<{ id: string; name: string }> {
      const { state, servers } = await ownedServers().catch((error: unknown) => {
        if (!isPlexError(error)) throw error;
        throw new AppError('plex.unavailable', tokenHint(error), { status: 502, fields: { server: tokenHint(error) }, cause: error });
      });
      if (state.serverIdSource === 'environment') {
        throw new AppError('plex.server_from_environment', 'PLEX_SERVER_ID in the environment decides the server: change it there.', { status: 409 });
      }
      const server = servers.find((s) => s.clientIdentifier === serverId);
      if (!server) throw new AppError('plex.unknown_server', 'Choose one of the servers listed.', { fields: { server: 'Choose one of the servers listed.' } });
      await deps.connection.saveServer(server.clientIdentifier);
      await deps.connection.rememberServerName(server.clientIdentifier, server.name);
      deps.onChanged();
      await deps.audit.record(actor, 'settings.update', 'plex.server', { serverId: server.clientIdentifier, name: server.name });
      return { id: server.clientIdentifier, name: server.name };
    },
  };
}

export type ServerChoice = ReturnType<typeof createServerChoice>;
