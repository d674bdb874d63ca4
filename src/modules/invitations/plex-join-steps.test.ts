import { describe, expect, it, vi } from 'vitest';
import { PlexError, UNCONFIRMED_EMAIL_CODE } from '../../plex/plex.errors.js';
import type { InviteResult } from '../../plex/plex-sharing.client.js';
import { LibrariesMissingError, type LibraryMapping } from '../plex/library-mapping.js';
import { createPlexJoinSteps, type JoinInvitation, type JoinPlexClient, type JoinProgress } from './plex-join-steps.js';
import { OWNER_WAIT_SECONDS } from './retry-policy.js';

// Each branch of one join attempt, with fakes for plex.tv: the simulator-backed tests
// (plex-join.service.test.ts) run the whole job; these pin what each step does and records.

const NOW = new Date('2026-11-24T12:00:00.000Z');
const SHARING = { allowSync: true, allowChannels: false, allowCameraUpload: false };
const OWNER = { id: 12345, username: 'owner' };

interface Fakes {
  invite?: () => Promise<InviteResult>;
  addLibraries?: () => Promise<{ added: number[]; pending: boolean } | undefined>;
  pending?: number[][];
  accept?: () => Promise<'accepted' | 'gone'>;
  friend?: () => Promise<{ id: number; username: string; confirmed?: boolean }>;
  ownerRead?: () => Promise<{ id: number; username: string }>;
  friendToken?: string | undefined;
  connected?: boolean;
  selected?: string[];
  missing?: string[];
  record?: boolean;
}

function setup(fakes: Fakes = {}) {
  const pendingAnswers = [...(fakes.pending ?? [[501], []])];
  const sharing = {
    inviteFriend: vi.fn(fakes.invite ?? (async (): Promise<InviteResult> => ({ outcome: 'sent', via: 'v1', shareId: '900' }))),
    addLibraries: vi.fn(fakes.addLibraries ?? (async () => ({ added: [], pending: true }))),
    receivedPendingFor: vi.fn(async () => pendingAnswers.shift() ?? []),
    acceptSharedServer: vi.fn(fakes.accept ?? (async () => 'accepted' as const)),
  };
  const getAccount = vi.fn(async (token: string) => {
    if (token === 'owner-token') return (fakes.ownerRead ?? (async () => OWNER))();
    return (fakes.friend ?? (async () => ({ id: 22526914, username: 'friend', confirmed: true })))();
  });
  const client: JoinPlexClient = { tv: { getAccount }, sharing };
  const mapping = {
    useLibraries: async <T>(wanted: string[], send: (libraries: Array<{ globalId: number }>) => Promise<T>) => {
      if (fakes.missing) throw new LibrariesMissingError(fakes.missing);
      return send(wanted.map((key) => ({ globalId: 1000 + Number(key) })));
    },
  } as unknown as LibraryMapping;
  const connected = fakes.connected ?? true;
  const onTokenRefused = vi.fn(async () => true);
  const run = createPlexJoinSteps({
    connection: { state: async () => ({ token: connected ? 'owner-token' : undefined, serverId: connected ? 'machine-1' : undefined, tokenSource: 'settings', serverIdSource: 'settings', serverUrl: undefined }) },
    client: async () => client,
    mapping,
    settings: { get: async () => ({ libraries: fakes.selected ?? ['1', '2'], sharing: SHARING }) as never },
    friendTokens: { read: async () => ('friendToken' in fakes ? fakes.friendToken : 'friend-token') },
    clock: { now: () => NOW },
    onTokenRefused,
  });
  const recorded: JoinProgress[] = [];
  const record = vi.fn(async (progress: JoinProgress) => {
    recorded.push(progress);
    return fakes.record ?? true;
  });
  const join = (patch: Partial<JoinInvitation> = {}) =>
    run(
      { id: 'inv-1', identifier: 'friend', libraries: '[]', unconfirmed_since: null, error_kind: null, plex_share_id: null, sent_at: null, join_step: 'share', plex_account_id: '22526914', ...patch },
      record,
    );
  return { join, sharing, getAccount, recorded, record, onTokenRefused };
}

const plexError = (kind: ConstructorParameters<typeof PlexError>[0], message: string, options: ConstructorParameters<typeof PlexError>[2] = {}) => new PlexError(kind, message, options);
const afterShare = { step: 'accept' as const, plexShareId: '900', sentAt: NOW.toISOString(), libraries: '["1","2"]' };

