import type { Clock } from '../../clock.js';
import type { AdminsService } from '../admins/admins.service.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { createCachedValue } from '../settings/cached-value.js';
import { SETTINGS_TTL_MS } from '../settings/settings.service.js';

/**
 * Whether friends can use the request form: an admin exists and Plex is connected (token and
 * server). Cached briefly so the public page costs no database read per request.
 */
export function createSetupStatus(deps: { admins: AdminsService; connection: PlexConnection; clock: Clock }) {
  const status = createCachedValue(
    async () => {
      const [hasAdmin, state] = await Promise.all([deps.admins.hasAdmin(), deps.connection.state()]);
      return hasAdmin && Boolean(state.token && state.serverId);
    },
    { ttlMs: SETTINGS_TTL_MS, clock: deps.clock },
  );
  return {
    isReady: status.get,
    invalidate: status.clear,
  };
}

export type SetupStatus = ReturnType<typeof createSetupStatus>;
