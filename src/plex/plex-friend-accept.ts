import { z } from 'zod';
import { isPlexError } from './plex.errors.js';
import { parsePlexJson, pendingInviteSchema, validatePlex, type PlexPendingInvite } from './plex.schemas.js';
import { plexTvRequester, type PlexTvContext } from './plex-tv.client.js';

/** Which invites count as this server's: its machine, from its owner (by id, else by username). */
export interface ReceivedInviteFilter {
  machineIdentifier: string;
  ownerId?: number;
  ownerUsername?: string;
}

function fromOwner(invite: PlexPendingInvite, filter: ReceivedInviteFilter): boolean {
  const owner = invite.owner;
  if (filter.ownerId !== undefined && owner?.id !== undefined && owner.id !== null) return owner.id === filter.ownerId;
  if (filter.ownerUsername !== undefined) return owner?.username?.toLowerCase() === filter.ownerUsername.toLowerCase();
  // No way to tell the owner (neither asked for nor answered): only the machine decides.
  return filter.ownerId === undefined;
}

/**
 * E10 with the friend's own token: the invites waiting for them, and accepting one. The token is
 * sent as a header only, never in a URL, so no error message or log line can carry it.
 */
export function createFriendAcceptCalls(ctx: PlexTvContext) {
  const call = plexTvRequester(ctx);
  return {
    /**
     * The v2 sharedServer ids pending for the friend on this server from this owner. An entry that
     * names no machine counts when the owner matched: plex.tv's examples always name it, and
     * skipping such entries would let a later check take "nothing pending" for "accepted".
     */
    async receivedPendingFor(friendToken: string, filter: ReceivedInviteFilter): Promise<number[]> {
      const what = 'listing the invites waiting for the friend';
      const answer = await call(what, { host: 'clients', path: '/api/v2/shared_servers/invites/received/pending', token: friendToken });
      const invites = validatePlex(z.array(pendingInviteSchema), parsePlexJson(answer.text, what), what);
      const ownerNamed = filter.ownerId !== undefined || filter.ownerUsername !== undefined;
      const ids = invites
        .filter((invite) => fromOwner(invite, filter))
        .flatMap((invite) => invite.sharedServers)
        .filter((server) => server.machineIdentifier === filter.machineIdentifier || (!server.machineIdentifier && ownerNamed))
        .map((server) => server.id);
      return [...new Set(ids)];
    },

    /**
     * Accepts one pending invite as the friend. 'gone' when plex.tv no longer has it (404: accepted
     * already, or cancelled); a 410 means the endpoint itself was removed and is thrown. A refusal
     * because the friend's email is not confirmed is thrown too (isUnconfirmedEmailRefusal tells).
     * Any 2xx is success whatever its body (as Wizarr reads it), so the body is not read.
     */
    async acceptSharedServer(friendToken: string, sharedServerId: number): Promise<'accepted' | 'gone'> {
      const path = `/api/v2/shared_servers/${encodeURIComponent(String(sharedServerId))}/accept`;
      try {
        await call('accepting the invite', { host: 'clients', path, method: 'POST', token: friendToken });
        return 'accepted';
      } catch (error) {
        if (isPlexError(error) && error.kind === 'not_found' && error.status === 404) return 'gone';
        throw error;
      }
    },
  };
}