describe('one attempt of a Plex join', () => {
  it('shares to the account id, accepts as the friend, verifies, recording after each step', async () => {
    const { join, sharing, recorded } = setup();
    expect(await join()).toEqual({ status: 'accepted', progress: { ...afterShare, step: 'verify' } });
    expect(sharing.inviteFriend).toHaveBeenCalledWith('owner-token', { machineIdentifier: 'machine-1', invitee: 'friend', invitedId: 22526914, librarySectionIds: [1001, 1002], sharing: SHARING });
    expect(sharing.receivedPendingFor).toHaveBeenCalledWith('friend-token', { machineIdentifier: 'machine-1', ownerId: 12345, ownerUsername: 'owner' });
    expect(sharing.acceptSharedServer.mock.calls).toEqual([['friend-token', 501]]);
    expect(sharing.receivedPendingFor).toHaveBeenCalledTimes(2);
    expect(recorded).toEqual([afterShare, { ...afterShare, step: 'verify' }]);
  });

  it("shares the request's own libraries when it has them", async () => {
    const { join, sharing, recorded } = setup();
    await join({ libraries: '["3"]' });
    expect((sharing.inviteFriend.mock.calls[0] as unknown[])[1]).toMatchObject({ librarySectionIds: [1003] });
    expect(recorded[0]).toMatchObject({ libraries: '["3"]' });
  });

  it('stops at once when the step cannot be recorded (the lease went): nothing accepted', async () => {
    const { join, sharing } = setup({ record: false });
    expect(await join()).toEqual({ status: 'lost' });
    expect(sharing.receivedPendingFor).not.toHaveBeenCalled();
    expect(sharing.acceptSharedServer).not.toHaveBeenCalled();
  });

  it('resumes at the recorded step: no second share, and no second accept', async () => {
    const atAccept = setup();
    await atAccept.join({ join_step: 'accept', plex_share_id: '900', sent_at: NOW.toISOString(), libraries: '["1","2"]' });
    expect(atAccept.sharing.inviteFriend).not.toHaveBeenCalled();
    expect(atAccept.sharing.addLibraries).not.toHaveBeenCalled();
    expect(atAccept.sharing.acceptSharedServer).toHaveBeenCalledTimes(1);

    const atVerify = setup({ pending: [[]] });
    expect(await atVerify.join({ join_step: 'verify', plex_share_id: '900' })).toMatchObject({ status: 'accepted', progress: { step: 'verify', plexShareId: '900' } });
    expect(atVerify.sharing.inviteFriend).not.toHaveBeenCalled();
    expect(atVerify.sharing.acceptSharedServer).not.toHaveBeenCalled();
    expect(atVerify.recorded).toEqual([]);
  });

  it('already sharing: adds the missing libraries (never removes), then accepts what is pending', async () => {
    const { join, sharing, recorded } = setup({ invite: async () => ({ outcome: 'already_shared', via: 'v1', message: 'already sharing' }) });
    expect(await join()).toMatchObject({ status: 'accepted' });
    expect(sharing.addLibraries).toHaveBeenCalledWith('owner-token', { machineIdentifier: 'machine-1', invitee: 'friend', invitedId: 22526914, librarySectionIds: [1001, 1002] });
    expect(recorded[0]).toEqual({ ...afterShare, plexShareId: null });
    expect(sharing.acceptSharedServer).toHaveBeenCalledTimes(1);
  });

  it('after an attempt that may have reached plex.tv unseen, looks for the share before sharing', async () => {
    const found = setup();
    await found.join({ unconfirmed_since: NOW.toISOString() });
    expect(found.sharing.addLibraries).toHaveBeenCalledTimes(1);
    expect(found.sharing.inviteFriend).not.toHaveBeenCalled();

    const none = setup({ addLibraries: async () => undefined });
    await none.join({ unconfirmed_since: NOW.toISOString() });
    expect(none.sharing.inviteFriend).toHaveBeenCalledTimes(1);
    expect(none.recorded[0]).toEqual(afterShare);
  });

  it('nothing pending for this server: accepted already (an earlier attempt, or the friend), no verify step', async () => {
    const { join, sharing, recorded } = setup({ pending: [[]] });
    expect(await join()).toMatchObject({ status: 'accepted', progress: { step: 'accept' } });
    expect(sharing.acceptSharedServer).not.toHaveBeenCalled();
    expect(recorded).toHaveLength(1);
  });

  it('still pending after accepting: waits at the verify step', async () => {
    const { join } = setup({ pending: [[501], [501]] });
    expect(await join()).toMatchObject({ status: 'retry', kind: 'accept_pending', progress: { step: 'verify' } });
  });

  it("the friend's token refused: the share exists, so it ends sent for the friend to accept in Plex", async () => {
    const { join } = setup({ accept: async () => Promise.reject(plexError('invalid_token', 'Plex refused the token (401)', { status: 401 })) });
    expect(await join()).toMatchObject({ status: 'sent', kind: 'friend_token_invalid', progress: { step: 'accept', plexShareId: '900' } });
  });

  it('no token stored (or it cannot be opened): shares, then ends sent', async () => {
    const { join, sharing } = setup({ friendToken: undefined });
    expect(await join()).toMatchObject({ status: 'sent', kind: 'friend_token_invalid', progress: afterShare });
    expect(sharing.receivedPendingFor).not.toHaveBeenCalled();
  });

  it('plex.tv refuses the accept for an unconfirmed email: waits at the accept step', async () => {
    const refusal = plexError('rejected', 'Plex refused accepting the invite (400: Please confirm your email address before accepting invitations)', { status: 400, code: UNCONFIRMED_EMAIL_CODE });
    const { join } = setup({ accept: async () => Promise.reject(refusal) });
    expect(await join()).toMatchObject({ status: 'retry', kind: 'friend_unconfirmed', progress: { step: 'accept' } });
  });

  it('a friend known unconfirmed: their account is read first, and nothing is accepted until it is confirmed', async () => {
    const still = setup({ friend: async () => ({ id: 22526914, username: 'friend', confirmed: false }) });
    expect(await still.join({ join_step: 'accept', error_kind: 'friend_unconfirmed' })).toMatchObject({ status: 'retry', kind: 'friend_unconfirmed' });
    expect(still.getAccount).toHaveBeenCalledWith('friend-token');
    expect(still.sharing.receivedPendingFor).not.toHaveBeenCalled();

    const confirmed = setup();
    expect(await confirmed.join({ join_step: 'accept', error_kind: 'friend_unconfirmed' })).toMatchObject({ status: 'accepted' });
    expect(confirmed.sharing.acceptSharedServer).toHaveBeenCalledTimes(1);
  });

  it('another refusal of the friend (cannot accept yet) waits too', async () => {
    const { join } = setup({ accept: async () => Promise.reject(plexError('rejected', 'Plex refused accepting the invite (400: nope)', { status: 400 })) });
    expect(await join()).toMatchObject({ status: 'retry', kind: 'accept_refused', progress: { step: 'accept' } });
  });

  it("the owner's token refused waits for the owner, at whatever step", async () => {
    const atShare = setup({ invite: async () => Promise.reject(plexError('invalid_token', 'refused', { status: 401 })) });
    expect(await atShare.join()).toMatchObject({ status: 'retry', kind: 'invalid_token', retryAfterSeconds: OWNER_WAIT_SECONDS, progress: { step: 'share' } });
    expect(atShare.onTokenRefused).toHaveBeenCalledWith('owner-token');

    const atAccept = setup({ ownerRead: async () => Promise.reject(plexError('invalid_token', 'refused', { status: 401 })) });
    expect(await atAccept.join({ join_step: 'accept' })).toMatchObject({ status: 'retry', kind: 'invalid_token', progress: { step: 'accept' } });
  });

  it('temporary failures retry at their step; a share call with no answer is marked as possibly made', async () => {
    const unavailable = setup({ invite: async () => Promise.reject(plexError('upstream', 'Plex failed (503)', { status: 503 })) });
    expect(await unavailable.join()).toMatchObject({ status: 'retry', kind: 'upstream', unknownOutcome: false, progress: { step: 'share' } });
    const silent = setup({ invite: async () => Promise.reject(plexError('timeout', 'no answer')) });
    expect(await silent.join()).toMatchObject({ status: 'retry', kind: 'timeout', unknownOutcome: true });
    const acceptDown = setup({ accept: async () => Promise.reject(plexError('upstream', 'Plex failed (503)', { status: 503 })) });
    expect(await acceptDown.join()).toMatchObject({ status: 'retry', kind: 'upstream', unknownOutcome: false, progress: { step: 'accept' } });
  });

  it('a refusal for good fails only before the share exists', async () => {
    const refused = plexError('rejected', 'Plex refused sending the invite (400: You cannot share a server with yourself)', { status: 400 });
    const atShare = setup({ invite: async () => Promise.reject(refused) });
    expect(await atShare.join()).toMatchObject({ status: 'failed', kind: 'self_share' });
    const atAccept = setup({ ownerRead: async () => Promise.reject(plexError('rejected', 'Plex refused reading the account (400)', { status: 400 })) });
    expect(await atAccept.join({ join_step: 'accept' })).toMatchObject({ status: 'retry', kind: 'rejected', progress: { step: 'accept' } });
  });

  it("reads the owner's account once per owner token", async () => {
    const { join, getAccount } = setup({ pending: [[501], [], [502], []] });
    await join();
    await join({ id: 'inv-2' });
    expect(getAccount.mock.calls.filter(([token]) => token === 'owner-token')).toHaveLength(1);
  });

  it('a failed read of the owner account is not kept', async () => {
    let fail = true;
    const { join, getAccount } = setup({ ownerRead: async () => (fail ? Promise.reject(plexError('network', 'down')) : OWNER) });
    expect(await join({ join_step: 'accept' })).toMatchObject({ status: 'retry', kind: 'network' });
    fail = false;
    expect(await join({ join_step: 'accept' })).toMatchObject({ status: 'accepted' });
    expect(getAccount).toHaveBeenCalledTimes(2);
  });

  it('waits for the owner when nothing can be shared: no libraries, one gone, or not connected', async () => {
    expect(await setup({ selected: [] }).join()).toMatchObject({ status: 'retry', kind: 'no_libraries' });
    expect(await setup({ missing: ['2'] }).join()).toMatchObject({ status: 'retry', kind: 'library_missing' });
    expect(await setup({ connected: false }).join()).toMatchObject({ status: 'retry', kind: 'not_connected' });
    // Once shared, the libraries are no longer needed.
    expect(await setup({ selected: [] }).join({ join_step: 'accept' })).toMatchObject({ status: 'accepted' });
  });
});
