import type { JoinStep } from '../../db/schema.js';
import { isPlexError, isUnconfirmedEmailRefusal } from '../../plex/plex.errors.js';
import type { InviteRequest, InviteResult } from '../../plex/plex-sharing.client.js';
import { storedPermissions } from '../access/access-terms.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { FriendTokens } from './friend-tokens.js';
import type { InvitationRow } from './invitations.repository.js';
import { FRIEND_TOKEN_INVALID, FRIEND_UNCONFIRMED, UNCONFIRMED_WORDS } from './plex-join-kinds.js';
import { createSendFailures, short, type FailureOutcome } from './send-failure.js';

/** The plex.tv calls a join job makes (src/plex; the PlexClient has them). */
export interface JoinPlexClient {
  tv: { getAccount(token: string): Promise<{ id: number; username: string; confirmed?: boolean }> };
  sharing: {
    inviteFriend(token: string, request: InviteRequest & { invitedId?: number }): Promise<InviteResult>;
    addLibraries(
      ownerToken: string,
      request: { machineIdentifier: string; invitedId?: number; invitee: string; librarySectionIds: number[] },
    ): Promise<{ added: number[]; pending: boolean } | undefined>;
    receivedPendingFor(friendToken: string, where: { machineIdentifier: string; ownerId?: number; ownerUsername?: string }): Promise<number[]>;
    acceptSharedServer(friendToken: string, sharedServerId: number): Promise<'accepted' | 'gone'>;
  };
}

/** How far a join got: recorded after each step, read back by the next attempt to resume there. */
export interface JoinProgress {
  /** The step to run next. */
  step: JoinStep;
  plexShareId: string | null;
  sentAt: string | null;
  /** JSON array of local library keys the share gives. */
  libraries: string;
}

export type JoinOutcome =
  | { status: 'accepted'; progress: JoinProgress }
  /** The share exists but Helpr cannot accept it for the friend: they accept it in Plex. */
  | { status: 'sent'; kind: string; error: string; progress: JoinProgress }
  | (FailureOutcome & { progress: JoinProgress })
  /** The lease went (taken over after a crash, or the request revoked): nothing more may be recorded. */
  | { status: 'lost' };

export type JoinInvitation = Pick<InvitationRow, 'id' | 'identifier' | 'libraries' | 'unconfirmed_since' | 'error_kind' | 'plex_share_id' | 'sent_at' | 'join_step' | 'plex_account_id' | 'permissions'>;

/** Records a finished step (lease holder only); false when the lease went. */
export type RecordProgress = (progress: JoinProgress) => Promise<boolean>;

const WORDS = {
  unconfirmed: UNCONFIRMED_WORDS,
  tokenRefused: "Plex refused the friend's sign-in (they signed Helpr out in Plex), so Helpr could not accept the invite for them. They can accept it from Plex's email or at app.plex.tv.",
  tokenGone: "Helpr no longer has the friend's sign-in, so it could not accept the invite for them. They can accept it from Plex's email or at app.plex.tv.",
  stillPending: 'Plex still lists the invite as waiting after it was accepted: Helpr looks again shortly.',
};

/** A failure of a call made with the friend's token, told apart from the owner's. */
class FriendCallError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/** Calls plex.tv as the friend: their refusals become FriendCallErrors; temporary failures pass as they are. */
async function asFriend<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnconfirmedEmailRefusal(error)) throw new FriendCallError(FRIEND_UNCONFIRMED, WORDS.unconfirmed);
    if (isPlexError(error) && error.kind === 'invalid_token') throw new FriendCallError(FRIEND_TOKEN_INVALID, WORDS.tokenRefused);
    // Another refusal ("cannot accept yet"): waiting may help, and the share exists either way.
    if (isPlexError(error) && !error.temporary) throw new FriendCallError('accept_refused', short(error.message));
    throw error;
  }
}

/**
 * Join with Plex, one attempt: share the libraries with the friend's account, accept the invite as
 * the friend, verify nothing is left pending; each step recorded before the next begins, so an
 * attempt cut off anywhere resumes at its step and nothing is done twice (a share is made once:
 * after an attempt that may have reached plex.tv unseen it is looked for first; an invite is
 * accepted once: the received invites are listed before accepting).
 */
