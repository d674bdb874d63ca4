import { z } from 'zod';
import { isPlexError, PlexError } from './plex.errors.js';
import { validatePlex, type PlexPendingInvite, type PlexSharedServer } from './plex.schemas.js';
import { plexTvRequester, type PlexTvContext } from './plex-tv.client.js';
import { parsePlexXml } from './plex-xml.js';

export interface AddLibrariesRequest {
  machineIdentifier: string;
  /** The friend's plex.tv account id; the share is looked up by it first. */
  invitedId?: number;
  /** Email address or username: how a share without the account id (an email invite) is found. */
  invitee: string;
  /** plex.tv-global section ids the share must include. */
  librarySectionIds: number[];
}

export interface AddedLibraries {
  /** The ids that were missing and are now shared; empty when the share had them all. */
  added: number[];
  /** The share is an invite nobody accepted yet. */
  pending: boolean;
}

/** The v2 lists this needs from the sharing client (E6c, E6d). */
export interface V2ShareLists {
  listAcceptedShares(token: string, machineIdentifier?: string): Promise<PlexSharedServer[]>;
  listPendingInvites(token: string, machineIdentifier?: string): Promise<PlexPendingInvite[]>;
}

/** A share found on plex.tv, with what it grants now. */
interface Found {
  via: 'v1' | 'v2';
  id: string;
  pending: boolean;
  /** 'all': every library (present and future); undefined: plex.tv did not say. */
  libraryIds: number[] | 'all' | undefined;
  settings?: Record<string, unknown> | null;
}

const numeric = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
// E6b (v1 XML): `<MediaContainer><SharedServer id userID username email acceptedAt allLibraries><Section id shared/>`.
const v1ListSchema = z.object({
  MediaContainer: z.preprocess(
    (value) => (value && typeof value === 'object' ? value : {}),
    z.object({
      SharedServer: z
        .array(
          z.object({
            id: z.string().regex(/^\d+$/),
            userID: z.string().optional(),
            username: z.string().optional(),
            email: z.string().optional(),
            acceptedAt: z.string().optional(),
            allLibraries: z.string().optional(),
            Section: z.array(z.object({ id: numeric, shared: z.string().optional() })).optional(),
          }),
        )
        .default([]),
    }),
  ),
});

const isGone = (error: unknown) => isPlexError(error) && error.kind === 'not_found' && (error.status === 404 || error.status === 410);

/**
 * Adds libraries to the share an account already has on a server (accepted, or an invite still
 * pending), never taking any away: plex.tv replaces the whole list on update, so the list sent is
 * what the share has plus what is missing. E6b + E7a (v1, like the invite) first; the v2 lists
 * (E6c, E6d) + E7c when v1 is gone (404/410). Undefined when the account has no share there.
 */
export function createAddLibraries(ctx: PlexTvContext, lists: V2ShareLists) {
  return createShareUpdates(ctx, lists).addLibraries;
}

