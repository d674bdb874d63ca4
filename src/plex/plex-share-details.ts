import { isPlexError } from './plex.errors.js';
import type { PlexSharingClient } from './plex-sharing.client.js';
import { plexTvRequester, type PlexTvContext } from './plex-tv.client.js';
import { parsePlexXml } from './plex-xml.js';

/** What plex.tv says about the share someone already has on a server. */
export interface ShareDetails {
  /** An invite nobody accepted yet: the person has no access until they accept it in Plex. */
  pending: boolean;
  /** The media server's keys of the libraries this share gives; undefined when plex.tv did not say. */
  libraryKeys: string[] | undefined;
}

type ListedSection = { key?: string; shared?: string };
type ListedShare = { email?: string; username?: string; acceptedAt?: string; Section?: ListedSection[] };

/**
 * One question, asked when plex.tv answered "already sharing": is that share an invite still
 * waiting, and which libraries does it give? E6b (v1, XML: `SharedServer@acceptedAt` and its
 * `Section shared="1"` children) first; the v2 lists (E6c accepted, E6d pending) when v1 is gone.
 */
export function createShareDetails(ctx: PlexTvContext, sharing: Pick<PlexSharingClient, 'listAcceptedShares' | 'listPendingInvites'>) {
  const call = plexTvRequester(ctx);

  return async function shareDetails(token: string, machineIdentifier: string, emailOrUsername: string): Promise<ShareDetails | undefined> {
    const what = 'reading an existing share';
    const wanted = emailOrUsername.trim().toLowerCase();
    const named = (...names: Array<string | null | undefined>) => names.some((name) => name?.toLowerCase() === wanted);
    try {
      const path = `/api/servers/${encodeURIComponent(machineIdentifier)}/shared_servers`;
      const answer = await call(what, { path, token, accept: 'xml' });
      const doc = parsePlexXml(what, answer.text) as { MediaContainer?: { SharedServer?: ListedShare[] } };
      const share = doc.MediaContainer?.SharedServer?.find((s) => named(s.email, s.username));
      if (!share) return undefined;
      const sections = share.Section;
      return {
        pending: !(Number(share.acceptedAt) > 0),
        libraryKeys: sections ? sections.filter((s) => s.shared === '1' && s.key).map((s) => String(s.key)) : undefined,
      };
    } catch (error) {
      if (!(isPlexError(error) && error.kind === 'not_found' && (error.status === 404 || error.status === 410))) throw error;
    }
    const keysOf = (libraries: Array<{ key?: number | null }> | null | undefined) =>
      libraries ? libraries.flatMap((l) => (l.key === undefined || l.key === null ? [] : [String(l.key)])) : undefined;
    const accepted = (await sharing.listAcceptedShares(token, machineIdentifier)).find((s) => named(s.invitedEmail, s.invited?.email, s.invited?.username));
    if (accepted) return { pending: false, libraryKeys: keysOf(accepted.libraries) };
    for (const invite of await sharing.listPendingInvites(token, machineIdentifier)) {
      const server = invite.sharedServers.find((s) => !s.machineIdentifier || s.machineIdentifier === machineIdentifier);
      if (server && named(invite.invitedEmail, invite.invited?.email, invite.invited?.username, server.invitedEmail, server.invited?.email, server.invited?.username)) {
        return { pending: true, libraryKeys: keysOf(server.libraries) };
      }
    }
    return undefined;
  };
}

export type ShareDetailsLookup = ReturnType<typeof createShareDetails>;
