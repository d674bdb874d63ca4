import { z } from 'zod';
import { isPlexError, PlexError } from './plex.errors.js';
import { parsePlexXml } from './plex-xml.js';
import { parsePlexJson, pendingInviteSchema, plexTimeOf, sharedServerSchema, validatePlex, type PlexPendingInvite, type PlexSharedServer } from './plex.schemas.js';
import { plexTvRequester, type PlexTvContext } from './plex-tv.client.js';
import { createFriendAcceptCalls } from './plex-friend-accept.js';
import { createShareUpdates } from './plex-share-update.js';

export interface SharingOptions {
  allowSync: boolean;
  allowCameraUpload: boolean;
  /** Live TV and channels. */
  allowChannels: boolean;
}

export interface InviteRequest {
  machineIdentifier: string;
  /** An email address or a Plex username. */
  invitee: string;
  /**
   * The friend's plex.tv account id (from their own account read). When given, the share goes to
   * that account (v1 `invited_id`, v2 `invitedId`) and `invitee` only names it; a name may be
   * retyped or changed, the id cannot.
   */
  invitedId?: number;
  /** plex.tv-global section ids (never the media server's local keys). */
  librarySectionIds: number[];
  sharing: SharingOptions;
}

/** An existing share found on plex.tv, and when it was made when plex.tv says. */
export interface FoundShare {
  via: 'v1' | 'v2';
  shareId: string;
  invitedAt: Date | undefined;
}

export type InviteResult =
  | { outcome: 'sent'; via: 'v1' | 'v2'; shareId: string | undefined }
  | { outcome: 'already_shared'; via: 'v1' | 'v2'; message: string };

const bit = (on: boolean) => (on ? '1' : '0');

function v1InviteBody(request: InviteRequest) {
  return {
    server_id: request.machineIdentifier,
    shared_server:
      request.invitedId === undefined
        ? { library_section_ids: request.librarySectionIds, invited_email: request.invitee }
        : { library_section_ids: request.librarySectionIds, invited_id: request.invitedId },
    sharing_settings: {
      allowSync: bit(request.sharing.allowSync),
      allowCameraUpload: bit(request.sharing.allowCameraUpload),
      allowChannels: bit(request.sharing.allowChannels),
      filterMovies: '',
      filterTelevision: '',
      filterMusic: '',
    },
  };
}

function v2InviteBody(request: InviteRequest) {
  return {
    machineIdentifier: request.machineIdentifier,
    ...(request.invitedId === undefined ? { invitedEmail: request.invitee } : { invitedId: request.invitedId }),
    librarySectionIds: request.librarySectionIds,
    settings: {
      allowSync: request.sharing.allowSync,
      allowChannels: request.sharing.allowChannels,
      allowCameraUpload: request.sharing.allowCameraUpload,
      allowSubtitleAdmin: false,
      allowTuners: request.sharing.allowChannels ? 1 : 0,
      filterMovies: '',
      filterTelevision: '',
      filterMusic: '',
      filterPhotos: null,
      filterAll: null,
    },
  };
}

export function createPlexSharingClient(ctx: PlexTvContext) {
  const call = plexTvRequester(ctx);
  const sharing = createSharingCalls(call);
  return {
    ...sharing,
    // Join with Plex (issue 12): accepting as the friend, and libraries added to an existing share.
    ...createFriendAcceptCalls(ctx),
    ...createShareUpdates(ctx, sharing),
  };
}