/** addLibraries (above), and setLibraries: the owner's change of a friend's libraries (issue 13). */
export function createShareUpdates(ctx: PlexTvContext, lists: V2ShareLists) {
  const call = plexTvRequester(ctx);
  const ADDING = 'adding libraries to the share';
  const CHANGING = 'changing the libraries of the share';

  function matcher(request: AddLibrariesRequest) {
    const wanted = request.invitee.trim().toLowerCase();
    const byId = (id: number | string | null | undefined) => request.invitedId !== undefined && id !== undefined && id !== null && String(id) === String(request.invitedId);
    const byName = (...names: Array<string | null | undefined>) => names.some((name) => name?.toLowerCase() === wanted);
    return { byId, byName };
  }

  async function findV1(what: string, token: string, request: AddLibrariesRequest): Promise<Found | undefined | 'gone'> {
    const path = `/api/servers/${encodeURIComponent(request.machineIdentifier)}/shared_servers`;
    let text: string;
    try {
      text = (await call(what, { path, token, accept: 'xml' })).text;
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
    const shares = validatePlex(v1ListSchema, parsePlexXml(what, text), what).MediaContainer.SharedServer;
    const { byId, byName } = matcher(request);
    const share = shares.find((s) => byId(s.userID)) ?? shares.find((s) => byName(s.email, s.username));
    if (!share) return undefined;
    const libraryIds = share.allLibraries === '1' ? 'all' : share.Section?.filter((s) => s.shared === '1').map((s) => s.id);
    return { via: 'v1', id: share.id, pending: !(Number(share.acceptedAt) > 0), libraryIds };
  }

  async function findV2(token: string, request: AddLibrariesRequest): Promise<Found | undefined> {
    const { byId, byName } = matcher(request);
    const [accepted, pending] = await Promise.all([
      lists.listAcceptedShares(token, request.machineIdentifier),
      lists.listPendingInvites(token, request.machineIdentifier),
    ]);
    const found = (entry: PlexSharedServer, isPending: boolean): Found => ({
      via: 'v2',
      id: String(entry.id),
      pending: isPending,
      libraryIds: entry.allLibraries ? 'all' : entry.libraries?.map((l) => l.id),
      settings: entry.sharingSettings,
    });
    const share = accepted.find((s) => byId(s.invitedId ?? s.invited?.id)) ?? accepted.find((s) => byName(s.invitedEmail, s.invited?.email, s.invited?.username));
    if (share) return found(share, false);
    const invites = pending.flatMap((invite) =>
      invite.sharedServers
        .filter((s) => !s.machineIdentifier || s.machineIdentifier === request.machineIdentifier)
        .map((server) => ({ invite, server })),
    );
    const invite =
      invites.find(({ invite: i, server: s }) => byId(s.invitedId ?? s.invited?.id ?? i.invited?.id)) ??
      invites.find(({ invite: i, server: s }) => byName(i.invitedEmail, i.invited?.email, i.invited?.username, s.invitedEmail, s.invited?.email, s.invited?.username));
    return invite ? found(invite.server, true) : undefined;
  }

  /** E7a (v1 PUT, libraries only) or E7c (v2 POST, with the share's settings sent back as they were). */
  async function update(what: string, token: string, request: AddLibrariesRequest, share: Found, libraryIds: number[]): Promise<'updated' | 'gone'> {
    const mid = request.machineIdentifier;
    try {
      if (share.via === 'v1') {
        const path = `/api/servers/${encodeURIComponent(mid)}/shared_servers/${encodeURIComponent(share.id)}`;
        await call(what, { path, method: 'PUT', token, accept: 'xml', json: { server_id: mid, shared_server: { library_section_ids: libraryIds } } });
      } else {
        const json = { librarySectionIds: libraryIds, ...(share.settings ? { settings: share.settings } : {}) };
        await call(what, { host: 'clients', path: `/api/v2/shared_servers/${encodeURIComponent(share.id)}`, method: 'POST', token, json });
      }
      return 'updated';
    } catch (error) {
      // The share went away between the read and the update (the friend left, the owner removed it).
      if (isPlexError(error) && error.kind === 'not_found' && error.status === 404) return 'gone';
      throw error;
    }
  }

  async function find(what: string, ownerToken: string, request: AddLibrariesRequest): Promise<Found | undefined> {
    const v1 = await findV1(what, ownerToken, request);
    // v1 gone, or a v1 entry that does not list its libraries: the v2 lists say which it has.
    const unlisted = v1 !== 'gone' && v1 !== undefined && v1.libraryIds === undefined;
    return v1 === 'gone' || unlisted ? ((await findV2(ownerToken, request)) ?? (unlisted ? v1 : undefined)) : v1;
  }

  /**
   * Gives the share exactly `librarySectionIds` (accepted, or an invite still pending), by updating
   * it in place (E7a or E7c), never by removing and sharing again: the friend keeps their share
   * and does not have to accept anything. Undefined when the account has no share there.
   */
  async function setLibraries(ownerToken: string, request: AddLibrariesRequest): Promise<{ pending: boolean } | undefined> {
    if (request.librarySectionIds.length === 0) throw new PlexError('rejected', 'No libraries were chosen: to take every library away, remove the access instead');
    const share = await find(CHANGING, ownerToken, request);
    if (!share) return undefined;
    if ((await update(CHANGING, ownerToken, request, share, [...new Set(request.librarySectionIds)])) === 'gone') return undefined;
    return { pending: share.pending };
  }

  async function addLibraries(ownerToken: string, request: AddLibrariesRequest): Promise<AddedLibraries | undefined> {
    const share = await find(ADDING, ownerToken, request);
    if (!share) return undefined;
    if (share.libraryIds === 'all') return { added: [], pending: share.pending };
    const current = share.libraryIds;
    if (current === undefined) {
      // Sending a list without knowing the current one could take libraries away.
      throw new PlexError('upstream', 'Plex did not say which libraries the existing share has, so none were added');
    }
    const added = [...new Set(request.librarySectionIds)].filter((id) => !current.includes(id));
    if (added.length === 0) return { added, pending: share.pending };
    if ((await update(ADDING, ownerToken, request, share, [...current, ...added])) === 'gone') return undefined;
    return { added, pending: share.pending };
  }

  return { addLibraries, setLibraries };
}
