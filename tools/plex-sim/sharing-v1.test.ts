import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { plexTv, sendJson } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const sharedServersPath = () => `/api/servers/${sim.machineIdentifier}/shared_servers`;

/** The body python-plexapi's inviteFriend sends (plex-api.md E5a). */
function inviteV1(invitedEmail: string, ids: unknown[] = [35723967, 35723968], token = sim.ownerToken) {
  const body = {
    server_id: sim.machineIdentifier,
    shared_server: { library_section_ids: ids, invited_email: invitedEmail },
    sharing_settings: { allowSync: '1', allowCameraUpload: '0', allowChannels: '0', filterMovies: 'label=kids' },
  };
  return sendJson(sim, 'POST', sharedServersPath(), body, token);
}

describe('E5a v1 invite', () => {
  it('creates a pending share and answers XML even to Accept: application/json', async () => {
    const res = await inviteV1('friend@example.com');
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^application\/xml/);
    const shared = res.xml().MediaContainer.SharedServer[0];
    expect(shared).toMatchObject({ username: 'friend', userID: '22526914', acceptedAt: '0' });
    expect(shared).toMatchObject({ allowSync: '1', filterMovies: 'label=kids' });
    expect(shared.Section.filter((s: { shared: string }) => s.shared === '1').map((s: { id: string }) => s.id)).toEqual([
      '35723967',
      '35723968',
    ]);
    expect(sim.control.state().pending).toMatchObject([{ invitedId: 22526914, libraryIds: [35723967, 35723968] }]);
  });

  it('answers 400 "already sharing" with Plex\'s sentence for a second invite, by username too', async () => {
    expect((await inviteV1('friend@example.com')).status).toBe(200);
    const again = await inviteV1('FRIEND');
    expect(again.status).toBe(400);
    expect(again.text).toContain(
      '<Response code="400" status="You\'re already sharing this server with friend. Please edit your existing share."/>',
    );
  });

  it('rejects a PMS key sent where a global id belongs, and unknown ids', async () => {
    const local = await inviteV1('friend@example.com', [1, 2]);
    expect(local.status).toBe(400);
    expect(local.xml().Response).toMatchObject({ code: '400' });
    expect(local.xml().Response.status).toContain('1, 2');
    expect((await inviteV1('friend@example.com', [35723969])).status).toBe(400);
    expect(sim.control.state().shares).toEqual([]);
  });

  it('accepts global ids sent as digit strings', async () => {
    expect((await inviteV1('alice', ['35723970'])).status).toBe(200);
  });

  it('invites an email without an account as a pending email-only share', async () => {
    const res = await inviteV1('new.person@example.com');
    expect(res.status).toBe(200);
    expect(sim.control.state().pending).toMatchObject([{ invitedId: null, invitedEmail: 'new.person@example.com' }]);
  });

  it('answers 400 for an unknown username, and 404 HTML for a machine id that is not the caller\'s', async () => {
    const unknown = await inviteV1('nobody-by-that-name');
    expect(unknown.status).toBe(400);
    expect(unknown.xml().Response.status).toMatch(/could not be found/);
    const notOwner = await inviteV1('alice', [35723967], 'friend-token');
    expect(notOwner.status).toBe(404);
    expect(notOwner.contentType).toMatch(/^text\/html/);
  });

  it('answers 400 for a malformed body', async () => {
    const res = await sendJson(sim, 'POST', sharedServersPath(), { shared: 1 });
    expect(res.status).toBe(400);
    expect(res.xml().Response.code).toBe('400');
  });
});

describe('E6a, E6b, E7a, E8b', () => {
  it('lists shares in /api/users and shared_servers, updates and deletes by the v1 id', async () => {
    const shareId = (await inviteV1('friend@example.com')).xml().MediaContainer.SharedServer[0].id as string;
    const users = (await plexTv(sim, '/api/users')).xml().MediaContainer;
    expect(users.User[0]).toMatchObject({ id: '22526914', username: 'friend' });
    expect(users.User[0].Server[0]).toMatchObject({ id: shareId, machineIdentifier: sim.machineIdentifier });
    expect(users.User[0].Server[0]).toMatchObject({ pending: '1', numLibraries: '2' });

    const listed = (await plexTv(sim, sharedServersPath())).xml().MediaContainer.SharedServer;
    expect(listed.map((s: { id: string }) => s.id)).toEqual([shareId]);

    const update = { server_id: sim.machineIdentifier, shared_server: { library_section_ids: [35723970] } };
    const put = await sendJson(sim, 'PUT', `${sharedServersPath()}/${shareId}`, update);
    expect(put.status).toBe(200);
    expect(sim.control.state().shares[0]?.libraryIds).toEqual([35723970]);

    const v2Id = sim.control.state().shares[0]?.v2Id;
    expect((await plexTv(sim, `${sharedServersPath()}/${v2Id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await plexTv(sim, `${sharedServersPath()}/${shareId}`, { method: 'DELETE' })).status).toBe(200);
    expect(sim.control.state().shares).toEqual([]);
  });

  it('answers 410 for the whole v1 sharing family when switched off', async () => {
    sim.control.setV1SharingGone(true);
    const res = await inviteV1('friend@example.com');
    expect(res.status).toBe(410);
    expect(res.xml().Response.status).toBe('This endpoint was deprecated and removed');
    expect((await plexTv(sim, sharedServersPath())).status).toBe(410);
    expect((await plexTv(sim, '/api/users')).status).toBe(200);
  });
});
