import { describe, expect, it } from 'vitest';
import { plexFailure, TRANSPORTS, useSimulator } from '../../test/helpers/plex-sim.js';
import { isUnconfirmedEmailRefusal, type PlexError } from './plex.errors.js';
import type { PlexClient } from './plex-client.js';

/** The calls "Join with Plex" (issue 12) makes, against the simulator: share by id, find and accept as the friend. */
describe.each(TRANSPORTS)('over $name', ({ tls }) => {
  const plex = useSimulator({ tls });

  const MOVIES = 35723967;
  const TV = 35723968;
  const MUSIC = 35723970;
  const SHARING = { allowSync: true, allowCameraUpload: false, allowChannels: false };
  const mid = () => plex.sim.machineIdentifier;
  const owner = () => plex.sim.accounts.owner;
  const friend = (username = 'friend') => plex.sim.accounts.friends.find((f) => f.username === username)!;

  async function shareById(client: PlexClient, invitedId: number, librarySectionIds = [MOVIES]) {
    const result = await client.sharing.inviteFriend(plex.sim.ownerToken, { machineIdentifier: mid(), invitee: 'who-ever', invitedId, librarySectionIds, sharing: SHARING });
    expect(result.outcome).toBe('sent');
    return plex.sim.control.state().shares.find((s) => s.invitedId === invitedId)!;
  }

  /** The token must not be anywhere in what an error carries: message, stack, causes. */
  function expectNoToken(error: PlexError, token: string) {
    let current: unknown = error;
    for (let depth = 0; current && depth < 5; depth += 1) {
      const { message, stack } = current as Error;
      expect(`${message} ${stack}`).not.toContain(token);
      current = (current as Error).cause;
    }
    expect(JSON.stringify(error)).not.toContain(token);
  }

  describe('getAccount: confirmed', () => {
    it('reads confirmed: true for a confirmed account, false for a new one until it confirms', async () => {
      const client = plex.client();
      expect(await client.tv.getAccount(friend().token)).toMatchObject({ username: 'friend', confirmed: true });
      const newbie = plex.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
      expect(await client.tv.getAccount(newbie.token)).toMatchObject({ id: newbie.id, username: 'newbie', email: 'newbie@example.com', confirmed: false });
      plex.sim.control.confirmAccount('newbie');
      expect((await client.tv.getAccount(newbie.token)).confirmed).toBe(true);
    });

    it('never keeps the token plex.tv echoes in the account', async () => {
      const account = await plex.client().tv.getAccount(friend().token);
      expect(JSON.stringify(account)).not.toContain(friend().token);
    });
  });

  describe('inviteFriend by account id', () => {
    it('sends v1 invited_id (no name) and shares with that account', async () => {
      const share = await shareById(plex.client(), friend('alice').id, [MOVIES, TV]);
      expect(share).toMatchObject({ invitedUsername: 'alice', accepted: false, libraryIds: [MOVIES, TV] });
      const [post] = plex.sim.control.requestLog({ method: 'POST', path: '/api/servers/' });
      expect((post!.body as { shared_server: unknown }).shared_server).toEqual({ library_section_ids: [MOVIES, TV], invited_id: friend('alice').id });
    });

    it('sends v2 invitedId (no name) when v1 is gone', async () => {
      plex.sim.control.setV1SharingGone(true);
      const share = await shareById(plex.client(), friend('bob').id);
      expect(share).toMatchObject({ invitedUsername: 'bob' });
      const [post] = plex.sim.control.requestLog({ method: 'POST', route: '/api/v2/shared_servers' });
      expect(post!.body).toMatchObject({ machineIdentifier: mid(), invitedId: friend('bob').id, librarySectionIds: [MOVIES] });
      expect(post!.body).not.toHaveProperty('invitedEmail');
    });

    it('answers already_shared for an account shared before (by its email), and rejects an unknown id', async () => {
      const client = plex.client();
      await client.sharing.inviteFriend(plex.sim.ownerToken, { machineIdentifier: mid(), invitee: 'friend@example.com', librarySectionIds: [MOVIES], sharing: SHARING });
      const again = await client.sharing.inviteFriend(plex.sim.ownerToken, { machineIdentifier: mid(), invitee: 'friend', invitedId: friend().id, librarySectionIds: [TV], sharing: SHARING });
      expect(again.outcome).toBe('already_shared');
      const unknown = client.sharing.inviteFriend(plex.sim.ownerToken, { machineIdentifier: mid(), invitee: 'ghost', invitedId: 999, librarySectionIds: [MOVIES], sharing: SHARING });
      await expect(plexFailure(unknown, 'rejected')).resolves.toMatchObject({ status: 400 });
    });
  });

  describe('receivedPendingFor and acceptSharedServer (E10)', () => {
    it('finds the invite of this server from this owner (by id or by username), accepts it, and then finds nothing', async () => {
      const client = plex.client();
      const share = await shareById(client, friend().id);
      const token = friend().token;
      expect(await client.sharing.receivedPendingFor(token, { machineIdentifier: mid(), ownerId: owner().id })).toEqual([share.v2Id]);
      expect(await client.sharing.receivedPendingFor(token, { machineIdentifier: mid(), ownerUsername: 'OWNER' })).toEqual([share.v2Id]);
      expect(await client.sharing.receivedPendingFor(token, { machineIdentifier: mid(), ownerId: 1 })).toEqual([]);
      expect(await client.sharing.receivedPendingFor(token, { machineIdentifier: 'f'.repeat(40), ownerId: owner().id })).toEqual([]);
      expect(await client.sharing.receivedPendingFor(friend('alice').token, { machineIdentifier: mid(), ownerId: owner().id })).toEqual([]);

      expect(await client.sharing.acceptSharedServer(token, share.v2Id)).toBe('accepted');
      expect(plex.sim.control.state().accepted).toMatchObject([{ v2Id: share.v2Id, invitedId: friend().id }]);
      expect(await client.sharing.receivedPendingFor(token, { machineIdentifier: mid(), ownerId: owner().id })).toEqual([]);
      const accepts = plex.sim.control.requestLog({ route: '/api/v2/shared_servers/:id/accept' });
      expect(accepts.map((c) => [c.method, c.headers['x-plex-token']])).toEqual([['POST', token]]);
    });

    it("answers 'gone' for an invite accepted already or never there", async () => {
      const client = plex.client();
      const share = await shareById(client, friend().id);
      expect(await client.sharing.acceptSharedServer(friend().token, share.v2Id)).toBe('accepted');
      expect(await client.sharing.acceptSharedServer(friend().token, share.v2Id)).toBe('gone');
      expect(await client.sharing.acceptSharedServer(friend().token, 1)).toBe('gone');
    });

    it('is refused while the friend has not confirmed their email, then accepts once they have', async () => {
      const client = plex.client();
      const newbie = plex.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
      const share = await shareById(client, newbie.id);
      const [id] = await client.sharing.receivedPendingFor(newbie.token, { machineIdentifier: mid(), ownerId: owner().id });
      expect(id).toBe(share.v2Id);

      const error = await plexFailure(client.sharing.acceptSharedServer(newbie.token, id!), 'rejected');
      expect(error).toMatchObject({ status: 400, code: 1069, temporary: false });
      expect(isUnconfirmedEmailRefusal(error)).toBe(true);
      expectNoToken(error, newbie.token);
      expect(plex.sim.control.state().pending).toHaveLength(1);

      plex.sim.control.confirmAccount(newbie.id);
      expect(await client.sharing.acceptSharedServer(newbie.token, id!)).toBe('accepted');
    });

    it('reports a refused friend token, a 503 and a removed route (410) without the token in any message', async () => {
      const client = plex.client();
      const share = await shareById(client, friend().id);
      const { token } = plex.sim.control.issueToken('friend');
      const filter = { machineIdentifier: mid(), ownerId: owner().id };

      plex.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$', times: 1 });
      const down = await plexFailure(client.sharing.acceptSharedServer(token, share.v2Id), 'upstream');
      expect(down).toMatchObject({ status: 503, temporary: true });
      expect(isUnconfirmedEmailRefusal(down)).toBe(false);
      expectNoToken(down, token);
      plex.sim.control.addFault({ kind: 'status', status: 410, method: 'POST', pathRegex: '/accept$', times: 1 });
      expectNoToken(await plexFailure(client.sharing.acceptSharedServer(token, share.v2Id), 'not_found'), token);
      plex.sim.control.addFault({ kind: 'reset', method: 'GET', path: '/api/v2/shared_servers/invites/received', times: 1 });
      expectNoToken(await plexFailure(client.sharing.receivedPendingFor(token, filter), 'network'), token);
      expect(plex.sim.control.state().pending).toHaveLength(1);

      plex.sim.control.revokeToken(token);
      const refused = await plexFailure(client.sharing.receivedPendingFor(token, filter), 'invalid_token');
      expect(isUnconfirmedEmailRefusal(refused)).toBe(false);
      expectNoToken(refused, token);
      expectNoToken(await plexFailure(client.sharing.acceptSharedServer(token, share.v2Id), 'invalid_token'), token);
      // The URLs the client called carry no token either: it travels as a header only.
      for (const entry of plex.sim.control.requestLog()) expect(JSON.stringify(entry.query)).not.toContain(token);
    });
  });

  describe('addLibraries', () => {
    const request = (librarySectionIds: number[], who: { invitedId?: number; invitee?: string } = { invitedId: friend().id, invitee: 'friend' }) => ({
      machineIdentifier: mid(),
      invitee: who.invitee ?? 'friend',
      invitedId: who.invitedId,
      librarySectionIds,
    });
    const updates = () => [
      ...plex.sim.control.requestLog({ method: 'PUT', path: '/api/servers/' }),
      ...plex.sim.control.requestLog({ method: 'POST', route: '/api/v2/shared_servers/:id' }),
    ];

    it('adds the missing libraries to a pending invite (v1), which stays pending', async () => {
      const client = plex.client();
      const share = await shareById(client, friend().id, [MOVIES]);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([MOVIES, TV]))).toEqual({ added: [TV], pending: true });
      expect(plex.sim.control.state().shares).toMatchObject([{ v1Id: share.v1Id, accepted: false, libraryIds: [MOVIES, TV] }]);
      expect(updates().map((c) => `${c.method} ${c.path}`)).toEqual([`PUT /api/servers/${mid()}/shared_servers/${share.v1Id}`]);
    });

    it('adds to an accepted share and never removes one it has', async () => {
      const client = plex.client();
      const share = await shareById(client, friend().id, [MOVIES, MUSIC]);
      await client.sharing.acceptSharedServer(friend().token, share.v2Id);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([TV]))).toEqual({ added: [TV], pending: false });
      expect([...plex.sim.control.state().shares[0]!.libraryIds].sort()).toEqual([MOVIES, TV, MUSIC].sort());
    });

    it('sends nothing when the share has every library asked for', async () => {
      const client = plex.client();
      await shareById(client, friend().id, [MOVIES, TV]);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([TV, MOVIES, TV]))).toEqual({ added: [], pending: true });
      expect(updates()).toEqual([]);
    });

    it('finds a share by name when no id is given (an email invite to someone without an account too)', async () => {
      const client = plex.client();
      await shareById(client, friend('alice').id);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([TV], { invitee: 'ALICE' }))).toEqual({ added: [TV], pending: true });
      await client.sharing.inviteFriend(plex.sim.ownerToken, { machineIdentifier: mid(), invitee: 'new@example.com', librarySectionIds: [MOVIES], sharing: SHARING });
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([MUSIC], { invitee: 'new@example.com' }))).toEqual({ added: [MUSIC], pending: true });
    });

    it('answers undefined when the account has no share on the server', async () => {
      const client = plex.client();
      await shareById(client, friend('alice').id);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([TV]))).toBeUndefined();
      expect(updates()).toEqual([]);
    });

    it.each([false, true])('uses the v2 lists and E7c on clients.plex.tv when v1 is gone (accepted: %s), sending the settings back', async (accepted) => {
      const client = plex.client();
      plex.sim.control.setV1SharingGone(true);
      const share = await shareById(client, friend().id, [MOVIES]);
      if (accepted) await client.sharing.acceptSharedServer(friend().token, share.v2Id);
      expect(await client.sharing.addLibraries(plex.sim.ownerToken, request([MUSIC]))).toEqual({ added: [MUSIC], pending: !accepted });
      expect(plex.sim.control.state().shares).toMatchObject([{ accepted, libraryIds: [MOVIES, MUSIC], settings: { allowSync: true } }]);
      const [update] = updates();
      expect(update).toMatchObject({ method: 'POST', path: `/api/v2/shared_servers/${share.v2Id}`, status: 200 });
      expect(update!.body).toMatchObject({ librarySectionIds: [MOVIES, MUSIC], settings: { allowSync: true, allowCameraUpload: false } });
    });

    it('reports plex.tv failures: a 503 while reading, a 503 on the update, a refused owner token', async () => {
      const client = plex.client();
      await shareById(client, friend().id);
      plex.sim.control.addFault({ kind: 'status', status: 503, method: 'GET', path: '/api/servers/', times: 1 });
      await expect(plexFailure(client.sharing.addLibraries(plex.sim.ownerToken, request([TV])), 'upstream')).resolves.toMatchObject({ status: 503 });
      plex.sim.control.addFault({ kind: 'status', status: 503, method: 'PUT', path: '/api/servers/', times: 1 });
      const failed = await plexFailure(client.sharing.addLibraries(plex.sim.ownerToken, request([TV])), 'upstream');
      expect(failed.message).toContain('adding libraries to the share');
      expect(plex.sim.control.state().shares[0]!.libraryIds).toEqual([MOVIES]);
      await plexFailure(client.sharing.addLibraries('wrong-token', request([TV])), 'invalid_token');
    });
  });
});
