import { storedPermissions } from '../access/access-terms.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { findEarlierShare, type EarlierShare } from './earlier-share.js';
import { existingShareOutcome } from './existing-share.js';
import type { InvitationRow } from './invitations.repository.js';
import { createSendFailures } from './send-failure.js';

/** What one attempt at sending an invitation came to. */
export type SendOutcome =
  | { status: 'sent'; shareId: string | undefined; libraries: string[] }
  | { status: 'already_shared'; libraries: string[] }
  /** Plex's existing share is an invite not accepted yet: the person has no access until they accept it. */
  | { status: 'already_invited'; libraries: string[] }
  | {
      status: 'retry';
      kind: string;
      error: string;
      retryAfterSeconds?: number;
      /** The invite call failed in a way after which the invite may exist all the same (earlier-share.ts). */
      unknownOutcome?: boolean;
      /** Asked once the wait is recorded: true when it should end now (the refused token was replaced meanwhile). */
      endWaitNow?: () => Promise<boolean>;
    }
  | { status: 'failed'; kind: string; error: string };

/**
 * Sends one invitation through Plex: the libraries of the invitation (or, when it has none, the
 * current selection), mapped to plex.tv ids, with the permissions the request was made under. Problems the
 * owner can fix (no selection, not connected, a library gone, a refused token) keep the request
 * waiting; temporary Plex failures are retried; permanent refusals fail.
 */
export function createInvitationSender(deps: {
  connection: PlexConnection;
  mapping: LibraryMapping;
  settings: SettingsService;
  /** Records that Plex refused `token`; false when Helpr uses another token by now (token-refusal.ts). */
  onTokenRefused?: (token: string) => Promise<boolean>;
}) {
  const failures = createSendFailures(deps);

  /**
   * Plex answered "already sharing" after an unconfirmed attempt: the share is Helpr's own (the
   * invite was sent) unless plex.tv says it is older than the request. When the shares cannot be
   * listed, or plex.tv does not say when it was made, it is taken for Helpr's own.
   */
  async function sentEarlier(lookup: () => Promise<EarlierShare>, earlier: EarlierShare): Promise<{ shareId: string | undefined } | undefined> {
    const share = earlier === 'unlisted' ? earlier : await lookup();
    // Stryker disable next-line ObjectLiteral: {} has no shareId either
    if (typeof share !== 'object') return { shareId: undefined };
    return share.madeBy === 'helpr' ? { shareId: share.shareId } : undefined;
  }

  return async function sendInvitation(invitation: Pick<InvitationRow, 'identifier' | 'libraries' | 'unconfirmed_since' | 'created_at' | 'permissions'>): Promise<SendOutcome> {
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
    let inviting = false;
    try {
      const client = await deps.connection.client();
      // An earlier attempt may have reached Plex unseen (a crash, a lost write): a share it made is
      // this invite; one older than the request is access the person had before (earlier-share.ts).
      const unconfirmed = Boolean(invitation.unconfirmed_since);
      const lookup = () => findEarlierShare(client.sharing, token, serverId, invitation);
      // Stryker disable next-line StringLiteral: any string means no earlier share below (only 'unlisted' is looked for)
      const earlier = unconfirmed ? await lookup() : 'none';
      if (typeof earlier === 'object' && earlier.madeBy === 'helpr') return { status: 'sent', shareId: earlier.shareId, libraries };
      if (typeof earlier === 'object') return await existingShareOutcome(client, token, serverId, invitation.identifier);
      const result = await deps.mapping.useLibraries(libraries, (found) => {
        inviting = true;
        return client.sharing.inviteFriend(token, {
          machineIdentifier: serverId,
          invitee: invitation.identifier,
          librarySectionIds: found.map((library) => library.globalId),
          // The permissions the request was made under (its code's, or the settings' then); older requests: the settings'.
          sharing: storedPermissions(invitation.permissions) ?? settings.sharing,
        });
      });
      if (result.outcome === 'sent') return { status: 'sent', shareId: result.shareId, libraries };
      // "Already shared" means access from before Helpr's first attempt; after an unconfirmed one the share may be Helpr's own.
      const sent = unconfirmed ? await sentEarlier(lookup, earlier) : undefined;
      if (sent) return { status: 'sent', shareId: sent.shareId, libraries };
      // Otherwise it is what plex.tv says that share is (access or an invite waiting) and gives.
      return await existingShareOutcome(client, token, serverId, invitation.identifier);
    } catch (error) {
      return failures.outcomeOf(error, token, inviting);
    }
  };
}

export type InvitationSender = ReturnType<typeof createInvitationSender>;
