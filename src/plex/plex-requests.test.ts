import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { APP_VERSION } from '../paths.js';
import { errorFromResponse, type PlexError } from './plex.errors.js';
import type { PlexCall, PlexHttp } from './plex-http.js';
import { createShareDetails } from './plex-share-details.js';
import { createPlexSharingClient } from './plex-sharing.client.js';
import { createPlexTvAccountClient, plexTvRequester } from './plex-tv.client.js';

// What Helpr sends to plex.tv and how it reads each answer, call by call, over a scripted HTTP layer
// (the simulator-backed tests beside this one show the same calls against a plex.tv).

const URLS = { tvUrl: 'https://tv.test', clientsUrl: 'https://clients.test/prefix', appUrl: 'https://app.test' };
const MID = 'machine-1';
const SHARING = { allowSync: true, allowCameraUpload: false, allowChannels: true };

type Answer = { status?: number; text?: string; retryAfter?: string };

/** An HTTP layer that answers from `script` (by method and URL) and records every call. */
function scripted(script: (call: PlexCall) => Answer) {
  const calls: PlexCall[] = [];
  const http: PlexHttp = {
    async send(call) {
      calls.push(call);
      const answer = script(call);
      const status = answer.status ?? 200;
      if (status < 200 || status >= 300) throw errorFromResponse(call.what, status, answer.text ?? '', answer.retryAfter);
      return { status, contentType: '', text: answer.text ?? '' };
    },
    close: vi.fn(async () => undefined),
  };
  const ctx = { http, urls: URLS, clientIdentifier: 'client-id', timeoutMs: 1234 };
  return { calls, ctx, tv: createPlexTvAccountClient(ctx), sharing: createPlexSharingClient(ctx) };
}

const at = (call: PlexCall) => `${call.method ?? 'GET'} ${call.url}`;
const json = (value: unknown): Answer => ({ text: JSON.stringify(value) });
const xml = (text: string): Answer => ({ text });
const failing = (status: number): Answer => ({ status, text: '<Response code="0" status="failure"/>' });

