import { describe, expect, it } from 'vitest';
import { plexFailure, useSimulator } from '../../test/helpers/plex-sim.js';
import type { PlexClient } from './plex-client.js';

const plex = useSimulator();

const MOVIES = 35723967;
const TV_SHOWS = 35723968;

async function invite(client: PlexClient, invitee: string, librarySectionIds = [MOVIES]) {
  const result = await client.sharing.inviteFriend(plex.sim.ownerToken, {
    machineIdentifier: plex.sim.machineIdentifier,
    invitee,
    librarySectionIds,
    sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
  });
  expect(result.outcome).toBe('sent');
}

const friend = (username: string) => plex.sim.accounts.friends.find((f) => f.username === username)!;
const ownerName = () => plex.sim.accounts.owner.username;

describe('listPendingInvites (E6d)', () => {
  it('lists an email invite as pending with the v2 id that cancels it', async () => {
    const client = plex.client();
    await invite(client, 'newcomer@example.com', [MOVIES, TV_SHOWS]);
    const pending = await client.sharing.listPendingInvites(plex.sim.ownerToken);
    expect(pending).toHaveLength(1);
    expect(pending[0]!.invitedEmail).toBe('newcomer@example.com');
    const [shared] = pending[0]!.sharedServers;
    expect(shared).toMatchObject({ id: plex.sim.control.state().shares[0]!.v2Id, machineIdentifier: plex.sim.machineIdentifier });
    expect(shared!.libraries?.map((l) => l.id)).toEqual([MOVIES, TV_SHOWS]);
    expect(await client.sharing.listAcceptedShares(plex.sim.ownerToken)).toEqual([]);
  });

  it('filters by server', async () => {
    const client = plex.client();
    await invite(client, 'alice');
    expect(await client.sharing.listPendingInvites(plex.sim.ownerToken, plex.sim.machineIdentifier)).toHaveLength(1);
    expect(await client.sharing.listPendingInvites(plex.sim.ownerToken, 'f'.repeat(40))).toEqual([]);
  });

  it('answers invalid_token for a wrong token', async () => {
    await expect(plexFailure(plex.client().sharing.listPendingInvites('nope'), 'invalid_token')).resolves.toMatchObject({ code: 1001 });
  });
});

describe('acceptInvite with the invitee\'s token (E10) and listAcceptedShares (E6c)', () => {
  it('accepts the pending invite, after which it is an accepted share', async () => {
    const client = plex.client();
    const alice = friend('alice');
    await invite(client, alice.username, [MOVIES, TV_SHOWS]);

    expect(await client.sharing.acceptInvite(alice.token, ownerName())).toBe('accepted');
    const [accept] = plex.sim.control.requestLog({ method: 'POST' }).filter((c) => c.path.endsWith('/accept'));
    expect(accept!.headers['x-plex-token']).toBe(alice.token);

    const accepted = await client.sharing.listAcceptedShares(plex.sim.ownerToken);
    expect(accepted).toHaveLength(1);
    expect(accepted[0]).toMatchObject({ invitedId: alice.id, machineIdentifier: plex.sim.machineIdentifier, accepted: true });
    expect(accepted[0]!.invited).toMatchObject({ username: 'alice', email: alice.email });
    expect(accepted[0]!.libraries?.map((l) => l.id)).toEqual([MOVIES, TV_SHOWS]);
    expect(await client.sharing.listPendingInvites(plex.sim.ownerToken)).toEqual([]);
  });

  it('answers none_pending when there is nothing (more) to accept', async () => {
    const client = plex.client();
    const bob = friend('bob');
    expect(await client.sharing.acceptInvite(bob.token, ownerName())).toBe('none_pending');
    await invite(client, bob.username);
    expect(await client.sharing.acceptInvite(bob.token, ownerName())).toBe('accepted');
    expect(await client.sharing.acceptInvite(bob.token, ownerName())).toBe('none_pending');
    expect(plex.sim.control.requestLog({ method: 'POST' }).filter((c) => c.path.endsWith('/accept'))).toHaveLength(1);
  });

  it('matches the owner case-insensitively and ignores invites from someone else', async () => {
    const client = plex.client();
    const alice = friend('alice');
    await invite(client, alice.username);
    expect(await client.sharing.acceptInvite(alice.token, 'somebody-else')).toBe('none_pending');
    expect(await client.sharing.acceptInvite(alice.token, ownerName().toUpperCase())).toBe('accepted');
  });

  it('filters accepted shares by server', async () => {
    const client = plex.client();
    const alice = friend('alice');
    await invite(client, alice.username);
    await client.sharing.acceptInvite(alice.token, ownerName());
    expect(await client.sharing.listAcceptedShares(plex.sim.ownerToken, plex.sim.machineIdentifier)).toHaveLength(1);
    expect(await client.sharing.listAcceptedShares(plex.sim.ownerToken, 'f'.repeat(40))).toEqual([]);
  });

  it('answers invalid_token for a revoked invitee token', async () => {
    const alice = friend('alice');
    plex.sim.control.revokeToken(alice.token);
    await expect(plexFailure(plex.client().sharing.acceptInvite(alice.token, ownerName()), 'invalid_token')).resolves.toMatchObject({ status: 422 });
  });
});

