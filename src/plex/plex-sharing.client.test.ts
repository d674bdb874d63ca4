import { describe, expect, it } from 'vitest';
import { deadUrl, plexFailure, TEST_CLIENT_ID, TRANSPORTS, useSimulator } from '../../test/helpers/plex-sim.js';
import { createPlexClient } from './plex-client.js';
import type { InviteRequest } from './plex-sharing.client.js';

describe.each(TRANSPORTS)('over $name', ({ tls }) => {
  const plex = useSimulator({ tls });

  const SHARE_PATH = '/api/servers/';
  const V2_PATH = '/api/v2/shared_servers';

  /** An invite of Movies and Music (global ids 35723967 and 35723970, local keys 1 and 3). */
  function invite(invitee: string, overrides: Partial<InviteRequest> = {}): InviteRequest {
    const [movies, , music] = plex.sim.libraries;
    return {
      machineIdentifier: plex.sim.machineIdentifier,
      invitee,
      librarySectionIds: [movies!.id, music!.id],
      sharing: { allowSync: true, allowCameraUpload: false, allowChannels: false },
      ...overrides,
    };
  }

  const sharedPosts = () => plex.sim.control.requestLog({ method: 'POST', path: SHARE_PATH });
  const v2Posts = () => plex.sim.control.requestLog({ method: 'POST', path: V2_PATH }).filter((c) => c.path === V2_PATH);

  describe('inviteFriend over v1 (E5a)', () => {
    it('invites a username with the global ids of the chosen libraries and "1"/"0" flags', async () => {
      const result = await plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend'));
      expect(result).toMatchObject({ outcome: 'sent', via: 'v1', shareId: expect.any(String) });

      const [call] = sharedPosts();
      expect(call!.path).toBe(`/api/servers/${plex.sim.machineIdentifier}/shared_servers`);
      expect(call!.headers['content-type']).toContain('application/json');
      expect(call!.body).toEqual({
        server_id: plex.sim.machineIdentifier,
        shared_server: { library_section_ids: [35723967, 35723970], invited_email: 'friend' },
        sharing_settings: { allowSync: '1', allowCameraUpload: '0', allowChannels: '0', filterMovies: '', filterTelevision: '', filterMusic: '' },
      });
      const [share] = plex.sim.control.state().shares;
      expect(share).toMatchObject({ invitedId: plex.sim.accounts.friends[0]!.id, libraryIds: [35723967, 35723970] });
      expect(result.outcome === 'sent' && result.shareId).toBe(String(share!.v1Id));
    });

    it('invites an email address, with the flags the admin chose', async () => {
      const sharing = { allowSync: false, allowCameraUpload: true, allowChannels: true };
      const result = await plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('alice@example.com', { sharing }));
      expect(result).toMatchObject({ outcome: 'sent', via: 'v1' });
      const body = sharedPosts()[0]!.body as { shared_server: unknown; sharing_settings: Record<string, string> };
      expect(body.shared_server).toEqual({ library_section_ids: [35723967, 35723970], invited_email: 'alice@example.com' });
      expect(body.sharing_settings).toMatchObject({ allowSync: '0', allowCameraUpload: '1', allowChannels: '1' });
    });

    it('answers already_shared, not an error, for a second invite to the same account', async () => {
      const client = plex.client();
      await client.sharing.inviteFriend(plex.sim.ownerToken, invite('bob'));
      const again = await client.sharing.inviteFriend(plex.sim.ownerToken, invite('bob@example.com'));
      expect(again).toMatchObject({ outcome: 'already_shared', via: 'v1' });
      expect(again.outcome === 'already_shared' && again.message).toContain("You're already sharing this server with bob");
      expect(plex.sim.control.state().shares).toHaveLength(1);
    });

    it('rejects an unknown username permanently', async () => {
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('no-such-user')), 'rejected');
      expect(error).toMatchObject({ status: 400, temporary: false });
      expect(error.message).toContain('no-such-user');
    });

    it('rejects local library keys, which are not plex.tv section ids', async () => {
      const keys = plex.sim.libraries.map((lib) => lib.key);
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend', { librarySectionIds: keys })), 'rejected');
      expect(error.message).toContain('Invalid library section id');
    });

    it('rejects an invite to the owner themself', async () => {
      await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite(plex.sim.accounts.owner.username)), 'rejected');
    });

    it('rejects an empty library list without sending anything', async () => {
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend', { librarySectionIds: [] })), 'rejected');
      expect(error.temporary).toBe(false);
      expect(plex.sim.control.counters().plexTv.total).toBe(0);
    });

    it('answers invalid_token for a wrong owner token', async () => {
      await expect(plexFailure(plex.client().sharing.inviteFriend('nope', invite('friend')), 'invalid_token')).resolves.toMatchObject({ status: 401 });
    });
  });

  describe('inviteFriend over v2 (E5b) when v1 is gone', () => {
    it('falls back to v2 with a camelCase body carrying the global ids', async () => {
      plex.sim.control.setV1SharingGone(true);
      const result = await plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend'));
      expect(result).toMatchObject({ outcome: 'sent', via: 'v2', shareId: expect.any(String) });

      expect(sharedPosts().map((c) => c.status)).toEqual([410]);
      const [call] = v2Posts();
      expect(call!.headers).toMatchObject({ accept: 'application/json', 'x-plex-product': 'Helpr' });
      expect(call!.body).toMatchObject({
        machineIdentifier: plex.sim.machineIdentifier,
        invitedEmail: 'friend',
        librarySectionIds: [35723967, 35723970],
        settings: { allowSync: true, allowChannels: false, allowCameraUpload: false },
      });
      expect(call!.body).not.toHaveProperty('shared_server');
      const [share] = plex.sim.control.state().shares;
      expect(share).toMatchObject({ libraryIds: [35723967, 35723970] });
      expect(String(share!.v2Id)).toBe(result.outcome === 'sent' ? result.shareId : '');
    });

    it.each([422, 409])('answers already_shared for a v2 duplicate (status %i)', async (status) => {
      const { control } = plex.sim;
      control.setV1SharingGone(true);
      control.setV2DuplicateStatus(status);
      const client = plex.client();
      await client.sharing.inviteFriend(plex.sim.ownerToken, invite('alice'));
      const again = await client.sharing.inviteFriend(plex.sim.ownerToken, invite('alice'));
      expect(again).toMatchObject({ outcome: 'already_shared', via: 'v2' });
      expect(v2Posts().map((c) => c.status)).toEqual([201, status]);
    });

    it('rejects an unknown username over v2 too', async () => {
      plex.sim.control.setV1SharingGone(true);
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('no-such-user')), 'rejected');
      expect(error.status).toBe(400);
    });
  });

  describe('inviteFriend when plex.tv misbehaves', () => {
    it('reports a 5xx as a temporary upstream failure and does not try v2', async () => {
      plex.sim.control.addFault({ kind: 'status', status: 503, method: 'POST', path: SHARE_PATH });
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend')), 'upstream');
      expect(error).toMatchObject({ status: 503, temporary: true });
      expect(v2Posts()).toEqual([]);
    });

    it('reports a 429 as rate_limited with the Retry-After seconds', async () => {
      plex.sim.control.addFault({ kind: 'rate-limit', retryAfterSeconds: 37, method: 'POST', path: SHARE_PATH, times: 1 });
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend')), 'rate_limited');
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 37, temporary: true });
      expect(plex.sim.control.state().shares).toEqual([]);
    });

    it('gives up with a timeout at about timeoutMs when plex.tv hangs', async () => {
      plex.sim.control.addFault({ kind: 'hang', method: 'POST', path: SHARE_PATH });
      const started = performance.now();
      const error = await plexFailure(plex.client({ timeoutMs: 300 }).sharing.inviteFriend(plex.sim.ownerToken, invite('friend')), 'timeout');
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(280);
      expect(elapsed).toBeLessThan(1500);
      expect(error.temporary).toBe(true);
      expect(error.message).toContain('sending the invite');
    });

    it('reports a connection reset as a network failure', async () => {
      plex.sim.control.addFault({ kind: 'reset', method: 'POST', path: SHARE_PATH });
      const error = await plexFailure(plex.client().sharing.inviteFriend(plex.sim.ownerToken, invite('friend')), 'network');
      expect(error.temporary).toBe(true);
    });

    it('reports nothing listening as a network failure', async () => {
      const url = await deadUrl();
      const client = createPlexClient({ urls: { tvUrl: url, clientsUrl: url }, clientIdentifier: TEST_CLIENT_ID, timeoutMs: 2000 });
      try {
        const error = await plexFailure(client.sharing.inviteFriend(plex.sim.ownerToken, invite('friend')), 'network');
        expect(error.message).toContain('ECONNREFUSED');
        expect(error.temporary).toBe(true);
      } finally {
        await client.close();
      }
    });
  });
});
