import { isPlexError, type PlexError } from '../../plex/plex.errors.js';

/** Plain-language fixes for the ways a Plex connection fails. */
export function tokenHint(error: unknown): string {
  if (!isPlexError(error)) return 'Try again; if it keeps failing, look at the Helpr log.';
  switch (error.kind) {
    case 'invalid_token':
      return error.status === 422
        ? 'This token was revoked: sign in with Plex again.'
        : 'Plex does not accept this token: sign in with Plex again (or check PLEX_TOKEN).';
    case 'timeout':
    case 'network':
      return "plex.tv could not be reached: check this machine's internet connection and DNS, then test again.";
    case 'rate_limited':
      return `plex.tv asked Helpr to slow down: wait ${error.retryAfterSeconds ?? 60} seconds and test again.`;
    default:
      return 'plex.tv had a problem answering: wait a minute and test again.';
  }
}

export function serverHint(serverId: string | undefined, servers: Array<{ name: string; clientIdentifier: string; owned: boolean }>): string {
  if (!serverId) return 'No server is chosen yet: pick your server in the admin area (or set PLEX_SERVER_ID).';
  const shared = servers.find((s) => s.clientIdentifier === serverId && !s.owned);
  if (shared) return `"${shared.name}" is shared with this account, not owned by it: sign in with the Plex account that owns the server.`;
  const owned = servers.filter((s) => s.owned).map((s) => `${s.name} (${s.clientIdentifier})`);
  return owned.length
    ? `This account owns no server with id ${serverId}. Its servers: ${owned.join(', ')}. Pick one of them again.`
    : 'This Plex account owns no media server: sign in with the account that runs your Plex Media Server.';
}

export function unreachableHint(timeoutMs: number, mismatch?: { uri: string; machineIdentifier: string }): string {
  if (mismatch) {
    return `${mismatch.uri} answers as another server (${mismatch.machineIdentifier}): check PLEX_SERVER_URL or pick the right server.`;
  }
  return `The server did not answer on any of its addresses within ${timeoutMs / 1000} s: check that Plex Media Server is running and that this machine can reach it (or set PLEX_SERVER_URL).`;
}

export function librariesHint(error: PlexError | undefined): string {
  if (error?.kind === 'invalid_token') return 'The server refused the token: sign in with Plex again.';
  if (error?.kind === 'timeout' || error?.kind === 'network') return 'The server stopped answering while listing its libraries: test again.';
  return 'The server could not list its libraries: check Plex Media Server, then test again.';
}