describe('removeShare (E8c)', () => {
  it('cancels a pending invite, and a second removal finds it already gone', async () => {
    const client = plex.client();
    await invite(client, 'newcomer@example.com');
    const [pending] = await client.sharing.listPendingInvites(plex.sim.ownerToken);
    const id = pending!.sharedServers[0]!.id;

    expect(await client.sharing.removeShare(plex.sim.ownerToken, id)).toBe('removed');
    expect(plex.sim.control.state().shares).toEqual([]);
    expect(await client.sharing.removeShare(plex.sim.ownerToken, id)).toBe('already_gone');
  });

  it('removes an accepted share, and the invitee loses the server', async () => {
    const client = plex.client();
    const bob = friend('bob');
    await invite(client, bob.username);
    await client.sharing.acceptInvite(bob.token, ownerName());
    expect(await client.tv.getServers(bob.token)).toHaveLength(1);
    const [share] = await client.sharing.listAcceptedShares(plex.sim.ownerToken);

    expect(await client.sharing.removeShare(plex.sim.ownerToken, String(share!.id))).toBe('removed');
    expect(await client.sharing.listAcceptedShares(plex.sim.ownerToken)).toEqual([]);
    expect(await client.tv.getServers(bob.token)).toEqual([]);
    expect(await client.sharing.removeShare(plex.sim.ownerToken, share!.id)).toBe('already_gone');
  });

  it('does not take a removed endpoint (410) for a share that is already gone', async () => {
    const client = plex.client();
    await invite(client, 'alice');
    const [pending] = await client.sharing.listPendingInvites(plex.sim.ownerToken);
    plex.sim.control.addFault({
      kind: 'status',
      status: 410,
      method: 'DELETE',
      path: '/api/v2/shared_servers/',
      contentType: 'application/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?> <Response code="410" status="This endpoint was deprecated and removed"/>',
    });
    const error = await plexFailure(client.sharing.removeShare(plex.sim.ownerToken, pending!.sharedServers[0]!.id), 'not_found');
    expect(error.status).toBe(410);
    expect(plex.sim.control.state().shares).toHaveLength(1);
  });

  it('reports a 5xx instead of pretending the share is gone', async () => {
    const client = plex.client();
    await invite(client, 'alice');
    const [pending] = await client.sharing.listPendingInvites(plex.sim.ownerToken);
    plex.sim.control.addFault({ kind: 'status', status: 502, method: 'DELETE', path: '/api/v2/shared_servers/' });
    await expect(plexFailure(client.sharing.removeShare(plex.sim.ownerToken, pending!.sharedServers[0]!.id), 'upstream')).resolves.toMatchObject({
      status: 502,
      temporary: true,
    });
  });
});
