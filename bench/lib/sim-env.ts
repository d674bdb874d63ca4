import type { PlexSimulator } from '../../tools/plex-sim/index.js';

/** Environment that makes a Helpr process "set up": an admin, Plex pointed at the simulator, libraries chosen. */
export function readyEnv(sim: PlexSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ADMIN_USERNAME: 'bench',
    ADMIN_PASSWORD: 'bench password 123',
    PLEX_TOKEN: sim.ownerToken,
    PLEX_SERVER_ID: sim.machineIdentifier,
    PLEX_TV_URL: sim.plexTvUrl,
    PLEX_CLIENTS_URL: sim.clientsPlexTvUrl,
    PLEX_LIBRARIES: '1,2',
    SECRET_KEY: 'bench-secret-key-that-is-long-enough-000000',
    ...extra,
  };
}
