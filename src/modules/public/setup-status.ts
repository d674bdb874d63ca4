import type { Clock } from '../../clock.js';
import type { AdminsService } from '../admins/admins.service.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { createCachedValue } from '../settings/cached-value.js';
import { SETTINGS_TTL_MS } from '../settings/settings.service.js';

/**
 * Whether friends can use the request form: an admin exists and Plex is connected (token and
 * server). Both are kept in memory (the connection by its own service), so the public page costs
 * no database read per request, and another instance's change shows within SETTINGS_TTL_MS.
 */
export function createSetupStatus(deps: { admins: AdminsService; connection: PlexConnection; clock: Clock }) {
  const hasAdmin = createCachedValue(() => deps.admins.hasAdmin(), { ttlMs: SETTINGS_TTL_MS, clock: deps.clock });
  return {
    async isReady(): Promise<boolean> {
      const [admin, state] = await Promise.all([hasAdmin.get(), deps.connection.state()]);
      return admin && Boolean(state.token && state.serverId);
    },
    invalidate: hasAdmin.clear,
  };
}

export type SetupStatus = ReturnType<typeof createSetupStatus>;
