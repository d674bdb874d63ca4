import { describe, expect, it, vi } from 'vitest';
import { errorFromResponse, isUnconfirmedEmailRefusal } from './plex.errors.js';
import type { PlexCall, PlexHttp } from './plex-http.js';
import { createPlexSharingClient } from './plex-sharing.client.js';
import { createPlexTvAccountClient } from './plex-tv.client.js';

// The Join with Plex calls over a scripted HTTP layer: the answers plex.tv may give that the
// simulator does not (owners without ids, entries without machines, shares without library lists).

const URLS = { tvUrl: 'https://tv.test', clientsUrl: 'https://clients.test/prefix' };
const MID = 'machine-1';
const RECEIVED = 'GET https://clients.test/prefix/api/v2/shared_servers/invites/received/pending';
const V1_LIST = `GET https://tv.test/api/servers/${MID}/shared_servers`;
const ACCEPTED = 'GET https://clients.test/prefix/api/v2/shared_servers/owned/accepted';
const PENDING = 'GET https://clients.test/prefix/api/v2/shared_servers/invites/owned/pending';

type Answer = { status?: number; text?: string };

function scripted(script: Record<string, Answer | Answer[]>) {
  const calls: PlexCall[] = [];
  const at = (call: PlexCall) => `${call.method ?? 'GET'} ${call.url}`;
  const http: PlexHttp = {
    async send(call) {
      calls.push(call);
      const entry = script[at(call)];
      const answer = (Array.isArray(entry) ? entry.shift() : entry) ?? { status: 599, text: `unscripted ${at(call)}` };
      const status = answer.status ?? 200;
      if (status < 200 || status >= 300) throw errorFromResponse(call.what, status, answer.text ?? '', undefined);
      return { status, contentType: '', text: answer.text ?? '' };
    },
    close: vi.fn(async () => undefined),
  };
  const ctx = { http, urls: URLS, clientIdentifier: 'client-id' };
  return { calls: () => calls.map(at), sent: calls, tv: createPlexTvAccountClient(ctx), sharing: createPlexSharingClient(ctx) };
}

const json = (value: unknown): Answer => ({ text: JSON.stringify(value) });
const v1List = (...shares: string[]): Answer => ({ text: `<MediaContainer size="${shares.length}">${shares.join('')}</MediaContainer>` });
const GONE: Answer = { status: 410, text: '<Response code="410" status="This endpoint was deprecated and removed"/>' };

describe('getAccount reads confirmed', () => {
  it.each([
    [{}, undefined],
    [{ confirmed: null }, undefined],
    [{ confirmed: true }, true],
    [{ confirmed: false }, false],
    [{ confirmed: '0' }, false],
    [{ confirmed: 1 }, true],
  ])('%j -> %s', async (extra, confirmed) => {
    const { tv } = scripted({ 'GET https://tv.test/api/v2/user': json({ id: 7, uuid: 'u', username: 'f', ...extra }) });
    expect((await tv.getAccount('tok')).confirmed).toBe(confirmed);
  });

  it('takes an unreadable confirmed for an answer it does not understand', async () => {
    const { tv } = scripted({ 'GET https://tv.test/api/v2/user': json({ id: 7, uuid: 'u', username: 'f', confirmed: 'maybe' }) });
    await expect(tv.getAccount('tok')).rejects.toMatchObject({ kind: 'upstream', message: expect.stringContaining('confirmed') });
  });

  it('keeps no part of an answer that is not JSON (it may be a token) in the error or its cause', async () => {
    const { tv } = scripted({ 'GET https://tv.test/api/v2/user': { text: 'Tok3nTok3n' } });
    const error = (await tv.getAccount('tok').then(() => undefined, (e: unknown) => e)) as Error;
    expect(error).toMatchObject({ kind: 'upstream', message: 'Plex sent JSON that could not be read while reading the Plex account' });
    expect(`${error.message} ${error.stack} ${String(error.cause)}`).not.toContain('Tok3n');
  });
});

