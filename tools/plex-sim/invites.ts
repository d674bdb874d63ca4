import type { Account } from './accounts.js';
import { DEFAULT_SETTINGS, type Share, type ShareSettings } from './shares.js';
import type { SimState } from './sim-state.js';

/** v1 `invited_email` / v2 `invitedEmail` take an email or a username; `invited_id` takes an account id. */
export type Invitee = { emailOrUsername: string } | { id: number };

export interface InviteRequest {
  machineIdentifier: string;
  invitee: Invitee;
  libraryIds: number[];
  settings: Partial<ShareSettings>;
}

export type InviteFailure =
  | { kind: 'unknown-server' }
  | { kind: 'unknown-user'; who: string }
  | { kind: 'self' }
  | { kind: 'bad-library'; ids: number[] }
  | { kind: 'empty-libraries' }
  | { kind: 'already-sharing'; name: string; share: Share };

export type InviteResult = { ok: true; share: Share } | { ok: false; failure: InviteFailure };

const fail = (failure: InviteFailure): InviteResult => ({ ok: false, failure });

export function isOwnServer(state: SimState, caller: Account, machineIdentifier: string): boolean {
  return state.server.machineIdentifier === machineIdentifier && state.server.ownerId === caller.id;
}

/**
 * Share requests must carry plex.tv-global section ids. A PMS key (1, 2, …) is not one, so it is
 * rejected like any unknown id: that is the client bug this simulator exists to surface.
 */
export function checkLibraryIds(state: SimState, ids: number[]): InviteFailure | null {
  if (ids.length === 0) return state.behaviour.emptyLibraryIds === 'reject' ? { kind: 'empty-libraries' } : null;
  const unknown = ids.filter((id) => !state.findLibraryById(id));
  return unknown.length > 0 ? { kind: 'bad-library', ids: unknown } : null;
}

function resolveInvitee(state: SimState, invitee: Invitee): { account?: Account; email?: string } | InviteFailure {
  if ('id' in invitee) {
    const account = state.accounts.findById(invitee.id);
    return account ? { account } : { kind: 'unknown-user', who: String(invitee.id) };
  }
  const account = state.findInvitee(invitee.emailOrUsername);
  if (account) return { account };
  // An email without an account still gets an invite (Plex mails it); an unknown username cannot.
  if (invitee.emailOrUsername.includes('@')) return { email: invitee.emailOrUsername };
  return { kind: 'unknown-user', who: invitee.emailOrUsername };
}

export function createInvite(state: SimState, caller: Account, request: InviteRequest): InviteResult {
  if (!isOwnServer(state, caller, request.machineIdentifier)) return fail({ kind: 'unknown-server' });
  const libraryFailure = checkLibraryIds(state, request.libraryIds);
  if (libraryFailure) return fail(libraryFailure);
  const resolved = resolveInvitee(state, request.invitee);
  if ('kind' in resolved) return fail(resolved);
  if (resolved.account?.id === caller.id) return fail({ kind: 'self' });
  const invitedId = resolved.account?.id ?? null;
  const invitedEmail = resolved.email ?? null;
  const existing = state.shares.findExisting(request.machineIdentifier, invitedId, invitedEmail);
  if (existing) {
    return fail({ kind: 'already-sharing', name: resolved.account?.username ?? invitedEmail ?? '', share: existing });
  }
  const share = state.shares.create({
    machineIdentifier: request.machineIdentifier,
    ownerId: caller.id,
    invitedId,
    invitedEmail,
    invitedAt: state.clock.now(),
    libraryIds: [...new Set(request.libraryIds)],
    allLibraries: request.libraryIds.length === 0,
    settings: { ...DEFAULT_SETTINGS, ...request.settings },
  });
  return { ok: true, share };
}

/** E7a / E7c: replace the libraries (when given) and merge the settings of an existing share. */
export function updateShare(
  state: SimState,
  share: Share,
  change: { libraryIds?: number[]; settings?: Partial<ShareSettings> },
): InviteFailure | null {
  if (change.libraryIds) {
    const failure = checkLibraryIds(state, change.libraryIds);
    if (failure) return failure;
    share.libraryIds = [...new Set(change.libraryIds)];
    share.allLibraries = change.libraryIds.length === 0;
  }
  share.settings = { ...share.settings, ...change.settings };
  return null;
}

/** Human text for a failure; the "already sharing" sentence is Plex's own (plex-api.md §1.4). */
export function describeFailure(failure: InviteFailure): string {
  switch (failure.kind) {
    case 'unknown-server':
      return 'Server not found';
    case 'unknown-user':
      return `User ${failure.who} could not be found`;
    case 'self':
      return 'You cannot share a server with yourself';
    case 'bad-library':
      return `Invalid library section id(s): ${failure.ids.join(', ')}`;
    case 'empty-libraries':
      return 'At least one library section is required';
    case 'already-sharing':
      return `You're already sharing this server with ${failure.name}. Please edit your existing share.`;
  }
}