describe('every plex.tv call', () => {
  it("carries Helpr's product headers, the token as a header, and asks for JSON unless told XML", async () => {
    const { calls, ctx } = scripted(() => ({ text: '' }));
    const call = plexTvRequester(ctx);
    await call('reading', { path: '/api/v2/user', token: 'tok' });
    await call('reading', { path: '/api/servers/x', accept: 'xml' });
    expect(calls[0]).toEqual({
      what: 'reading',
      method: undefined,
      url: 'https://tv.test/api/v2/user',
      body: undefined,
      timeoutMs: 1234,
      headers: {
        'X-Plex-Product': 'Helpr',
        'X-Plex-Version': APP_VERSION,
        'X-Plex-Client-Identifier': 'client-id',
        'X-Plex-Platform': 'Node.js',
        'X-Plex-Platform-Version': process.versions.node,
        'X-Plex-Device': os.platform(),
        'X-Plex-Device-Name': 'Helpr',
        'X-Plex-Model': 'server',
        'X-Plex-Provides': 'controller',
        Accept: 'application/json',
        'X-Plex-Token': 'tok',
      },
    });
    expect(calls[1]!.headers.Accept).toBe('application/xml');
    expect(calls[1]!.headers).not.toHaveProperty('X-Plex-Token');
    expect(calls[1]!.headers).not.toHaveProperty('Content-Type');
  });

  it('sends a JSON body or a form as such, and the clients.plex.tv family to its own host', async () => {
    const { calls, ctx } = scripted(() => ({ text: '' }));
    const call = plexTvRequester(ctx);
    await call('a', { host: 'clients', path: '/api/v2/shared_servers', method: 'POST', json: { a: 1 } });
    await call('b', { path: '/api/v2/sharings/1', method: 'PUT', form: 'x=1&y=2' });
    expect(calls.map(at)).toEqual(['POST https://clients.test/prefix/api/v2/shared_servers', 'PUT https://tv.test/api/v2/sharings/1']);
    expect(calls[0]).toMatchObject({ body: '{"a":1}', headers: { 'Content-Type': 'application/json' } });
    expect(calls[1]).toMatchObject({ body: 'x=1&y=2', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  });
});

describe('the account client', () => {
  it.each([
    ['getAccount', (tv: ReturnType<typeof scripted>['tv']) => tv.getAccount('tok'), 'reading the Plex account'],
    ['getServers', (tv: ReturnType<typeof scripted>['tv']) => tv.getServers('tok'), 'listing the servers of the account'],
    ['getServerLibraries', (tv: ReturnType<typeof scripted>['tv']) => tv.getServerLibraries('tok', MID), 'reading the libraries of the server on plex.tv'],
    ['createPin', (tv: ReturnType<typeof scripted>['tv']) => tv.createPin(), 'starting Sign in with Plex'],
    ['checkPin', (tv: ReturnType<typeof scripted>['tv']) => tv.checkPin(7), 'checking Sign in with Plex'],
  ])('%s says what it was doing when Plex fails', async (_, run, what) => {
    const { tv } = scripted(() => failing(503));
    await expect(run(tv)).rejects.toThrow(`Plex failed while ${what} (503: failure)`);
  });

  it('keeps only resources that provide a server, however the list is spaced, and the owned ones when asked', async () => {
    const resource = (name: string, provides: string, owned: boolean) => ({ name, clientIdentifier: name, provides, owned });
    const { tv, calls } = scripted(() => json([resource('a', 'client, server', true), resource('b', 'player,pubsub', true), resource('c', 'server', false), resource('d', ' server ', true)]));
    expect((await tv.getServers('tok')).map((r) => r.name)).toEqual(['a', 'c', 'd']);
    expect((await tv.getOwnedServers('tok')).map((r) => r.name)).toEqual(['a', 'd']);
    expect(at(calls[0]!)).toBe('GET https://tv.test/api/v2/resources?includeHttps=1&includeRelay=1');
  });

  it('reads the libraries from the XML of the server, and none when plex.tv lists no server or no section', async () => {
    const answers = [
      xml('<MediaContainer><Server><Section id="101" key="1" title="Movies" type="movie"/><Section id="102" key="2" title="TV" type="show"/></Server></MediaContainer>'),
      xml('<MediaContainer><Server name="x"/></MediaContainer>'),
      xml('<MediaContainer/>'),
    ];
    const { tv, calls } = scripted(() => answers.shift()!);
    expect(await tv.getServerLibraries('tok', 'mid/1')).toEqual([
      { globalId: 101, key: '1', title: 'Movies', type: 'movie' },
      { globalId: 102, key: '2', title: 'TV', type: 'show' },
    ]);
    expect(await tv.getServerLibraries('tok', MID)).toEqual([]);
    expect(await tv.getServerLibraries('tok', MID)).toEqual([]);
    expect(calls[0]).toMatchObject({ url: 'https://tv.test/api/servers/mid%2F1', headers: { Accept: 'application/xml' } });
  });

  it('creates a strong PIN without a token, polls it by id, and sends the owner to app.plex.tv', async () => {
    const { tv, calls } = scripted(() => json({ id: 7, code: 'abcd' }));
    expect(await tv.createPin()).toMatchObject({ id: 7, code: 'abcd' });
    await tv.checkPin(7);
    expect(calls.map(at)).toEqual(['POST https://tv.test/api/v2/pins?strong=true', 'GET https://tv.test/api/v2/pins/7']);
    expect(calls[0]!.headers).not.toHaveProperty('X-Plex-Token');
    const url = new URL(tv.authUrl({ code: 'abcd' }, 'https://helpr.test/back').replace('#?', '?'));
    expect(url.origin + url.pathname).toBe('https://app.test/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({ clientID: 'client-id', code: 'abcd', 'context[device][product]': 'Helpr', forwardUrl: 'https://helpr.test/back' });
    expect(tv.authUrl({ code: 'abcd' })).not.toContain('forwardUrl');
  });
});

describe('inviting', () => {
  const request = (librarySectionIds = [101, 102]) => ({ machineIdentifier: MID, invitee: 'friend@example.com', librarySectionIds, sharing: SHARING });

  it('never sends an invite without libraries (Plex may read none as all)', async () => {
    const { sharing, calls } = scripted(() => ({}));
    await expect(sharing.inviteFriend('tok', request([]))).rejects.toMatchObject({ kind: 'rejected', message: 'No libraries were chosen, so no invite was sent' });
    expect(calls).toHaveLength(0);
  });

  it('sends v1 first: snake_case JSON with the options as bits, XML back, the share id when plex.tv gives one', async () => {
    const answers = [xml('<MediaContainer><SharedServer id="55" email="friend@example.com"/></MediaContainer>'), xml('<MediaContainer/>'), xml('<a')];
    const { sharing, calls } = scripted(() => answers.shift()!);
    expect(await sharing.inviteFriend('tok', request())).toEqual({ outcome: 'sent', via: 'v1', shareId: '55' });
    expect(calls[0]).toMatchObject({ method: 'POST', url: `https://tv.test/api/servers/${MID}/shared_servers`, headers: { Accept: 'application/xml' } });
    expect(JSON.parse(calls[0]!.body!)).toEqual({
      server_id: MID,
      shared_server: { library_section_ids: [101, 102], invited_email: 'friend@example.com' },
      sharing_settings: { allowSync: '1', allowCameraUpload: '0', allowChannels: '1', filterMovies: '', filterTelevision: '', filterMusic: '' },
    });
    // A success whose body has no share, or cannot be read, is still a success.
    expect(await sharing.inviteFriend('tok', request())).toEqual({ outcome: 'sent', via: 'v1', shareId: undefined });
    expect(await sharing.inviteFriend('tok', request())).toEqual({ outcome: 'sent', via: 'v1', shareId: undefined });
  });

  it.each([404, 410])('goes to v2 on clients.plex.tv when v1 answers %i, granting only what the settings allow', async (status) => {
    const { sharing, calls } = scripted((call) => (call.url.includes('/api/v2/') ? json({ id: 77 }) : failing(status)));
    expect(await sharing.inviteFriend('tok', request())).toEqual({ outcome: 'sent', via: 'v2', shareId: '77' });
    expect(calls.map(at)).toEqual([`POST https://tv.test/api/servers/${MID}/shared_servers`, 'POST https://clients.test/prefix/api/v2/shared_servers']);
    expect(JSON.parse(calls[1]!.body!)).toEqual({
      machineIdentifier: MID,
      invitedEmail: 'friend@example.com',
      librarySectionIds: [101, 102],
      settings: {
        allowSync: true,
        allowChannels: true,
        allowCameraUpload: false,
        allowSubtitleAdmin: false,
        allowTuners: 1,
        filterMovies: '',
        filterTelevision: '',
        filterMusic: '',
        filterPhotos: null,
        filterAll: null,
      },
    });
  });

  it('gives no live TV tuner without channels, and reads a v2 answer with no id, a null id or no body', async () => {
    const answers = [json({ id: null }), json({}), { text: '' }, json({ id: '9' })];
    const { sharing, calls } = scripted((call) => (call.url.includes('/api/v2/') ? answers.shift()! : failing(404)));
    const noChannels = { ...request(), sharing: { ...SHARING, allowChannels: false } };
    expect(await sharing.inviteFriend('tok', noChannels)).toEqual({ outcome: 'sent', via: 'v2', shareId: undefined });
    expect(JSON.parse(calls[1]!.body!).settings).toMatchObject({ allowChannels: false, allowTuners: 0 });
    expect(await sharing.inviteFriend('tok', noChannels)).toEqual({ outcome: 'sent', via: 'v2', shareId: undefined });
    expect(await sharing.inviteFriend('tok', noChannels)).toEqual({ outcome: 'sent', via: 'v2', shareId: undefined });
    expect(await sharing.inviteFriend('tok', noChannels)).toEqual({ outcome: 'sent', via: 'v2', shareId: '9' });
  });

  it('answers "already shared" from either version, and does not fall back to v2 on any other failure', async () => {
    const already = { status: 400, text: '<Response code="400" status="You\'re already sharing this server with friend@example.com."/>' };
    expect(await scripted(() => already).sharing.inviteFriend('tok', request())).toMatchObject({ outcome: 'already_shared', via: 'v1' });
    const v2already = scripted((call) => (call.url.includes('/api/v2/') ? { status: 422, text: JSON.stringify({ errors: [{ code: 1000, message: 'Account already has access to this server' }] }) } : failing(410)));
    expect(await v2already.sharing.inviteFriend('tok', request())).toMatchObject({ outcome: 'already_shared', via: 'v2', message: expect.stringContaining('already has access') });
    for (const status of [400, 401, 403, 500, 503]) {
      const { sharing, calls } = scripted(() => failing(status));
      await expect(sharing.inviteFriend('tok', request()), String(status)).rejects.toMatchObject({ status });
      expect(calls, String(status)).toHaveLength(1);
    }
  });

  it('says it was sending the invite when either version fails', async () => {
    await expect(scripted(() => failing(503)).sharing.inviteFriend('tok', request())).rejects.toThrow('Plex failed while sending the invite (503: failure)');
    const v2 = scripted((call) => (call.url.includes('/api/v2/') ? failing(502) : failing(404)));
    await expect(v2.sharing.inviteFriend('tok', request())).rejects.toThrow('Plex failed while sending the invite (502: failure)');
  });
});

describe('finding shares', () => {
  const accepted = [
    { id: 1, machineIdentifier: MID, invitedEmail: 'Friend@Example.com', createdAt: '2026-11-01T00:00:00Z' },
    { id: 2, machineIdentifier: 'other', invitedEmail: 'friend@example.com' },
    { id: 3, machineIdentifier: MID, invited: { username: 'Bob' }, invitedAt: '2026-11-02T00:00:00Z' },
  ];
  const pending = [
    { id: 10, invitedEmail: 'carol@example.com', createdAt: '2026-11-03T00:00:00Z', sharedServers: [{ id: 11, machineIdentifier: MID }, { id: 12, machineIdentifier: 'other' }] },
    { id: 20, createdAt: '2026-11-04T00:00:00Z', sharedServers: [{ id: 21, invited: { email: 'dave@example.com' }, invitedAt: '2026-11-05T00:00:00Z' }] },
    { id: 30, invited: { username: 'erin' }, sharedServers: [{ id: 31, machineIdentifier: 'other' }] },
  ];
  const v2Lists = (call: PlexCall) => (call.url.endsWith('/owned/accepted') ? json(accepted) : call.url.endsWith('/invites/owned/pending') ? json(pending) : failing(410));

  it('lists accepted shares and pending invites on clients.plex.tv, of one server when asked', async () => {
    const { sharing, calls } = scripted(v2Lists);
    expect((await sharing.listAcceptedShares('tok')).map((s) => s.id)).toEqual([1, 2, 3]);
    expect((await sharing.listAcceptedShares('tok', MID)).map((s) => s.id)).toEqual([1, 3]);
    expect((await sharing.listPendingInvites('tok')).map((i) => i.id)).toEqual([10, 20, 30]);
    // An invite is of the server when one of its shared servers is (or does not say which server it is).
    expect((await sharing.listPendingInvites('tok', MID)).map((i) => i.id)).toEqual([10, 20]);
    expect(calls.map(at)).toEqual([
      'GET https://clients.test/prefix/api/v2/shared_servers/owned/accepted',
      'GET https://clients.test/prefix/api/v2/shared_servers/owned/accepted',
      'GET https://clients.test/prefix/api/v2/shared_servers/invites/owned/pending',
      'GET https://clients.test/prefix/api/v2/shared_servers/invites/owned/pending',
    ]);
  });

  it('finds the v2 entries of one server by email or username, any case, with when each was made', async () => {
    const { sharing } = scripted(v2Lists);
    expect(await sharing.findV2Shares('tok', MID, ' FRIEND@example.com ')).toEqual([{ id: 1, invitedAt: new Date('2026-11-01T00:00:00Z') }]);
    expect(await sharing.findV2Shares('tok', MID, 'bob')).toEqual([{ id: 3, invitedAt: new Date('2026-11-02T00:00:00Z') }]);
    expect(await sharing.findV2Shares('tok', MID, 'carol@example.com')).toEqual([{ id: 11, invitedAt: new Date('2026-11-03T00:00:00Z') }]);
    expect(await sharing.findV2Shares('tok', MID, 'dave@example.com')).toEqual([{ id: 21, invitedAt: new Date('2026-11-05T00:00:00Z') }]);
    expect(await sharing.findV2Shares('tok', MID, 'erin')).toEqual([]);
    expect(await sharing.findSharedServerIds('tok', MID, 'carol@example.com')).toEqual([11]);
    expect(await sharing.findSharedServerIds('tok', MID, 'nobody')).toEqual([]);
  });

  it('finds a share through v1 first (XML, unix seconds), by email or username in any case', async () => {
    const listed = xml('<MediaContainer><SharedServer id="5" email="friend@example.com" username="Frieda" invitedAt="1764000000"/><SharedServer id="6" username="bob"/></MediaContainer>');
    const { sharing, calls } = scripted(() => listed);
    expect(await sharing.findShare('tok', MID, 'frieda')).toEqual({ via: 'v1', shareId: '5', invitedAt: new Date(1764000000 * 1000) });
    expect(await sharing.findShare('tok', MID, ' BOB ')).toEqual({ via: 'v1', shareId: '6', invitedAt: undefined });
    expect(await sharing.findShare('tok', MID, 'nobody')).toBeUndefined();
    expect(calls[0]).toMatchObject({ url: `https://tv.test/api/servers/${MID}/shared_servers`, headers: { Accept: 'application/xml' } });
    expect(await scripted(() => xml('<MediaContainer/>')).sharing.findShare('tok', MID, 'bob')).toBeUndefined();
  });

  it('looks in the v2 lists once v1 is gone (404 or 410), and nowhere else on other failures', async () => {
    for (const status of [404, 410]) {
      const { sharing } = scripted((call) => (call.url.includes('/api/v2/') ? v2Lists(call) : failing(status)));
      expect(await sharing.findShare('tok', MID, 'carol@example.com')).toEqual({ via: 'v2', shareId: '11', invitedAt: new Date('2026-11-03T00:00:00Z') });
      expect(await sharing.findShare('tok', MID, 'nobody')).toBeUndefined();
    }
    for (const status of [400, 500]) {
      const { sharing, calls } = scripted(() => failing(status));
      await expect(sharing.findShare('tok', MID, 'carol@example.com')).rejects.toThrow(`looking for an existing share (${status}: failure)`);
      expect(calls).toHaveLength(1);
    }
  });

  it('says which list it was reading when plex.tv fails', async () => {
    const { sharing } = scripted(() => failing(503));
    await expect(sharing.listAcceptedShares('tok')).rejects.toThrow('Plex failed while listing the accepted shares (503: failure)');
    await expect(sharing.listPendingInvites('tok')).rejects.toThrow('Plex failed while listing the pending invites (503: failure)');
  });
});

describe('removing and accepting', () => {
  it('removes a share on clients.plex.tv; 404 means already gone, 410 (the route removed) is a failure', async () => {
    const answers: Answer[] = [{ text: '' }, failing(404), failing(410), failing(500)];
    const { sharing, calls } = scripted(() => answers.shift()!);
    expect(await sharing.removeShare('tok', 'a/b')).toBe('removed');
    expect(at(calls[0]!)).toBe('DELETE https://clients.test/prefix/api/v2/shared_servers/a%2Fb');
    expect(await sharing.removeShare('tok', 5)).toBe('already_gone');
    await expect(sharing.removeShare('tok', 5)).rejects.toMatchObject({ kind: 'not_found', status: 410, message: expect.stringContaining('while removing the share') });
    await expect(sharing.removeShare('tok', 5)).rejects.toMatchObject({ kind: 'upstream', status: 500 });
  });

  it("accepts every server of the owner's pending invite with the invitee's token, matched by any of the owner's names", async () => {
    const received = [
      { id: 1, owner: { username: 'someone-else' }, sharedServers: [{ id: 90 }] },
      { id: 2, owner: { title: 'Owner Person', email: 'owner@example.com', friendlyName: 'The Owner' }, sharedServers: [{ id: 91 }, { id: 92 }] },
    ];
    for (const name of ['OWNER PERSON', 'owner@example.com', 'the owner']) {
      const { sharing, calls } = scripted((call) => (call.method === 'POST' ? { text: '' } : json(received)));
      expect(await sharing.acceptInvite('friend-token', name), name).toBe('accepted');
      expect(calls.map(at)).toEqual([
        'GET https://clients.test/prefix/api/v2/shared_servers/invites/received/pending',
        'POST https://clients.test/prefix/api/v2/shared_servers/91/accept',
        'POST https://clients.test/prefix/api/v2/shared_servers/92/accept',
      ]);
      expect(calls.every((call) => call.headers['X-Plex-Token'] === 'friend-token')).toBe(true);
    }
    const { sharing } = scripted(() => json([{ id: 3, owner: { username: 'owner' }, sharedServers: [] }]));
    expect(await sharing.acceptInvite('friend-token', 'owner')).toBe('none_pending');
    expect(await sharing.acceptInvite('friend-token', 'nobody')).toBe('none_pending');
    await expect(scripted(() => failing(503)).sharing.acceptInvite('t', 'owner')).rejects.toThrow('while accepting the invite');
  });
});

describe('share details', () => {
  const details = (script: (call: PlexCall) => Answer) => {
    const { ctx, sharing, calls } = scripted(script);
    return { lookup: createShareDetails(ctx, sharing), calls };
  };

  it('reads v1: pending until accepted, and the keys of the sections shared with the person', async () => {
    const listed = xml(
      '<MediaContainer>' +
        '<SharedServer email="friend@example.com" acceptedAt="0"><Section key="1" shared="1"/><Section key="2" shared="0"/><Section shared="1"/></SharedServer>' +
        '<SharedServer username="Bob" acceptedAt="1764000000"><Section key="3" shared="1"/></SharedServer>' +
        '<SharedServer username="carol"/>' +
        '</MediaContainer>',
    );
    const { lookup, calls } = details(() => listed);
    expect(await lookup('tok', MID, 'Friend@example.com ')).toEqual({ pending: true, libraryKeys: ['1'] });
    expect(await lookup('tok', MID, 'bob')).toEqual({ pending: false, libraryKeys: ['3'] });
    expect(await lookup('tok', MID, 'carol')).toEqual({ pending: true, libraryKeys: undefined });
    expect(await lookup('tok', MID, 'nobody')).toBeUndefined();
    expect(calls[0]).toMatchObject({ url: `https://tv.test/api/servers/${MID}/shared_servers`, headers: { Accept: 'application/xml' } });
  });

  it('reads the v2 lists once v1 is gone: an accepted share, else a pending invite of this server', async () => {
    const accepted = [{ id: 1, machineIdentifier: MID, invited: { email: 'friend@example.com' }, libraries: [{ id: 101, key: 1 }, { id: 102, key: null }, { id: 103 }] }];
    const pending = [
      { id: 8, invitedEmail: 'carol@example.com', sharedServers: [{ id: 81, machineIdentifier: 'other' }] },
      { id: 9, invitedEmail: 'carol@example.com', sharedServers: [{ id: 91, machineIdentifier: MID, libraries: [{ id: 104, key: 4 }] }] },
      { id: 10, sharedServers: [{ id: 101, invited: { username: 'Dan' } }] },
    ];
    const script = (call: PlexCall) => (call.url.endsWith('/owned/accepted') ? json(accepted) : call.url.endsWith('/owned/pending') ? json(pending) : failing(404));
    const { lookup } = details(script);
    expect(await lookup('tok', MID, 'friend@example.com')).toEqual({ pending: false, libraryKeys: ['1'] });
    expect(await lookup('tok', MID, 'carol@example.com')).toEqual({ pending: true, libraryKeys: ['4'] });
    expect(await lookup('tok', MID, 'dan')).toEqual({ pending: true, libraryKeys: undefined });
    expect(await lookup('tok', MID, 'nobody')).toBeUndefined();
  });

  it('fails on anything but a gone v1, saying what it was reading', async () => {
    const { lookup, calls } = details(() => failing(500));
    await expect(lookup('tok', MID, 'friend@example.com')).rejects.toThrow('Plex failed while reading an existing share (500: failure)');
    expect(calls).toHaveLength(1);
    const gone = details((call) => (call.url.includes('/api/v2/') ? json([]) : failing(410)));
    expect(await gone.lookup('tok', MID, 'friend@example.com')).toBeUndefined();
    const notGone = details(() => failing(400));
    await expect(notGone.lookup('tok', MID, 'x')).rejects.toMatchObject({ kind: 'rejected' } satisfies Partial<PlexError>);
  });
});
