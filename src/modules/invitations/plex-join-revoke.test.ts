import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { FRIEND } from '../../../test/helpers/plex-join-apps.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';

const OWNER = { name: 'owner', type: 'admin' as const, ip: null };

/** Revoking a Plex join finds the share by the account it was made to, not by the name it had then. */
describe('revoking the access of a friend who joined with Plex', () => {
  const ctx = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const friendShares = () => ctx.sim.control.state().shares.filter((share) => share.invitedId === FRIEND.id);

  it('removes the share made to the account id even when the request names the account by an older username', async () => {
    t = await createReadyApp(ctx.sim);
    const { invitation } = await t.deps.services.invitations.submitPlexJoin({ account: FRIEND, friendToken: 'friend-token', rulesAccepted: false, clientIp: '198.51.100.1', userAgent: 'vitest' });
    expect(invitation.status).toBe('accepted');
    expect(friendShares()).toHaveLength(1);
    // The friend renamed their Plex account since: the request keeps the username they had.
    await t.deps.database.db.updateTable('invitations').set({ identifier: 'friend-before', identifier_normalized: 'friend-before' }).where('id', '=', invitation.id).execute();

    const { removedFromPlex } = await t.deps.services.adminInvitations.revokeAccess(invitation.id, OWNER);
    expect(removedFromPlex).toBe(true);
    expect(friendShares()).toEqual([]);
  });
});
