import { describe, expect, it } from 'vitest';
import { plexFailure, TRANSPORTS, useSimulator } from '../../test/helpers/plex-sim.js';
import type { PlexClient } from './plex-client.js';

/** findShare: is there already a share of this server for a person (before Helpr sends again)? */
describe.each(TRANSPORTS)('findShare over $name', ({ tls }) => {
  const plex = useSimulator({ tls });
  const owner = () => plex.sim.ownerToken;
  const mid = () => plex.sim.machineIdentifier;

  async function invite(client: PlexClient, invitee: string): Promise<string | undefined> {
    const result = await client.sharing.inviteFriend(owner(), {
      machineIdentifier: mid(),
      invitee,
      librarySectionIds: [35723967],
      sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
    });
    expect(result.outcome).toBe('sent');
    return result.outcome === 'sent' ? result.shareId : undefined;
  }

  /** When the simulator made its only share, as v1 says it (unix seconds). */
  const madeAtSeconds = () => new Date(Math.floor(Date.parse(plex.sim.control.state().shares[0]!.invitedAt) / 1000) * 1000);

  it('finds a pending email invite with the v1 share id the invite answered, and when it was made, from the v1 list', async () => {
    const client = plex.client();
    const shareId = await invite(client, 'newcomer@example.com');
    plex.sim.control.clearLog();
    expect(await client.sharing.findShare(owner(), mid(), 'Newcomer@Example.com')).toEqual({ via: 'v1', shareId, invitedAt: madeAtSeconds() });
    expect(shareId).toBe(String(plex.sim.control.state().shares[0]!.v1Id));
    expect(plex.sim.control.requestLog().map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
      `GET /api/servers/${mid()}/shared_servers 200`,
    ]);
  });

  it('finds an account by its username or its email, whichever the invite used', async () => {
    const client = plex.client();
    await invite(client, 'alice');
    const found = { via: 'v1', shareId: String(plex.sim.control.state().shares[0]!.v1Id), invitedAt: madeAtSeconds() };
    expect(await client.sharing.findShare(owner(), mid(), 'ALICE')).toEqual(found);
    expect(await client.sharing.findShare(owner(), mid(), 'alice@example.com')).toEqual(found);
  });

  it('finds an accepted share too', async () => {
    const client = plex.client();
    await invite(client, 'bob@example.com');
    expect(await client.sharing.acceptInvite('bob-token', 'owner')).toBe('accepted');
    expect(plex.sim.control.state().accepted).toHaveLength(1);
    expect(await client.sharing.findShare(owner(), mid(), 'bob')).toMatchObject({ via: 'v1' });
  });

  it('answers undefined when only other people have a share', async () => {
    const client = plex.client();
    await invite(client, 'alice');
    expect(await client.sharing.findShare(owner(), mid(), 'bob@example.com')).toBeUndefined();
    expect(await client.sharing.findShare(owner(), mid(), 'ali')).toBeUndefined();
  });

  it('uses the v2 lists, their ids and times, when v1 sharing is gone (pending and accepted)', async () => {
    const client = plex.client();
    plex.sim.control.setV1SharingGone(true);
    const shareId = await invite(client, 'friend');
    plex.sim.control.clearLog();
    expect(await client.sharing.findShare(owner(), mid(), 'friend@example.com')).toEqual({ via: 'v2', shareId, invitedAt: madeAtSeconds() });
    expect(shareId).toBe(String(plex.sim.control.state().shares[0]!.v2Id));
    expect(plex.sim.control.requestLog({ method: 'GET', path: '/api/servers/' }).map((entry) => entry.status)).toEqual([410]);
    expect(await client.sharing.findShare(owner(), mid(), 'alice')).toBeUndefined();
    expect(await client.sharing.acceptInvite('friend-token', 'owner')).toBe('accepted');
    expect(await client.sharing.findShare(owner(), mid(), 'friend')).toEqual({ via: 'v2', shareId, invitedAt: madeAtSeconds() });
  });

  it('reports a plex.tv failure instead of answering "no share"', async () => {
    plex.sim.control.addFault({ kind: 'status', status: 503, method: 'GET', path: '/api/servers/' });
    await plexFailure(plex.client().sharing.findShare(owner(), mid(), 'alice'), 'upstream');
  });

  it('reports a refused token', async () => {
    await plexFailure(plex.client().sharing.findShare('wrong-token', mid(), 'alice'), 'invalid_token');
  });
});
