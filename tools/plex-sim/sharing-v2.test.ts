import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { hostFor, jsonBody, plexHeaders, plexTv, send, sendJson } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

/** The camelCase body Plex Web and newer tools send (plex-api.md E5b). */
function inviteV2(invitedEmail: string, librarySectionIds: number[] = [35723967], headers = plexHeaders(sim.ownerToken)) {
  const body = {
    machineIdentifier: sim.machineIdentifier,
    invitedEmail,
    librarySectionIds,
    settings: { allowSync: true, allowChannels: false, allowTuners: 0, filterMovies: '' },
  };
  return plexTv(sim, '/api/v2/shared_servers', { method: 'POST', ...jsonBody(body, headers) });
}

const friend = () => plexHeaders('friend-token');

describe('share lifecycle over v2', () => {
  it('invite -> pending -> received -> accept -> accepted -> delete', async () => {
    const created = await inviteV2('friend@example.com');
    expect(created.status).toBe(201);
    const share = created.json();
    expect(share).toMatchObject({ machineIdentifier: sim.machineIdentifier, accepted: false, invitedId: 22526914 });
    expect(share.libraries).toEqual([{ id: 35723967, key: 1, title: 'Movies', type: 'movie' }]);

    const pending = (await plexTv(sim, '/api/v2/shared_servers/invites/owned/pending')).json();
    expect(pending).toHaveLength(1);
    expect(pending[0].sharedServers[0].id).toBe(share.id);
    expect((await plexTv(sim, '/api/v2/shared_servers/owned/accepted')).json()).toEqual([]);

    const received = (await plexTv(sim, '/api/v2/shared_servers/invites/received/pending', { headers: friend() })).json();
    expect(received).toHaveLength(1);
    expect(received[0].owner.username).toBe('owner');
    const inviteId = received[0].sharedServers[0].id;
    expect(inviteId).toBe(share.id);

    const accept = await plexTv(sim, `/api/v2/shared_servers/${inviteId}/accept`, { method: 'POST', headers: friend() });
    expect(accept.status).toBe(200);
    const again = await plexTv(sim, `/api/v2/shared_servers/${inviteId}/accept`, { method: 'POST', headers: friend() });
    expect(again.status).toBe(404);

    const accepted = (await plexTv(sim, '/api/v2/shared_servers/owned/accepted')).json();
    expect(accepted).toMatchObject([{ id: share.id, accepted: true, invited: { username: 'friend' } }]);
    expect((await plexTv(sim, '/api/v2/shared_servers/invites/owned/pending')).json()).toEqual([]);
    const users = (await plexTv(sim, '/api/users')).xml().MediaContainer.User;
    expect(users[0].Server[0].pending).toBe('0');
    const friendResources = (await plexTv(sim, '/api/v2/resources', { headers: friend() })).json();
    expect(friendResources).toMatchObject([{ clientIdentifier: sim.machineIdentifier, owned: false, sourceTitle: 'owner' }]);

    expect((await plexTv(sim, `/api/v2/shared_servers/${share.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await plexTv(sim, '/api/v2/shared_servers/owned/accepted')).json()).toEqual([]);
    expect((await plexTv(sim, `/api/v2/shared_servers/${share.id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lets an invitee accept only their own invite', async () => {
    const { id } = (await inviteV2('friend@example.com')).json();
    const res = await sendJson(sim, 'POST', `/api/v2/shared_servers/${id}/accept`, undefined, 'alice-token');
    expect(res.status).toBe(404);
    expect(res.json().errors[0].code).toBe(1002);
  });

  it('cancels a pending invite with E8c and removes a friend with E8a', async () => {
    const { id } = (await inviteV2('alice@example.com')).json();
    expect((await plexTv(sim, `/api/v2/shared_servers/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(sim.control.state().shares).toEqual([]);

    const second = (await inviteV2('alice@example.com')).json();
    await plexTv(sim, `/api/v2/shared_servers/${second.id}/accept`, { method: 'POST', headers: plexHeaders('alice-token') });
    expect(sim.control.state().friendIds).toEqual([22526915]);
    expect((await plexTv(sim, '/api/v2/sharings/22526915', { method: 'DELETE' })).status).toBe(204);
    expect(sim.control.state()).toMatchObject({ shares: [], friendIds: [] });
    expect((await plexTv(sim, '/api/v2/sharings/22526915', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('v2 invite errors', () => {
  it('answers a duplicate with 422 JSON by default, and the status is configurable', async () => {
    await inviteV2('friend@example.com');
    const dup = await inviteV2('friend');
    expect(dup.status).toBe(422);
    expect(dup.json().errors[0]).toMatchObject({ status: 422, message: 'Account already has access to this server' });
    sim.control.setV2DuplicateStatus(400);
    expect((await inviteV2('friend')).status).toBe(400);
  });

  it('rejects local keys, unknown usernames and a missing client identifier', async () => {
    const local = await inviteV2('friend@example.com', [1]);
    expect(local.status).toBe(400);
    expect(local.json().errors[0]).toMatchObject({ code: 1000, status: 400 });
    const unknown = await inviteV2('no_such_user');
    expect(unknown.status).toBe(400);
    expect(unknown.json().errors[0].message).toMatch(/could not be found/);
    const noClientId = plexHeaders(sim.ownerToken, { clientId: '' });
    expect((await inviteV2('friend@example.com', [35723967], noClientId)).status).toBe(400);
    expect(sim.control.state().shares).toEqual([]);
  });

  it('keeps an email-only invite pending with invitedEmail set and invitedId null', async () => {
    const res = await inviteV2('stranger@example.com');
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ invitedEmail: 'stranger@example.com', invitedId: null, invited: null });
  });

  it('rejects an empty library list when configured to', async () => {
    expect((await inviteV2('friend@example.com', [])).json().allLibraries).toBe(true);
    sim.control.reset();
    sim.control.setEmptyLibraryIds('reject');
    expect((await inviteV2('friend@example.com', [])).status).toBe(400);
  });
});

describe('email-only invites', () => {
  it('reach an account created later with that email, which can then accept', async () => {
    const { id } = (await inviteV2('late@example.com')).json();
    const late = sim.control.addAccount({ username: 'late', email: 'late@example.com' });
    const headers = plexHeaders(late.token);
    const received = (await plexTv(sim, '/api/v2/shared_servers/invites/received/pending', { headers })).json();
    expect(received[0].sharedServers[0].id).toBe(id);
    expect((await sendJson(sim, 'POST', `/api/v2/shared_servers/${id}/accept`, undefined, late.token)).status).toBe(200);
    expect(sim.control.state().accepted).toMatchObject([{ invitedId: late.id, invitedUsername: 'late' }]);
  });
});

describe('E7c update', () => {
  it('replaces libraries and merges settings, rejecting local keys', async () => {
    const { id } = (await inviteV2('friend@example.com')).json();
    const update = (librarySectionIds: number[]) =>
      sendJson(sim, 'POST', `/api/v2/shared_servers/${id}`, {
        librarySectionIds,
        settings: { allowSync: false, filterMusic: 'label=kids' },
      });
    expect((await update([2])).status).toBe(400);
    const ok = await update([35723968, 35723970]);
    expect(ok.status).toBe(200);
    expect(ok.json().libraries.map((lib: { id: number }) => lib.id)).toEqual([35723968, 35723970]);
    expect(ok.json().sharingSettings).toMatchObject({ allowSync: false, filterMusic: 'label=kids' });
  });
});

describe('XML form of v2', () => {
  it('answers the owned-accepted list as XML without Accept', async () => {
    const headers = plexHeaders(sim.ownerToken, { json: false });
    const res = await plexTv(sim, '/api/v2/shared_servers/owned/accepted', { headers });
    expect(res.contentType).toMatch(/^application\/xml/);
    expect(res.xml().MediaContainer.size).toBe('0');
  });
});

describe('lenient bodies', () => {
  it('accepts a body-less POST that still says Content-Type: application/json', async () => {
    const { id } = (await inviteV2('friend@example.com')).json();
    const res = await plexTv(sim, `/api/v2/shared_servers/${id}/accept`, {
      method: 'POST',
      headers: { ...friend(), 'Content-Type': 'application/json' },
    });
    expect(res.status).toBe(200);
  });

  it('answers malformed JSON with a v2 400', async () => {
    const res = await plexTv(sim, '/api/v2/shared_servers', {
      method: 'POST',
      headers: { ...plexHeaders(sim.ownerToken), 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(res.json().errors[0].code).toBe(1000);
  });
});

describe('hosts', () => {
  const body = () => JSON.stringify({ machineIdentifier: sim.machineIdentifier, invitedEmail: 'friend@example.com', librarySectionIds: [35723967] });
  const onPlexTv = (path: string, init: RequestInit = {}) => send(`${sim.plexTvUrl}${path}`, { headers: plexHeaders(sim.ownerToken), ...init });

  it('answers the v2 shared_servers family on clients.plex.tv only: plex.tv gives v2 404 and shares nothing', async () => {
    expect(hostFor(sim, '/api/v2/shared_servers')).toBe(sim.clientsPlexTvUrl);
    const post = await onPlexTv('/api/v2/shared_servers', { method: 'POST', ...jsonBody(JSON.parse(body()), plexHeaders(sim.ownerToken)) });
    expect(post.status).toBe(404);
    expect(post.json()).toEqual({ errors: [{ code: 1002, message: 'The requested resource or endpoint could not be found', status: 404 }] });
    for (const path of ['/api/v2/shared_servers/owned/accepted', '/api/v2/shared_servers/invites/owned/pending', '/api/v2/shared_servers/7']) {
      expect((await onPlexTv(path)).status, path).toBe(404);
    }
    expect(sim.control.state().shares).toEqual([]);
    // The refusal is logged like any answer, under the path the client sent.
    expect(sim.control.requestLog({ method: 'POST' })).toMatchObject([{ path: '/api/v2/shared_servers', status: 404 }]);
    expect((await inviteV2('friend@example.com')).status).toBe(201);
  });

  it('serves the rest of v2 on plex.tv, and clients.plex.tv paths that only look alike are not the family', async () => {
    expect((await onPlexTv('/api/v2/user')).status).toBe(200);
    expect((await onPlexTv('/api/v2/shared_servers_other')).status).toBe(404);
    expect((await send(`${sim.clientsPlexTvUrl}/api/v2/user`, { headers: plexHeaders(sim.ownerToken) })).status).toBe(200);
  });

  it('answers them on plex.tv too when told to (plex-api.md reports that plex.tv does)', async () => {
    sim.control.setV2SharingOnPlexTv(true);
    const post = await onPlexTv('/api/v2/shared_servers', { method: 'POST', ...jsonBody(JSON.parse(body()), plexHeaders(sim.ownerToken)) });
    expect(post.status).toBe(201);
    sim.control.reset();
    expect(sim.control.state().behaviour.v2SharingOnPlexTv).toBe(false);
  });
});
