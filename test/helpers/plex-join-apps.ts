import { afterEach } from 'vitest';
import type { PlexJoinInput } from '../../src/modules/invitations/invitations.service.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import type { TestApp } from './app.js';
import { createReadyApp } from './ready-app.js';

/** The simulator's confirmed friend account that Join with Plex tests sign in as. */
export const FRIEND = { id: 22526914, uuid: 'f1e2d3c4b5a69788', username: 'friend', email: 'friend@example.com', confirmed: true };

/**
 * Apps set up against the simulator (`ctx` from useSimulator), each closed after its test, and a
 * friend's Join with Plex on one of them (FRIEND with a token, unless the patch says otherwise).
 */
export function usePlexJoinApps(ctx: { readonly sim: PlexSimulator }) {
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close().catch(() => undefined);
  });
  async function ready(options: Parameters<typeof createReadyApp>[1] = {}): Promise<TestApp> {
    const t = await createReadyApp(ctx.sim, options);
    open.push(t);
    return t;
  }
  const join = (t: TestApp, patch: Partial<PlexJoinInput> = {}) =>
    t.deps.services.invitations.submitPlexJoin({ account: FRIEND, friendToken: 'friend-token', rulesAccepted: false, clientIp: '198.51.100.1', userAgent: 'vitest', ...patch });
  return { ready, join };
}
