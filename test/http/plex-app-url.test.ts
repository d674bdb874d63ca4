import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { startedFrom, startPlexJoin } from '../helpers/join-with-plex.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** PLEX_APP_URL: where the Plex sign-in page is, app.plex.tv unless Helpr runs against the simulator (npm run demo). */
describe('PLEX_APP_URL', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const formAction = (headers: Record<string, unknown>) => /form-action [^;]*/.exec(String(headers['content-security-policy']))?.[0];

  it("set to the simulator: friends and the owner are sent to its sign-in page, and the request page's form may go there", async () => {
    t = await createReadyApp(plex.sim, { env: { BASE_URL: 'https://invite.example.com', PLEX_APP_URL: `${plex.sim.plexTvUrl}/` } });
    const page = await t.app.inject('/');
    expect(formAction(page.headers)).toBe(`form-action 'self' ${plex.sim.plexTvUrl}`);

    const { id, pinCode, location } = startedFrom(await startPlexJoin(t.app));
    expect(location.startsWith(`${plex.sim.plexTvUrl}/auth#?`)).toBe(true);
    // The simulator's page knows the PIN Helpr made.
    const lookup = await fetch(`${plex.sim.plexTvUrl}/__sim/app/pin?code=${pinCode}`);
    expect(lookup.status).toBe(200);

    t.clock.advance(16 * 60_000);
    const ended = await t.app.inject(`/join-with-plex/${id}/return`);
    expect(formAction(ended.headers)).toBe(`form-action 'self' ${plex.sim.plexTvUrl}`);

    // The owner's Sign in with Plex (setup wizard, admin area) opens the same page.
    expect((await t.deps.services.plexSignIn.authUrl('abc')).startsWith(`${plex.sim.plexTvUrl}/auth#?`)).toBe(true);
  });

  it('left out: app.plex.tv', async () => {
    t = await createReadyApp(plex.sim);
    expect(formAction((await t.app.inject('/')).headers)).toBe("form-action 'self' https://app.plex.tv");
    expect(startedFrom(await startPlexJoin(t.app)).location.startsWith('https://app.plex.tv/auth#?')).toBe(true);
    expect((await t.deps.services.plexSignIn.authUrl('abc')).startsWith('https://app.plex.tv/auth#?')).toBe(true);
  });
});
