import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexSharingClient } from '../../plex/plex-sharing.client.js';

/**
 * The share an earlier attempt may have made unseen (the invitation is unconfirmed), looked up
 * before sending again. When plex.tv cannot list shares at all (a route removed, a refusal other
 * than the token) the send decides alone, and its "already sharing" then counts as sent; temporary
 * failures and a refused token are thrown, to be handled like the send's own.
 */
export async function findEarlierShare(
  sharing: Pick<PlexSharingClient, 'findShare'>,
  token: string,
  serverId: string,
  identifier: string,
): Promise<{ shareId: string } | undefined> {
  try {
    return await sharing.findShare(token, serverId, identifier);
  } catch (error) {
    if (isPlexError(error) && (error.kind === 'not_found' || error.kind === 'rejected')) return undefined;
    throw error;
  }
}