/** E5 to E8 and the owner-side look-ups, over one requester. */
function createSharingCalls(call: ReturnType<typeof plexTvRequester>) {
  async function inviteV1(token: string, request: InviteRequest): Promise<InviteResult> {
    const what = 'sending the invite';
    const path = `/api/servers/${encodeURIComponent(request.machineIdentifier)}/shared_servers`;
    const answer = await call(what, { path, method: 'POST', token, json: v1InviteBody(request), accept: 'xml' });
    // The success body is not documented anywhere; an id is kept when one is there.
    let shareId: string | undefined;
    try {
      const doc = parsePlexXml(what, answer.text) as { MediaContainer?: { SharedServer?: Array<{ id?: string }> } };
      shareId = doc.MediaContainer?.SharedServer?.[0]?.id;
    } catch {
      shareId = undefined;
    }
    return { outcome: 'sent', via: 'v1', shareId };
  }

  async function inviteV2(token: string, request: InviteRequest): Promise<InviteResult> {
    const what = 'sending the invite';
    const answer = await call(what, { host: 'clients', path: '/api/v2/shared_servers', method: 'POST', token, json: v2InviteBody(request) });
    const id = (answer.text ? (parsePlexJson(answer.text, what) as { id?: unknown }) : {}).id;
    return { outcome: 'sent', via: 'v2', shareId: id === undefined || id === null ? undefined : String(id) };
  }

  return {
    /**
     * E5: shares the chosen libraries with an email or username, or with an account id when
     * `invitedId` is given (Join with Plex knows it from the friend's own sign-in). The proven v1
     * endpoint first; the v2 endpoint when v1 answers 404 or 410. "Already sharing" is an answer,
     * not an error.
     */
    async inviteFriend(token: string, request: InviteRequest): Promise<InviteResult> {
      if (request.librarySectionIds.length === 0) {
        // An empty list may mean "every library" to Plex: never send one.
        throw new PlexError('rejected', 'No libraries were chosen, so no invite was sent');
      }
      const attempt = async (via: 'v1' | 'v2') => {
        try {
          return await (via === 'v1' ? inviteV1(token, request) : inviteV2(token, request));
        } catch (error) {
          if (isPlexError(error) && error.kind === 'already_shared') return { outcome: 'already_shared' as const, via, message: error.message };
          throw error;
        }
      };
      try {
        return await attempt('v1');
      } catch (error) {
        if (isPlexError(error) && error.kind === 'not_found' && (error.status === 404 || error.status === 410)) return attempt('v2');
        throw error;
      }
    },

    /** E6c: accepted shares of the owner's servers (optionally of one server). */
    async listAcceptedShares(token: string, machineIdentifier?: string): Promise<PlexSharedServer[]> {
      const what = 'listing the accepted shares';
      const answer = await call(what, { host: 'clients', path: '/api/v2/shared_servers/owned/accepted', token });
      const shares = validatePlex(z.array(sharedServerSchema), parsePlexJson(answer.text, what), what);
      return machineIdentifier ? shares.filter((s) => s.machineIdentifier === machineIdentifier) : shares;
    },

    /**
     * E6d: invites the owner sent that nobody accepted yet. On clients.plex.tv like the rest of the v2
     * shared_servers family (plex.tv is reported to answer it too; one host for the family is safer).
     */
    async listPendingInvites(token: string, machineIdentifier?: string): Promise<PlexPendingInvite[]> {
      const what = 'listing the pending invites';
      const answer = await call(what, { host: 'clients', path: '/api/v2/shared_servers/invites/owned/pending', token });
      const invites = validatePlex(z.array(pendingInviteSchema), parsePlexJson(answer.text, what), what);
      if (!machineIdentifier) return invites;
      return invites.filter((invite) => invite.sharedServers.some((s) => !s.machineIdentifier || s.machineIdentifier === machineIdentifier));
    },

    /**
     * The v2 shared-server ids (accepted shares and pending invites) of one server for an email
     * address or username, matched case-insensitively, or for the plex.tv account id when known (a
     * Plex join's share was made to it, and the name it was recorded with may have changed since):
     * what removeShare needs to end that access.
     */
    async findSharedServerIds(token: string, machineIdentifier: string, emailOrUsername: string, invitedId?: number): Promise<number[]> {
      return [...new Set((await this.findV2Shares(token, machineIdentifier, emailOrUsername, invitedId)).map((share) => share.id))];
    },

    /** The v2 entries (E6c accepted, E6d pending) of one server for an email address or username (or account id), with when each was made. */
    async findV2Shares(token: string, machineIdentifier: string, emailOrUsername: string, invitedId?: number): Promise<Array<{ id: number; invitedAt: Date | undefined }>> {
      const wanted = emailOrUsername.trim().toLowerCase();
      type Entry = { invitedId?: number | null; invitedEmail?: string | null; invited?: { id?: number | null; email?: string | null; username?: string | null } | null };
      const byId = (entry: Entry) => invitedId !== undefined && (entry.invitedId ?? entry.invited?.id) === invitedId;
      const matches = (entry: Entry) => byId(entry) || [entry.invitedEmail, entry.invited?.email, entry.invited?.username].some((name) => name?.toLowerCase() === wanted);
      const [accepted, pending] = await Promise.all([
        this.listAcceptedShares(token, machineIdentifier),
        this.listPendingInvites(token, machineIdentifier),
      ]);
      const found = accepted.filter(matches).map((share) => ({ id: share.id, invitedAt: plexTimeOf(share.invitedAt ?? share.createdAt) }));
      for (const invite of pending) {
        for (const server of invite.sharedServers) {
          const onServer = !server.machineIdentifier || server.machineIdentifier === machineIdentifier;
          const invitedAt = plexTimeOf(server.invitedAt ?? server.createdAt ?? invite.createdAt);
          if (onServer && (matches(invite) || matches(server))) found.push({ id: server.id, invitedAt });
        }
      }
      return found;
    },

    /**
     * The share (pending or accepted) of one server for an email address or username, with an id of
     * the kind inviteFriend answers and when it was made (`invitedAt`, undefined when plex.tv does
     * not say): E6b (v1, XML, `SharedServer@id`, `@invitedAt` in unix seconds) first, like the
     * invite; the v2 lists (E6c, E6d) when v1 is gone (404/410). Undefined when there is none.
     */
    async findShare(token: string, machineIdentifier: string, emailOrUsername: string): Promise<FoundShare | undefined> {
      const what = 'looking for an existing share';
      const wanted = emailOrUsername.trim().toLowerCase();
      try {
        const path = `/api/servers/${encodeURIComponent(machineIdentifier)}/shared_servers`;
        const answer = await call(what, { path, token, accept: 'xml' });
        type Listed = { id?: string; email?: string; username?: string; invitedAt?: string };
        const doc = parsePlexXml(what, answer.text) as { MediaContainer?: { SharedServer?: Listed[] } };
        const share = doc.MediaContainer?.SharedServer?.find((s) => [s.email, s.username].some((name) => name?.toLowerCase() === wanted));
        return share?.id ? { via: 'v1', shareId: share.id, invitedAt: plexTimeOf(share.invitedAt) } : undefined;
      } catch (error) {
        if (!(isPlexError(error) && error.kind === 'not_found' && (error.status === 404 || error.status === 410))) throw error;
      }
      const [share] = await this.findV2Shares(token, machineIdentifier, emailOrUsername);
      return share === undefined ? undefined : { via: 'v2', shareId: String(share.id), invitedAt: share.invitedAt };
    },

    /**
     * E8c: removes an accepted share or cancels a pending invite by its v2 shared-server id.
     * A share that is already gone (404) counts as removed; a 410 means the endpoint itself was
     * removed, so the share may still be there and the failure must surface.
     */
    async removeShare(token: string, sharedServerId: number | string): Promise<'removed' | 'already_gone'> {
      try {
        await call('removing the share', { host: 'clients', path: `/api/v2/shared_servers/${encodeURIComponent(String(sharedServerId))}`, method: 'DELETE', token });
        return 'removed';
      } catch (error) {
        if (isPlexError(error) && error.kind === 'not_found' && error.status === 404) return 'already_gone';
        throw error;
      }
    },

    /**
     * E10: with the invitee's own token, accepts the pending invite from the server owner.
     * Answers 'none_pending' when there is none (already accepted, or never sent).
     */
    async acceptInvite(inviteeToken: string, ownerUsername: string): Promise<'accepted' | 'none_pending'> {
      const what = 'accepting the invite';
      const answer = await call(what, { host: 'clients', path: '/api/v2/shared_servers/invites/received/pending', token: inviteeToken });
      const invites = validatePlex(z.array(pendingInviteSchema), parsePlexJson(answer.text, what), what);
      const wanted = ownerUsername.toLowerCase();
      const invite = invites.find((i) =>
        [i.owner?.username, i.owner?.title, i.owner?.email, i.owner?.friendlyName].some((name) => name?.toLowerCase() === wanted),
      );
      const shared = invite?.sharedServers ?? [];
      if (shared.length === 0) return 'none_pending';
      for (const server of shared) {
        await call(what, { host: 'clients', path: `/api/v2/shared_servers/${server.id}/accept`, method: 'POST', token: inviteeToken });
      }
      return 'accepted';
    },
  };
}

export type PlexSharingClient = ReturnType<typeof createPlexSharingClient>;
