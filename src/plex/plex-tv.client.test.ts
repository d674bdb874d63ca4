import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { plexFailure, TEST_CLIENT_ID, TRANSPORTS, useSimulator } from '../../test/helpers/plex-sim.js';
import { createPlexHttp, type PlexHttp } from './plex-http.js';
import { plexTvRequester } from './plex-tv.client.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe.each(TRANSPORTS)('over $name', ({ tls }) => {
  const plex = useSimulator({ tls });

  describe('getAccount (E1)', () => {
    it('reads the account a token belongs to', async () => {
      const account = await plex.client().tv.getAccount(plex.sim.ownerToken);
      const owner = plex.sim.accounts.owner;
      expect(account).toMatchObject({ id: owner.id, uuid: owner.uuid, username: owner.username, email: owner.email });
    });

    it('sends the product headers, a stable client identifier, Accept JSON and the token as a header only', async () => {
      const client = plex.client();
      await client.tv.getAccount(plex.sim.ownerToken);
      await client.tv.getAccount(plex.sim.ownerToken);
      await plex.client({ clientIdentifier: 'another-installation' }).tv.getAccount(plex.sim.ownerToken);

      const calls = plex.sim.control.requestLog({ path: '/api/v2/user' });
      expect(calls.map((c) => c.headers['x-plex-client-identifier'])).toEqual([TEST_CLIENT_ID, TEST_CLIENT_ID, 'another-installation']);
      for (const call of calls) {
        expect(call.headers).toMatchObject({
          'x-plex-product': 'Helpr',
          'x-plex-version': PACKAGE_VERSION,
          'x-plex-token': plex.sim.ownerToken,
          accept: 'application/json',
        });
        expect(Object.keys(call.query).filter((key) => /token|x-plex/i.test(key))).toEqual([]);
      }
    });

    it('turns a wrong token into invalid_token 401 with code 1001', async () => {
      const error = await plexFailure(plex.client().tv.getAccount('not-a-token'), 'invalid_token');
      expect(error).toMatchObject({ status: 401, code: 1001 });
      expect(error.message).toContain('User could not be authenticated');
      expect(error.temporary).toBe(false);
    });

    it('turns a revoked token into invalid_token 422', async () => {
      const { friends } = plex.sim.accounts;
      const alice = friends.find((f) => f.username === 'alice')!;
      plex.sim.control.revokeToken(alice.token);
      const error = await plexFailure(plex.client().tv.getAccount(alice.token), 'invalid_token');
      expect(error.status).toBe(422);
      expect(error.message).toContain('Invalid token');
    });

    it('reports a missing client identifier as rejected 400 with code 1000', async () => {
      const error = await plexFailure(plex.client({ clientIdentifier: '' }).tv.getAccount(plex.sim.ownerToken), 'rejected');
      expect(error).toMatchObject({ status: 400, code: 1000 });
    });
  });

  describe('getServers and getOwnedServers (E2)', () => {
    it('keeps only media servers, with their token and connections, local first and relay last', async () => {
      const client = plex.client();
      const servers = await client.tv.getServers(plex.sim.ownerToken);
      expect(servers).toHaveLength(1);
      const [server] = servers;
      expect(server).toMatchObject({ clientIdentifier: plex.sim.machineIdentifier, owned: true, accessToken: plex.sim.serverToken });
      expect(server!.connections.length).toBeGreaterThanOrEqual(2);
      expect(server!.connections[0]).toMatchObject({ local: true, relay: false, uri: plex.sim.pmsUrl });
      expect(server!.connections.at(-1)).toMatchObject({ relay: true });
      // The account also has a web player (provides "client,player"), which must not count as a server.
      const http = createPlexHttp({ ca: plex.sim.tlsCaPem });
      const raw = await http.send({
        what: 'listing resources',
        url: `${plex.sim.plexTvUrl}/api/v2/resources`,
        headers: { 'X-Plex-Token': plex.sim.ownerToken, 'X-Plex-Client-Identifier': TEST_CLIENT_ID, Accept: 'application/json' },
      });
      await http.close();
      expect((JSON.parse(raw.text) as Array<{ provides: string }>).map((r) => r.provides)).toContain('client,player');
      const [call] = plex.sim.control.requestLog({ path: '/api/v2/resources' });
      expect(call!.query).toMatchObject({ includeHttps: '1', includeRelay: '1' });
    });

    it('lists a server shared with a friend, but not as one the friend may share', async () => {
      const client = plex.client();
      const friend = plex.sim.accounts.friends[0]!;
      expect(await client.tv.getServers(friend.token)).toEqual([]);

      const [movies] = plex.sim.libraries;
      await client.sharing.inviteFriend(plex.sim.ownerToken, {
        machineIdentifier: plex.sim.machineIdentifier,
        invitee: friend.username,
        librarySectionIds: [movies!.id],
        sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false },
      });
      expect(await client.sharing.acceptInvite(friend.token, plex.sim.accounts.owner.username)).toBe('accepted');

      const seen = await client.tv.getServers(friend.token);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ clientIdentifier: plex.sim.machineIdentifier, owned: false });
      expect(await client.tv.getOwnedServers(friend.token)).toEqual([]);
      expect((await client.tv.getOwnedServers(plex.sim.ownerToken)).map((s) => s.clientIdentifier)).toEqual([plex.sim.machineIdentifier]);
    });

    it('fails with invalid_token for a wrong token', async () => {
      await expect(plexFailure(plex.client().tv.getOwnedServers('nope'), 'invalid_token')).resolves.toMatchObject({ status: 401 });
    });
  });

  describe('getServerLibraries (E3, v1 XML)', () => {
    it('reads each library with both its local key and its plex.tv-global id', async () => {
      const libraries = await plex.client().tv.getServerLibraries(plex.sim.ownerToken, plex.sim.machineIdentifier);
      expect(libraries).toEqual(
        plex.sim.libraries.map((lib) => ({ globalId: lib.id, key: String(lib.key), title: lib.title, type: lib.type })),
      );
      for (const library of libraries) expect(String(library.globalId)).not.toBe(library.key);
      const [call] = plex.sim.control.requestLog({ path: `/api/servers/${plex.sim.machineIdentifier}` });
      expect(call!.headers['x-plex-token']).toBe(plex.sim.ownerToken);
    });

    it('reads a single library as a list and decodes XML entities in titles', async () => {
      const { control, libraries } = plex.sim;
      libraries.forEach((lib) => control.removeLibrary(lib.id));
      control.addLibrary({ id: 40000001, key: 9, title: 'Kids & "Family"', type: 'movie' });
      const read = await plex.client().tv.getServerLibraries(plex.sim.ownerToken, plex.sim.machineIdentifier);
      expect(read).toEqual([{ globalId: 40000001, key: '9', title: 'Kids & "Family"', type: 'movie' }]);
    });

    it('answers not_found for a server the account does not own', async () => {
      const error = await plexFailure(plex.client().tv.getServerLibraries(plex.sim.ownerToken, 'f'.repeat(40)), 'not_found');
      expect(error.status).toBe(404);
    });

    it('answers invalid_token for a wrong token (v1 401 body)', async () => {
      const error = await plexFailure(plex.client().tv.getServerLibraries('nope', plex.sim.machineIdentifier), 'invalid_token');
      expect(error.status).toBe(401);
    });
  });

  describe('plex.tv error shapes through the requester', () => {
    let http: PlexHttp | undefined;
    afterEach(async () => {
      await http?.close();
      http = undefined;
    });
    const requester = () => {
      http = createPlexHttp({ timeoutMs: 5000, ca: plex.sim.tlsCaPem });
      return plexTvRequester({ http, clientIdentifier: TEST_CLIENT_ID, urls: { tvUrl: plex.sim.plexTvUrl, clientsUrl: plex.sim.clientsPlexTvUrl } });
    };

    it.each(['/api/invites/requested', '/api/invites/requests', '/api/friends/22526914'])('reads the 410 of the removed %s', async (path) => {
      const error = await plexFailure(requester()('listing old invites', { path, token: plex.sim.ownerToken }), 'not_found');
      expect(error).toMatchObject({ status: 410, code: 410 });
      expect(error.message).toContain('This endpoint was deprecated and removed');
    });

    it('reads the v2 404 code 1002 of an unknown route', async () => {
      const error = await plexFailure(requester()('calling nothing', { path: '/api/v2/no_such_thing', token: plex.sim.ownerToken }), 'not_found');
      expect(error).toMatchObject({ status: 404, code: 1002 });
    });

    it('reads the v2 XML error form when XML was asked for', async () => {
      const error = await plexFailure(requester()('reading the account', { path: '/api/v2/user', token: 'nope', accept: 'xml' }), 'invalid_token');
      expect(error).toMatchObject({ status: 401, code: 1001 });
      expect(error.message).toContain('User could not be authenticated');
    });

    it('sends the clients.plex.tv calls to the clients host', async () => {
      const http2 = createPlexHttp({ ca: plex.sim.tlsCaPem });
      try {
        const call = plexTvRequester({ http: http2, clientIdentifier: TEST_CLIENT_ID, urls: { tvUrl: 'http://127.0.0.1:9', clientsUrl: plex.sim.clientsPlexTvUrl } });
        const answer = await call('listing shares', { host: 'clients', path: '/api/v2/shared_servers/owned/accepted', token: plex.sim.ownerToken });
        expect(JSON.parse(answer.text)).toEqual([]);
      } finally {
        await http2.close();
      }
    });
  });
});