describe('receivedPendingFor', () => {
  const invites = [
    { owner: { id: 1, username: 'owner' }, sharedServers: [{ id: 10, machineIdentifier: MID }, { id: 11, machineIdentifier: 'other' }, { id: 10, machineIdentifier: MID }] },
    { owner: { id: 2, username: 'someone' }, sharedServers: [{ id: 20, machineIdentifier: MID }] },
    { owner: { username: 'nameonly' }, sharedServers: [{ id: 30, machineIdentifier: MID }, { id: 31 }] },
  ];

  it("asks clients.plex.tv with the friend's token as a header, and keeps this server's ids from this owner, once each", async () => {
    const { sharing, sent, calls } = scripted({ [RECEIVED]: json(invites) });
    expect(await sharing.receivedPendingFor('friend-tok', { machineIdentifier: MID, ownerId: 1 })).toEqual([10]);
    expect(calls()).toEqual([RECEIVED]);
    expect(sent[0]!.headers['X-Plex-Token']).toBe('friend-tok');
    expect(sent[0]!.url).not.toContain('friend-tok');
  });

  it('matches the owner by id when plex.tv gives one, else by username; an unnamed machine counts only for a matched owner', async () => {
    const { sharing } = scripted({ [RECEIVED]: json(invites) });
    expect(await sharing.receivedPendingFor('t', { machineIdentifier: MID, ownerId: 2, ownerUsername: 'owner' })).toEqual([20]);
    expect(await sharing.receivedPendingFor('t', { machineIdentifier: MID, ownerId: 3, ownerUsername: 'NameOnly' })).toEqual([30, 31]);
    expect(await sharing.receivedPendingFor('t', { machineIdentifier: MID, ownerId: 3 })).toEqual([]);
    expect(await sharing.receivedPendingFor('t', { machineIdentifier: MID })).toEqual([10, 20, 30]);
  });

  it('fails on an answer it does not understand, and says what it was doing', async () => {
    const { sharing } = scripted({ [RECEIVED]: [json({ not: 'a list' }), { status: 503 }] });
    await expect(sharing.receivedPendingFor('t', { machineIdentifier: MID, ownerId: 1 })).rejects.toMatchObject({ kind: 'upstream' });
    await expect(sharing.receivedPendingFor('t', { machineIdentifier: MID, ownerId: 1 })).rejects.toThrow('listing the invites waiting for the friend');
  });
});

describe('acceptSharedServer', () => {
  const ACCEPT = 'POST https://clients.test/prefix/api/v2/shared_servers/42/accept';

  it("POSTs the accept with no body; any 2xx is success, 404 is 'gone', 410 and 5xx are thrown", async () => {
    const { sharing, sent } = scripted({ [ACCEPT]: [{ text: 'anything' }, { status: 404 }, { status: 410 }, { status: 502 }] });
    expect(await sharing.acceptSharedServer('friend-tok', 42)).toBe('accepted');
    expect(sent[0]).toMatchObject({ body: undefined, headers: { 'X-Plex-Token': 'friend-tok' } });
    expect(await sharing.acceptSharedServer('friend-tok', 42)).toBe('gone');
    await expect(sharing.acceptSharedServer('friend-tok', 42)).rejects.toMatchObject({ kind: 'not_found', status: 410 });
    await expect(sharing.acceptSharedServer('friend-tok', 42)).rejects.toMatchObject({ kind: 'upstream', status: 502, temporary: true });
  });

  it('throws the unconfirmed-email refusal so the caller can tell it', async () => {
    const body = '{"errors":[{"code":1069,"message":"Please confirm your email address before accepting invitations","status":400}]}';
    const { sharing } = scripted({ [ACCEPT]: { status: 400, text: body } });
    const error = await sharing.acceptSharedServer('friend-tok', 42).catch((e: unknown) => e);
    expect(isUnconfirmedEmailRefusal(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'rejected', code: 1069, message: expect.stringContaining('accepting the invite') });
  });
});

