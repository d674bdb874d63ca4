import type { PlexClient } from '../../src/plex/plex-client.js';
import type { PlexConnection } from '../../src/modules/plex/plex-connection.service.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import type { TestApp } from './app.js';
import { clientFor } from './plex-sim.js';
import { createReadyApp } from './ready-app.js';

/** The owner, as the user actions' tests act. */
export const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

/**
 * An app set up against the simulator with two people in its users list: alice, invited through
 * Helpr and accepted (active after a sync), and bob, invited (pending). Closed by the caller's `open`.
 */
export async function appWithFriends(sim: PlexSimulator, open: TestApp[]): Promise<{ t: TestApp; alice: string; bob: string }> {
  const t = await createReadyApp(sim, { libraries: ['1'] });
  open.push(t);
  await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
  await t.deps.services.adminInvitations.invite({ email: 'bob@example.com' }, OWNER, 'admin');
  const client = clientFor(sim);
  try {
    await client.sharing.acceptInvite('alice-token', 'owner');
  } finally {
    await client.close();
  }
  await t.deps.services.usersSync.run();
  const items = (await t.deps.services.users.list({}, 1, 10)).items;
  const id = (email: string) => items.find((user) => user.email === email)!.id;
  return { t, alice: id('alice@example.com'), bob: id('bob@example.com') };
}

/** The simulator's shares (pending or accepted) for one seeded friend. */
export const sharesOf = (sim: PlexSimulator, username: string) =>
  sim.control.state().shares.filter((share) => share.invitedUsername === username || share.invitedEmail === `${username}@example.com`);

/** The app's Plex connection with some of its client's sharing calls replaced (a bug, a lagging list). */
export function withSharing(t: TestApp, replaced: Partial<PlexClient['sharing']>): PlexConnection {
  const real = t.deps.services.plexConnection;
  return {
    ...real,
    async client() {
      const client = await real.client();
      return { ...client, sharing: { ...client.sharing, ...replaced } };
    },
  } as PlexConnection;
}
