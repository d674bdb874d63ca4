import os from 'node:os';
import { APP_VERSION } from '../paths.js';

export const PLEX_PRODUCT = 'Helpr';

/**
 * The product headers plex.tv expects on every call. The client identifier is generated once per
 * installation and stored, so Helpr shows up as one device in the owner's "Authorized Devices"
 * and PIN create and poll agree.
 */
export function plexProductHeaders(clientIdentifier: string): Record<string, string> {
  return {
    'X-Plex-Product': PLEX_PRODUCT,
    'X-Plex-Version': APP_VERSION,
    'X-Plex-Client-Identifier': clientIdentifier,
    'X-Plex-Platform': 'Node.js',
    'X-Plex-Platform-Version': process.versions.node,
    'X-Plex-Device': os.platform(),
    'X-Plex-Device-Name': PLEX_PRODUCT,
    'X-Plex-Model': 'server',
    'X-Plex-Provides': 'controller',
  };
}
