import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { postForm, startedFrom, startPlexJoin } from '../helpers/join-with-plex.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const EXPIRED = 'The Plex sign-in timed out. Press Continue with Plex to try again.';
const CANCELLED = 'You closed the Plex window before signing in. Press Continue with Plex to try again.';

describe('Continue with Plex: start, poll, cancel, return (against the simulator)', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const ready = async (options: Parameters<typeof createReadyApp>[1] = {}) => (t = await createReadyApp(plex.sim, { env: { BASE_URL: 'https://invite.example.com' }, ...options }));
  const status = (id: string) => t!.app.inject({ url: `/join-with-plex/${id}/status`, headers: { accept: 'application/json' } });
  const pinPosts = () => plex.sim.control.requestLog({ method: 'POST' }).filter((entry) => entry.path.startsWith('/api/v2/pins'));
  const pinChecks = () => plex.sim.control.requestLog({ method: 'GET' }).filter((entry) => /^\/api\/v2\/pins\/\d+/.test(entry.path));

  it('without JavaScript: 303 to app.plex.tv with the PIN and forwardUrl back to the public address', async () => {
    await ready();
    const response = await startPlexJoin(t!.app);
    const { id, pinCode, location } = startedFrom(response);
    expect(location.startsWith('https://app.plex.tv/auth#?')).toBe(true);
    expect(location).toContain('clientID=');
    expect(location).toContain(`forwardUrl=${encodeURIComponent(`https://invite.example.com/join-with-plex/${id}/return`)}`);
    expect(pinPosts()).toHaveLength(1);
    expect(pinPosts()[0]!.query).toMatchObject({ strong: 'true' });
    expect(pinPosts()[0]!.headers['x-plex-product']).toBeTruthy();
    expect(pinCode.length).toBeGreaterThan(8);
  });

  it('with JavaScript: JSON with the popup address and where to poll; the friend approves; done, twice the same', async () => {
    await ready();
    const response = await startPlexJoin(t!.app, {}, { json: true });
    expect(response.statusCode).toBe(201);
    const started = response.json() as { id: string; authUrl: string; statusUrl: string; cancelUrl: string; returnUrl: string };
    expect(started.authUrl).not.toContain('forwardUrl');
    expect(started).toMatchObject({ statusUrl: `/join-with-plex/${started.id}/status`, cancelUrl: `/join-with-plex/${started.id}/cancel`, returnUrl: `/join-with-plex/${started.id}/return` });

    const waiting = await status(started.id);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.headers['cache-control']).toBe('no-store');
    expect(waiting.json()).toEqual({ state: 'waiting' });
    // Polls within the second ask plex.tv nothing more.
    await status(started.id);
    expect(pinChecks()).toHaveLength(1);

    plex.sim.control.approvePin({ code: /[?&]code=([^&]+)/.exec(started.authUrl)![1] }, 'friend');
    t!.clock.advance(1000);
    const done = await status(started.id);
    expect(done.json()).toMatchObject({ state: 'done' });
    const redirect = (done.json() as { redirect: string }).redirect;
    expect(redirect).toMatch(/^\/requests\/[A-Za-z0-9_-]{22}$/);
    t!.clock.advance(5000);
    expect((await status(started.id)).json()).toEqual({ state: 'done', redirect });
    expect(pinChecks()).toHaveLength(2);

    const [row] = await t!.deps.database.db.selectFrom('invitations').selectAll().execute();
    expect(row).toMatchObject({ joined_with: 'plex', plex_account_id: '22526914', identifier: 'friend', friend_email: 'friend@example.com' });
    expect(`/requests/${row!.id}`).toBe(redirect);
    const page = await t!.app.inject(redirect);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toMatch(/You're in|Setting up your access/);
  });

  it('the no-JS return page: waits with Check again, then sends the friend on to the request once Plex said yes', async () => {
    await ready();
    const { id, pinCode } = startedFrom(await startPlexJoin(t!.app));
    const waiting = await t!.app.inject(`/join-with-plex/${id}/return`);
    expect(waiting.statusCode).toBe(200);
    expect(waiting.body).toContain(`data-status-url="/join-with-plex/${id}/status"`);
    expect(textOf(waiting.body)).toContain('Check again');
    expect(waiting.body).toContain('/static/js/join-with-plex.js');
    plex.sim.control.approvePin({ code: pinCode }, 'friend');
    t!.clock.advance(1000);
    const back = await t!.app.inject(`/join-with-plex/${id}/return`);
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toMatch(/^\/requests\/[A-Za-z0-9_-]{22}$/);
  });

  it('cancel: the closed popup gets its message; the return page offers Continue with Plex again with the same code', async () => {
    await ready({ joinMode: 'code' });
    const code = await t!.deps.services.codes.createCode({});
    const { id } = startedFrom(await startPlexJoin(t!.app, { code: code.code }));
    const cancelled = await postForm(t!.app, `/join-with-plex/${id}/cancel`, {}, { json: true });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toEqual({ state: 'cancelled', message: CANCELLED });
    expect((await status(id)).json()).toEqual({ state: 'cancelled', message: CANCELLED });

    const noScript = await postForm(t!.app, `/join-with-plex/${id}/cancel`);
    expect(noScript.statusCode).toBe(303);
    expect(noScript.headers.location).toBe(`/join-with-plex/${id}/return`);
    const page = await t!.app.inject(`/join-with-plex/${id}/return`);
    expect(textOf(page.body)).toContain(CANCELLED);
    expect(page.body).toContain('action="/join-with-plex"');
    expect(page.body).toContain(`name="code" value="${code.code}"`);
    expect(String(page.headers['content-security-policy'])).toContain("form-action 'self' https://app.plex.tv");
    // Needs the CSRF token like every other public POST.
    expect((await t!.app.inject({ method: 'POST', url: `/join-with-plex/${id}/cancel` })).statusCode).toBe(403);
  });

  it('expires after 15 minutes, and an unknown sign-in is 404 with the words to start again', async () => {
    await ready();
    const { id } = startedFrom(await startPlexJoin(t!.app));
    t!.clock.advance(15 * 60_000);
    expect((await status(id)).json()).toEqual({ state: 'expired', message: EXPIRED });
    const page = await t!.app.inject(`/join-with-plex/${id}/return`);
    expect(textOf(page.body)).toContain(EXPIRED);

    const unknown = await status('AAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ state: 'expired' });
    const unknownPage = await t!.app.inject('/join-with-plex/AAAAAAAAAAAAAAAAAAAAAA/return');
    expect(unknownPage.statusCode).toBe(404);
    expect(textOf(unknownPage.body)).toContain('Start again');
    expectNoInternals(unknownPage.body);
    expect((await postForm(t!.app, '/join-with-plex/AAAAAAAAAAAAAAAAAAAAAA/cancel', {}, { json: true })).statusCode).toBe(404);
  });

  it('a PIN plex.tv no longer knows is expired too', async () => {
    await ready();
    const { id } = startedFrom(await startPlexJoin(t!.app));
    plex.sim.control.addFault({ kind: 'status', method: 'GET', path: '/api/v2/pins/', status: 404, contentType: 'application/json', body: '{"errors":[{"code":1020,"message":"Code not found or expired"}]}' });
    expect((await status(id)).json()).toEqual({ state: 'expired', message: EXPIRED });
  });
});
