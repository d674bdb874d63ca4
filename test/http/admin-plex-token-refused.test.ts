import { afterEach, describe, expect, it } from 'vitest';
import { signIn } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const BANNER = "Plex refused Helpr's token";

describe("the 'Plex refused the token' banner", () => {
  const ctx = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('comes with a failed connection test, replaces "Working" on the dashboard, and goes when a test passes', async () => {
    t = await createReadyApp(ctx.sim);
    const session = await signIn(t.app);
    await session.post('/admin/plex/test');
    expect(textOf((await session.get('/admin')).body)).toContain('Working');
    expect(textOf((await session.get('/admin')).body)).not.toContain(BANNER);

    ctx.sim.control.revokeToken(ctx.sim.ownerToken);
    await session.post('/admin/plex/test');
    const dashboard = textOf((await session.get('/admin')).body);
    // The token comes from PLEX_TOKEN here: signing in with Plex would be refused, so say where to change it.
    expect(dashboard).toContain("Plex refused Helpr's token: replace PLEX_TOKEN in the environment and restart Helpr.");
    expect(dashboard).toContain('Token refused');
    expect(dashboard).not.toContain('Working');
    expect(textOf((await session.get('/admin/settings')).body)).toContain(BANNER);

    ctx.sim.control.restoreToken(ctx.sim.ownerToken);
    await session.post('/admin/plex/test');
    expect(textOf((await session.get('/admin')).body)).not.toContain(BANNER);
    expect(textOf((await session.get('/admin')).body)).toContain('Working');
  });

  it('comes when an admin page reads the libraries with a refused token', async () => {
    t = await createReadyApp(ctx.sim, { env: { PLEX_TOKEN: '' } });
    await t.deps.services.plexConnection.saveToken(ctx.sim.ownerToken);
    const session = await signIn(t.app);
    ctx.sim.control.expireToken(ctx.sim.ownerToken);
    await session.get('/admin/libraries');
    const page = await session.get('/admin/codes');
    expect(textOf(page.body)).toContain("Plex refused Helpr's token: sign in with Plex again.");
    expect(page.body).toContain('href="/admin/plex/connect"');
  });

  it('is not raised by a refusal of a token Helpr no longer uses, and a new token clears it', async () => {
    t = await createReadyApp(ctx.sim, { env: { PLEX_TOKEN: '' } });
    const { plexConnection, tokenRefusals } = t.deps.services;
    await plexConnection.saveToken('first-token');
    expect(await tokenRefusals.record('first-token')).toBe(true);
    const first = await tokenRefusals.current();
    expect(first).toMatchObject({ at: '2026-11-24T12:00:00.000Z', source: 'settings', waiting: 0 });
    // A later refusal of the same token keeps the first moment.
    t.clock.advance(60_000);
    expect(await tokenRefusals.record('first-token')).toBe(true);
    expect((await tokenRefusals.current())?.at).toBe(first!.at);

    await plexConnection.saveToken('second-token');
    expect(await tokenRefusals.current()).toBeUndefined();
    // A send that started with the old token and ends now: nothing to show, try again soon.
    expect(await tokenRefusals.record('first-token')).toBe(false);
    expect(await tokenRefusals.current()).toBeUndefined();
    expect(await tokenRefusals.record('second-token')).toBe(true);
    expect(await tokenRefusals.current()).toBeDefined();
    await tokenRefusals.restored();
    expect(await tokenRefusals.current()).toBeUndefined();
  });
});