describe('addLibraries', () => {
  const request = { machineIdentifier: MID, invitedId: 7, invitee: 'friend', librarySectionIds: [100, 200] };
  const section = (id: number, shared: boolean) => `<Section id="${id}" key="${id / 100}" shared="${shared ? 1 : 0}"/>`;
  const PUT = `PUT https://tv.test/api/servers/${MID}/shared_servers/5`;
  const E7C = 'POST https://clients.test/prefix/api/v2/shared_servers/9';

  it('prefers the share of the account id over one that only carries its name, and sends the whole list (v1 E7a)', async () => {
    const other = `<SharedServer id="4" userID="" email="friend" acceptedAt="0">${section(300, true)}</SharedServer>`;
    const mine = `<SharedServer id="5" userID="7" username="someone" acceptedAt="1700000000">${section(100, true)}${section(300, true)}${section(200, false)}</SharedServer>`;
    const { sharing, sent, calls } = scripted({ [V1_LIST]: v1List(other, mine), [PUT]: { text: '<MediaContainer/>' } });
    expect(await sharing.addLibraries('owner-tok', request)).toEqual({ added: [200], pending: false });
    expect(calls()).toEqual([V1_LIST, PUT]);
    expect(JSON.parse(sent[1]!.body!)).toEqual({ server_id: MID, shared_server: { library_section_ids: [100, 300, 200] } });
  });

  it('leaves a share of every library alone, and answers undefined for no share or an empty list', async () => {
    const all = `<SharedServer id="5" userID="7" allLibraries="1" acceptedAt="0">${section(100, true)}</SharedServer>`;
    const { sharing, calls } = scripted({ [V1_LIST]: [v1List(all), { text: '<MediaContainer size="0"/>' }, { text: '<MediaContainer/>' }] });
    expect(await sharing.addLibraries('owner-tok', request)).toEqual({ added: [], pending: true });
    expect(await sharing.addLibraries('owner-tok', request)).toBeUndefined();
    expect(await sharing.addLibraries('owner-tok', request)).toBeUndefined();
    expect(calls()).toEqual([V1_LIST, V1_LIST, V1_LIST]);
  });

  it('reads the v2 lists when v1 lists no sections for the share, and sends its settings back with E7c', async () => {
    const settings = { allowSync: false, filterMovies: 'label=kids' };
    const { sharing, sent, calls } = scripted({
      [V1_LIST]: v1List('<SharedServer id="5" userID="7" acceptedAt="0"/>'),
      [ACCEPTED]: json([]),
      [PENDING]: json([{ invited: { id: 7 }, sharedServers: [{ id: 9, machineIdentifier: MID, libraries: [{ id: 100 }], sharingSettings: settings }] }]),
      [E7C]: json({}),
    });
    expect(await sharing.addLibraries('owner-tok', request)).toEqual({ added: [200], pending: true });
    expect(calls().sort()).toEqual([ACCEPTED, E7C, PENDING, V1_LIST].sort());
    expect(JSON.parse(sent.find((c) => c.method === 'POST')!.body!)).toEqual({ librarySectionIds: [100, 200], settings });
  });

  it('matches v2 entries by name, leaves an all-libraries share alone, and sends no settings it was not given', async () => {
    const accepted = [{ id: 9, machineIdentifier: MID, invited: { username: 'Friend' }, allLibraries: true }];
    const { sharing, calls } = scripted({ [V1_LIST]: GONE, [ACCEPTED]: json(accepted), [PENDING]: json([]) });
    expect(await sharing.addLibraries('owner-tok', { ...request, invitedId: undefined })).toEqual({ added: [], pending: false });
    expect(calls()).not.toContain(E7C);

    const bare = scripted({ [V1_LIST]: GONE, [ACCEPTED]: json([{ id: 9, machineIdentifier: MID, invitedId: 7, libraries: [{ id: 200 }] }]), [PENDING]: json([]), [E7C]: json({}) });
    expect(await bare.sharing.addLibraries('owner-tok', request)).toEqual({ added: [100], pending: false });
    expect(JSON.parse(bare.sent.find((c) => c.method === 'POST')!.body!)).toEqual({ librarySectionIds: [200, 100] });
  });

  it('refuses to guess when plex.tv does not say which libraries the share has', async () => {
    const { sharing, calls } = scripted({
      [V1_LIST]: v1List('<SharedServer id="5" userID="7" acceptedAt="0"/>'),
      [ACCEPTED]: json([]),
      [PENDING]: json([]),
    });
    await expect(sharing.addLibraries('owner-tok', request)).rejects.toMatchObject({ kind: 'upstream', message: expect.stringContaining('none were added') });
    const v2 = scripted({ [V1_LIST]: GONE, [ACCEPTED]: json([{ id: 9, machineIdentifier: MID, invitedId: 7, libraries: null }]), [PENDING]: json([]) });
    await expect(v2.sharing.addLibraries('owner-tok', request)).rejects.toMatchObject({ kind: 'upstream' });
    expect([...calls(), ...v2.calls()].filter((c) => c.startsWith('PUT') || c.startsWith('POST'))).toEqual([]);
  });

  it('answers undefined when the share went away before the update (404), and throws other failures', async () => {
    const mine = `<SharedServer id="5" userID="7" acceptedAt="0">${section(100, true)}</SharedServer>`;
    const { sharing } = scripted({ [V1_LIST]: v1List(mine), [PUT]: [{ status: 404, text: '<html><title>gone</title></html>' }, { status: 500 }] });
    expect(await sharing.addLibraries('owner-tok', request)).toBeUndefined();
    await expect(sharing.addLibraries('owner-tok', request)).rejects.toMatchObject({ kind: 'upstream', status: 500 });
  });

  it('fails on a v1 list it does not understand', async () => {
    const { sharing } = scripted({ [V1_LIST]: v1List('<SharedServer userID="7"/>') });
    await expect(sharing.addLibraries('owner-tok', request)).rejects.toMatchObject({ kind: 'upstream', message: expect.stringContaining('adding libraries') });
  });
});
