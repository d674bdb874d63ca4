import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../errors.js';
import { PlexError } from '../../plex/plex.errors.js';
import type { FoundShare, InviteResult } from '../../plex/plex-sharing.client.js';
import { LibrariesMissingError, type LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { createInvitationSender } from './invitation-sender.js';
import { OWNER_WAIT_SECONDS } from './retry-policy.js';

// Every outcome of one attempt, with fakes for the connection, the library mapping and plex.tv:
// the simulator-backed tests reach the common paths, these pin each branch.

const SHARING = { allowSync: true, allowChannels: false, allowCameraUpload: false };
const CREATED = '2026-11-24T12:00:00.000Z';

interface Fakes {
  token?: string | null;
  serverId?: string | null;
  selected?: string[];
  invite?: () => Promise<InviteResult>;
  findShare?: () => Promise<FoundShare | undefined>;
  details?: () => Promise<{ pending: boolean; libraryKeys: string[] } | undefined>;
  missing?: string[];
  clientError?: unknown;
  onTokenRefused?: (token: string) => Promise<boolean>;
}

function setup(fakes: Fakes = {}) {
  const inviteFriend = vi.fn(fakes.invite ?? (async (): Promise<InviteResult> => ({ outcome: 'sent', via: 'v1', shareId: 'share-1' })));
  const findShare = vi.fn(fakes.findShare ?? (async () => undefined));
  const shareDetails = vi.fn(fakes.details ?? (async () => ({ pending: false, libraryKeys: ['1'] })));
  const client = { sharing: { inviteFriend, findShare }, shareDetails };
  const connection = {
    state: async () => ({ token: fakes.token === undefined ? 'owner-token' : fakes.token, serverId: fakes.serverId === undefined ? 'machine-1' : fakes.serverId }),
    client: async () => {
      if (fakes.clientError) throw fakes.clientError;
      return client;
    },
  } as unknown as PlexConnection;
  const mapping = {
    useLibraries: async <T>(wanted: string[], send: (libraries: Array<{ globalId: number }>) => Promise<T>) => {
      if (fakes.missing) throw new LibrariesMissingError(fakes.missing);
      return send(wanted.map((key) => ({ globalId: 1000 + Number(key) })));
    },
  } as unknown as LibraryMapping;
  const settings = { get: async () => ({ libraries: fakes.selected ?? ['1', '2'], sharing: SHARING }) } as unknown as SettingsService;
  const send = createInvitationSender({ connection, mapping, settings, onTokenRefused: fakes.onTokenRefused });
  const invitation = (patch: { libraries?: string; unconfirmed_since?: string | null } = {}) =>
    send({ identifier: 'friend@example.com', libraries: '[]', unconfirmed_since: null, created_at: CREATED, ...patch });
  return { invitation, inviteFriend, findShare, shareDetails };
}

const plexError = (kind: ConstructorParameters<typeof PlexError>[0], message: string, options: ConstructorParameters<typeof PlexError>[2] = {}) =>
  new PlexError(kind, message, options);

describe('sending one invitation', () => {
  it('sends the selected libraries by their plex.tv ids, with the sharing settings', async () => {
    const { invitation, inviteFriend } = setup();
    expect(await invitation()).toEqual({ status: 'sent', shareId: 'share-1', libraries: ['1', '2'] });
    expect(inviteFriend).toHaveBeenCalledWith('owner-token', { machineIdentifier: 'machine-1', invitee: 'friend@example.com', librarySectionIds: [1001, 1002], sharing: SHARING });
  });

  it("uses the invitation's own libraries over the selection", async () => {
    const { invitation, inviteFriend } = setup();
    expect(await invitation({ libraries: '["3"]' })).toMatchObject({ status: 'sent', libraries: ['3'] });
    expect((inviteFriend.mock.calls[0] as unknown as [string, { librarySectionIds: number[] }])[1].librarySectionIds).toEqual([1003]);
  });

  it('waits when no libraries are chosen, without calling Plex', async () => {
    const { invitation, inviteFriend } = setup({ selected: [] });
    expect(await invitation()).toEqual({
      status: 'retry',
      kind: 'no_libraries',
      error: 'No libraries are selected for new friends: choose them in the admin area (or set PLEX_LIBRARIES).',
    });
    expect(inviteFriend).not.toHaveBeenCalled();
  });

  it.each([
    ['no token', { token: null }],
    ['no server', { serverId: null }],
    ['neither', { token: '', serverId: '' }],
  ])('waits when Helpr is not connected to Plex (%s), without calling Plex', async (_, state) => {
    const { invitation, inviteFriend } = setup(state);
    expect(await invitation()).toEqual({ status: 'retry', kind: 'not_connected', error: 'Helpr is not connected to a Plex server: finish the setup in the admin area.' });
    expect(inviteFriend).not.toHaveBeenCalled();
  });

  it('waits when a library is gone from the server, saying which', async () => {
    const { invitation, inviteFriend } = setup({ missing: ['Movies'] });
    expect(await invitation()).toEqual({ status: 'retry', kind: 'library_missing', error: 'The server no longer has library Movies: choose the libraries again.' });
    expect(inviteFriend).not.toHaveBeenCalled();
  });
});

describe('when Plex already shares with the account', () => {
  const alreadyShared = async (): Promise<InviteResult> => ({ outcome: 'already_shared', via: 'v1', message: 'already sharing' });

  it('reads it as access, with the libraries the share really gives', async () => {
    const { invitation, shareDetails } = setup({ invite: alreadyShared, details: async () => ({ pending: false, libraryKeys: ['2'] }) });
    expect(await invitation()).toEqual({ status: 'already_shared', libraries: ['2'] });
    expect(shareDetails).toHaveBeenCalledWith('owner-token', 'machine-1', 'friend@example.com');
  });

  it('reads an invite not accepted yet as already invited', async () => {
    const { invitation } = setup({ invite: alreadyShared, details: async () => ({ pending: true, libraryKeys: ['1'] }) });
    expect(await invitation()).toEqual({ status: 'already_invited', libraries: ['1'] });
  });

  it('reads it as access with no list when plex.tv cannot describe the share', async () => {
    const { invitation } = setup({ invite: alreadyShared, details: async () => Promise.reject(new Error('down')) });
    expect(await invitation()).toEqual({ status: 'already_shared', libraries: [] });
  });

  it('does not look for an earlier share when the last attempt was confirmed', async () => {
    const { invitation, findShare } = setup({ invite: alreadyShared });
    await invitation();
    expect(findShare).not.toHaveBeenCalled();
  });
});

describe('after an unconfirmed attempt', () => {
  const unconfirmed = { unconfirmed_since: '2026-11-24T12:00:05.000Z' };
  const share = (invitedAt: string | undefined): FoundShare => ({ via: 'v2', shareId: 'found-7', invitedAt: invitedAt ? new Date(invitedAt) : undefined });
  const alreadyShared = async (): Promise<InviteResult> => ({ outcome: 'already_shared', via: 'v2', message: 'already has access' });

  it("takes a share made since the request for Helpr's own: sent, without inviting again", async () => {
    const { invitation, inviteFriend, findShare } = setup({ findShare: async () => share('2026-11-24T12:00:03.000Z') });
    expect(await invitation(unconfirmed)).toEqual({ status: 'sent', shareId: 'found-7', libraries: ['1', '2'] });
    expect(findShare).toHaveBeenCalledWith('owner-token', 'machine-1', 'friend@example.com');
    expect(inviteFriend).not.toHaveBeenCalled();
  });

  it('takes a share made well before the request for access from before: already shared, without inviting', async () => {
    const { invitation, inviteFriend } = setup({ findShare: async () => share('2026-11-20T12:00:00.000Z') });
    expect(await invitation(unconfirmed)).toEqual({ status: 'already_shared', libraries: ['1'] });
    expect(inviteFriend).not.toHaveBeenCalled();
  });

  it('invites when no share is found; "already sharing" then is its own share found on a second look', async () => {
    const found = [undefined, share('2026-11-24T12:00:03.000Z')];
    const { invitation, inviteFriend, findShare } = setup({ invite: alreadyShared, findShare: async () => found.shift() });
    expect(await invitation(unconfirmed)).toEqual({ status: 'sent', shareId: 'found-7', libraries: ['1', '2'] });
    expect(inviteFriend).toHaveBeenCalledTimes(1);
    expect(findShare).toHaveBeenCalledTimes(2);
  });

  it('"already sharing" with an old share on the second look is access from before', async () => {
    const found = [undefined, share('2026-11-01T00:00:00.000Z')];
    const { invitation } = setup({ invite: alreadyShared, findShare: async () => found.shift() });
    expect(await invitation(unconfirmed)).toEqual({ status: 'already_shared', libraries: ['1'] });
  });

  it('"already sharing" when plex.tv cannot list shares at all is taken as sent, looked up once', async () => {
    const { invitation, findShare } = setup({ invite: alreadyShared, findShare: async () => Promise.reject(plexError('not_found', 'gone')) });
    expect(await invitation(unconfirmed)).toEqual({ status: 'sent', shareId: undefined, libraries: ['1', '2'] });
    expect(findShare).toHaveBeenCalledTimes(1);
  });

  it('"already sharing" and still no share found on the second look is taken for Helpr\'s own (sent)', async () => {
    const { invitation } = setup({ invite: alreadyShared, details: async () => ({ pending: true, libraryKeys: [] }) });
    expect(await invitation(unconfirmed)).toEqual({ status: 'sent', shareId: undefined, libraries: ['1', '2'] });
  });
});

describe('when Plex fails', () => {
  it.each([
    ['rate_limited', plexError('rate_limited', 'slow down', { status: 429, retryAfterSeconds: 7 }), 7],
    ['upstream', plexError('upstream', 'Plex failed (503)', { status: 503 }), undefined],
    ['timeout', plexError('timeout', 'no answer'), undefined],
    ['network', plexError('network', 'connection refused'), undefined],
  ])('retries a temporary failure (%s), keeping Retry-After', async (kind, error, retryAfterSeconds) => {
    const { invitation } = setup({ invite: () => Promise.reject(error) });
    expect(await invitation()).toMatchObject({ status: 'retry', kind, error: error.message, retryAfterSeconds });
  });

  it('marks the outcome unknown only when the invite call itself may have reached Plex', async () => {
    const timeout = plexError('timeout', 'no answer');
    expect(await setup({ invite: () => Promise.reject(timeout) }).invitation()).toMatchObject({ unknownOutcome: true });
    expect(await setup({ invite: () => Promise.reject(plexError('upstream', 'Plex failed (503)', { status: 503 })) }).invitation()).toMatchObject({ unknownOutcome: false });
    // The same timeout before any invite was sent (reading the earlier share): nothing can exist.
    const lookupTimeout = setup({ findShare: () => Promise.reject(timeout) });
    expect(await lookupTimeout.invitation({ unconfirmed_since: CREATED })).toMatchObject({ status: 'retry', kind: 'timeout', unknownOutcome: false });
    expect(lookupTimeout.inviteFriend).not.toHaveBeenCalled();
  });

  it.each([
    ['rejected', '400: You cannot share a server with yourself', 'self_share'],
    ['rejected', 'Plex refused sending the invite (400: something else)', 'rejected'],
    ['not_found', 'Plex answered 404 while sending the invite', 'server_gone'],
  ] as const)('fails a permanent refusal (%s: %s) with its finer kind', async (kind, message, recorded) => {
    const { invitation } = setup({ invite: () => Promise.reject(plexError(kind, message, { status: 400 })) });
    expect(await invitation()).toEqual({ status: 'failed', kind: recorded, error: message });
  });

  it('waits for the owner when Plex refuses the token: a long wait, then at once once the token was replaced', async () => {
    const refused = plexError('invalid_token', 'Plex refused the token while sending the invite (401)', { status: 401 });
    const inUse = [true, false];
    const onTokenRefused = vi.fn(async () => inUse.shift()!);
    const { invitation } = setup({ invite: () => Promise.reject(refused), onTokenRefused });
    const outcome = await invitation();
    expect(outcome).toMatchObject({
      status: 'retry',
      kind: 'invalid_token',
      error: 'Plex refused the token while sending the invite (401). Sign in with Plex again: waiting requests are sent then.',
      retryAfterSeconds: OWNER_WAIT_SECONDS,
    });
    expect(onTokenRefused).toHaveBeenCalledWith('owner-token');
    expect(outcome.status === 'retry' && (await outcome.endWaitNow!())).toBe(true);
  });

  it('retries a refused token at once when Helpr already uses another token', async () => {
    const refused = plexError('invalid_token', 'refused', { status: 401 });
    const { invitation } = setup({ invite: () => Promise.reject(refused), onTokenRefused: async () => false });
    const outcome = await invitation();
    expect(outcome).toMatchObject({ status: 'retry', kind: 'invalid_token' });
    expect(outcome.status === 'retry' && outcome.retryAfterSeconds).toBeUndefined();
  });

  it('keeps the long wait when recording the refusal fails or nobody records it', async () => {
    const refused = plexError('invalid_token', 'refused', { status: 401 });
    const failing = await setup({ invite: () => Promise.reject(refused), onTokenRefused: () => Promise.reject(new Error('db down')) }).invitation();
    expect(failing).toMatchObject({ retryAfterSeconds: OWNER_WAIT_SECONDS });
    expect(failing.status === 'retry' && (await failing.endWaitNow!())).toBe(false);
    const unrecorded = await setup({ invite: () => Promise.reject(refused) }).invitation();
    expect(unrecorded).toMatchObject({ retryAfterSeconds: OWNER_WAIT_SECONDS });
    expect(unrecorded.status === 'retry' && (await unrecorded.endWaitNow!())).toBe(false);
  });

  it('retries an application error under its own code', async () => {
    const { invitation } = setup({ clientError: new AppError('plex.not_configured', 'No Plex server chosen', { status: 409 }) });
    expect(await invitation()).toEqual({ status: 'retry', kind: 'plex.not_configured', error: 'No Plex server chosen' });
  });

  it('retries anything unexpected as internal instead of losing the request', async () => {
    expect(await setup({ clientError: new TypeError('x is undefined') }).invitation()).toEqual({ status: 'retry', kind: 'internal', error: 'x is undefined' });
    expect(await setup({ clientError: 'a thrown string' }).invitation()).toEqual({ status: 'retry', kind: 'internal', error: 'a thrown string' });
  });

  it('keeps at most 300 characters of an error', async () => {
    const long = 'x'.repeat(400);
    const outcome = await setup({ invite: () => Promise.reject(plexError('upstream', long)) }).invitation();
    expect(outcome.status === 'retry' && outcome.error).toBe(`${'x'.repeat(297)}...`);
    const exact = await setup({ invite: () => Promise.reject(plexError('upstream', 'y'.repeat(300))) }).invitation();
    expect(exact.status === 'retry' && exact.error).toBe('y'.repeat(300));
    const refused = await setup({ invite: () => Promise.reject(plexError('rejected', 'z'.repeat(301))) }).invitation();
    expect(refused.status === 'failed' && refused.error).toHaveLength(300);
  });
});
