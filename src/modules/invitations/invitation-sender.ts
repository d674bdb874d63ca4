import { isAppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { LibrariesMissingError, type LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { findEarlierShare } from './earlier-share.js';
import type { InvitationRow } from './invitations.repository.js';

/** What one attempt at sending an invitation came to. */
export type SendOutcome =
  | { status: 'sent'; shareId: string | undefined; libraries: string[] }
  | { status: 'already_shared'; libraries: string[] }
  | { status: 'retry'; kind: string; error: string; retryAfterSeconds?: number }
  | { status: 'failed'; kind: string; error: string };

/** Errors kept for the admin are short and never carry secrets. */
const short = (message: string) => (message.length > 300 ? `${message.slice(0, 297)}...` : message);

/**
 * Sends one invitation through Plex: the libraries of the invitation (or, when it has none, the
 * current selection), mapped to plex.tv ids, with the sharing options from settings. Problems the
 * owner can fix (no selection, not connected, a library gone) keep the request waiting; temporary
 * Plex failures are retried; permanent refusals fail.
 */
export function createInvitationSender(deps: { connection: PlexConnection; mapping: LibraryMapping; settings: SettingsService }) {
  return async function sendInvitation(invitation: Pick<InvitationRow, 'identifier' | 'libraries' | 'unconfirmed_since'>): Promise<SendOutcome> {
    const settings = await deps.settings.get();
    const own = JSON.parse(invitation.libraries) as string[];
    const libraries = own.length > 0 ? own : settings.libraries;
    if (libraries.length === 0) {
      return { status: 'retry', kind: 'no_libraries', error: 'No libraries are selected for new friends: choose them in the admin area (or set PLEX_LIBRARIES).' };
    }
    const { token, serverId } = await deps.connection.state();
    if (!token || !serverId) {
      return { status: 'retry', kind: 'not_connected', error: 'Helpr is not connected to a Plex server: finish the setup in the admin area.' };
    }
    try {
      const client = await deps.connection.client();
      // An earlier attempt may have reached Plex unseen (a crash, a lost write): its share is this invite.
      const unconfirmed = Boolean(invitation.unconfirmed_since);
      const earlier = unconfirmed ? await findEarlierShare(client.sharing, token, serverId, invitation.identifier) : undefined;
      if (earlier) return { status: 'sent', shareId: earlier.shareId, libraries };
      const result = await deps.mapping.useLibraries(libraries, (found) =>
        client.sharing.inviteFriend(token, {
          machineIdentifier: serverId,
          invitee: invitation.identifier,
          librarySectionIds: found.map((library) => library.globalId),
          sharing: settings.sharing,
        }),
      );
      if (result.outcome === 'sent') return { status: 'sent', shareId: result.shareId, libraries };
      // "Already shared" means access from before Helpr's first attempt; after an unconfirmed one it is Helpr's own.
      return unconfirmed ? { status: 'sent', shareId: undefined, libraries } : { status: 'already_shared', libraries };
    } catch (error) {
      if (error instanceof LibrariesMissingError) return { status: 'retry', kind: 'library_missing', error: error.message };
      if (isPlexError(error)) {
        if (error.temporary) return { status: 'retry', kind: error.kind, error: short(error.message), retryAfterSeconds: error.retryAfterSeconds };
        return { status: 'failed', kind: error.kind, error: short(error.message) };
      }
      if (isAppError(error)) return { status: 'retry', kind: error.code, error: short(error.message) };
      // Anything unexpected (the database away, a bug) is retried rather than lost.
      return { status: 'retry', kind: 'internal', error: short((error as Error).message ?? String(error)) };
    }
  };
}

export type InvitationSender = ReturnType<typeof createInvitationSender>;
