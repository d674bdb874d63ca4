import type { Clock } from '../../clock.js';
import type { AdminsService } from '../admins/admins.service.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';

const TTL_MS = 5000;

/**
 * Whether friends can use the request form: an admin exists and Plex is connected (token and
 * server). Cached briefly so the public page costs no database read per request.
 */
export function createSetupStatus(deps: { admins: AdminsService; connection: PlexConnection; clock: Clock }) {
  let cached: { ready: boolean; until: number } | undefined;
  return {
    async isReady(): Promise<boolean> {
      const now = deps.clock.now().getTime();
      if (cached && cached.until > now) return cached.ready;
      const [hasAdmin, state] = await Promise.all([deps.admins.hasAdmin(), deps.connection.state()]);
      const ready = hasAdmin && Boolean(state.token && state.serverId);
      cached = { ready, until: now + TTL_MS };
      return ready;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
}

export type SetupStatus = ReturnType<typeof createSetupStatus>;