export function createPlexJoinSteps(deps: {
  connection: Pick<PlexConnection, 'state'>;
  client: () => Promise<JoinPlexClient>;
  mapping: Pick<LibraryMapping, 'useLibraries'>;
  settings: Pick<SettingsService, 'get'>;
  friendTokens: Pick<FriendTokens, 'read'>;
  clock: { now(): Date };
  onTokenRefused?: (token: string) => Promise<boolean>;
}) {
  const failures = createSendFailures(deps);
  // The owner's account (to match the invite the friend received) is read once per owner token.
  let owner: { token: string; account: Promise<{ id: number; username: string }> } | undefined;

  function ownerAccount(client: JoinPlexClient, token: string): Promise<{ id: number; username: string }> {
    if (owner?.token !== token) {
      const account = client.tv.getAccount(token).then(({ id, username }) => ({ id, username }));
      const entry = { token, account };
      account.catch(() => {
        if (owner === entry) owner = undefined;
      });
      owner = entry;
    }
    return owner.account;
  }

  /** Shares the libraries with the friend's account, or adds the missing ones to the share it has. */
  async function share(client: JoinPlexClient, token: string, serverId: string, invitation: JoinInvitation, libraries: string[], marks: { inviting: boolean }): Promise<string | undefined> {
    const sharing = storedPermissions(invitation.permissions) ?? (await deps.settings.get()).sharing;
    const accountId = Number(invitation.plex_account_id);
    const target = { machineIdentifier: serverId, invitee: invitation.identifier, invitedId: Number.isSafeInteger(accountId) ? accountId : undefined };
    const addMissing = () => deps.mapping.useLibraries(libraries, (found) => client.sharing.addLibraries(token, { ...target, librarySectionIds: found.map((l) => l.globalId) }));
    // An earlier attempt may have made the share unseen (a crash, a lost answer): look before sharing again.
    if (invitation.unconfirmed_since && (await addMissing())) return invitation.plex_share_id ?? undefined;
    const result = await deps.mapping.useLibraries(libraries, (found) => {
      marks.inviting = true;
      return client.sharing.inviteFriend(token, { ...target, librarySectionIds: found.map((l) => l.globalId), sharing });
    });
    marks.inviting = false;
    if (result.outcome === 'sent') return result.shareId;
    // Shared before: give what this request grants and the share lacks (never take any away).
    await addMissing();
    return undefined;
  }

  /** Accepts, as the friend, every invite pending from this server's owner for this server. */
  async function accept(client: JoinPlexClient, token: string, serverId: string, friendToken: string, invitation: JoinInvitation): Promise<'accepted' | 'verify'> {
    if (invitation.error_kind === FRIEND_UNCONFIRMED) {
      // The friend had not confirmed their email: ask plex.tv before trying to accept again.
      const account = await asFriend(() => client.tv.getAccount(friendToken));
      if (account.confirmed === false) throw new FriendCallError(FRIEND_UNCONFIRMED, WORDS.unconfirmed);
    }
    const { id: ownerId, username: ownerUsername } = await ownerAccount(client, token);
    const pending = await asFriend(() => client.sharing.receivedPendingFor(friendToken, { machineIdentifier: serverId, ownerId, ownerUsername }));
    // Nothing pending: accepted already (by an attempt cut off after accepting, or the friend), and just seen so.
    if (pending.length === 0) return 'accepted';
    for (const id of pending) await asFriend(() => client.sharing.acceptSharedServer(friendToken, id));
    return 'verify';
  }

  return async function runJoin(invitation: JoinInvitation, record: RecordProgress): Promise<JoinOutcome> {
    let progress: JoinProgress = { step: invitation.join_step ?? 'share', plexShareId: invitation.plex_share_id, sentAt: invitation.sent_at, libraries: invitation.libraries };
    const waiting = (outcome: FailureOutcome): JoinOutcome => {
      // Once the share exists nothing fails for good: the job waits, and giving up leaves it sent.
      if (outcome.status === 'failed' && progress.step !== 'share') return { status: 'retry', kind: outcome.kind, error: outcome.error, progress };
      return { ...outcome, progress };
    };
    const settings = await deps.settings.get();
    const own = JSON.parse(invitation.libraries) as string[];
    const libraries = own.length > 0 ? own : settings.libraries;
    if (progress.step === 'share' && libraries.length === 0) {
      return waiting({ status: 'retry', kind: 'no_libraries', error: 'No libraries are selected for new friends: choose them in the admin area (or set PLEX_LIBRARIES).' });
    }
    const { token, serverId } = await deps.connection.state();
    if (!token || !serverId) return waiting({ status: 'retry', kind: 'not_connected', error: 'Helpr is not connected to a Plex server: finish the setup in the admin area.' });
    const marks = { inviting: false };
    try {
      const client = await deps.client();
      if (progress.step === 'share') {
        const shareId = await share(client, token, serverId, invitation, libraries, marks);
        progress = { step: 'accept', plexShareId: shareId ?? null, sentAt: deps.clock.now().toISOString(), libraries: JSON.stringify(libraries) };
        if (!(await record(progress))) return { status: 'lost' };
      }
      const friendToken = await deps.friendTokens.read(invitation.id);
      if (friendToken === undefined) return { status: 'sent', kind: FRIEND_TOKEN_INVALID, error: WORDS.tokenGone, progress };
      if (progress.step === 'accept') {
        if ((await accept(client, token, serverId, friendToken, invitation)) === 'accepted') return { status: 'accepted', progress };
        progress = { ...progress, step: 'verify' };
        if (!(await record(progress))) return { status: 'lost' };
      }
      const { id: ownerId, username: ownerUsername } = await ownerAccount(client, token);
      const left = await asFriend(() => client.sharing.receivedPendingFor(friendToken, { machineIdentifier: serverId, ownerId, ownerUsername }));
      if (left.length === 0) return { status: 'accepted', progress };
      return waiting({ status: 'retry', kind: 'accept_pending', error: WORDS.stillPending });
    } catch (error) {
      if (error instanceof FriendCallError) {
        if (error.kind === FRIEND_TOKEN_INVALID) return { status: 'sent', kind: error.kind, error: error.message, progress };
        return waiting({ status: 'retry', kind: error.kind, error: error.message });
      }
      return waiting(await failures.outcomeOf(error, token, marks.inviting));
    }
  };
}

export type PlexJoinSteps = ReturnType<typeof createPlexJoinSteps>;
