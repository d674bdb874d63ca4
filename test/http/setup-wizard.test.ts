import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../tools/plex-sim/clock.js';
import { encodeForm } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';

const PASSWORD = 'a long enough password';

/** A visitor with a cookie jar that sends the CSRF token of the last page it saw. */
function visitor(app: FastifyInstance) {
  const jar = new Map<string, string>();
  let csrf = '';
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const remember = (response: LightMyRequestResponse) => {
    for (const c of response.cookies) {
      if (c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    csrf = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1] ?? csrf;
    return response;
  };
  return {
    get: async (url: string) => remember(await app.inject({ url, headers: { cookie: cookie() } })),
    post: async (url: string, form: Record<string, string | string[]> = {}, withCsrf = true) =>
      remember(
        await app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: encodeForm(withCsrf ? { _csrf: csrf, ...form } : form),
        }),
      ),
  };
}
type Visitor = ReturnType<typeof visitor>;

describe('first-run setup', () => {
  const simClock = manualClock('2026-11-24T12:00:00Z');
  const plex = useSimulator({ clock: simClock });
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function freshApp(env: Record<string, string> = {}): Promise<TestApp> {
    t = await createTestApp({ PLEX_TV_URL: plex.sim.plexTvUrl, PLEX_CLIENTS_URL: plex.sim.clientsPlexTvUrl, ...env });
    return t;
  }

  async function createAdmin(app: FastifyInstance): Promise<Visitor> {
    const browser = visitor(app);
    expect((await browser.get('/setup')).statusCode).toBe(200);
    const created = await browser.post('/setup', { username: 'owner', password: PASSWORD, repeat: PASSWORD });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/admin/setup/plex');
    return browser;
  }

  it('goes from no admin to an open public page: admin, Sign in with Plex, server, libraries, finish', async () => {
    const { app, deps } = await freshApp();
    expect((await app.inject({ url: '/' })).body).toContain('Helpr is not set up yet');
    expect((await app.inject({ url: '/admin/login' })).headers.location).toBe('/setup');

    const browser = visitor(app);
    const form = await browser.get('/setup');
    expect(form.body).toContain('Step 1 of 5');
    const short = await browser.post('/setup', { username: 'owner', password: 'short', repeat: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('Use at least 12 characters.');
    expect(short.body).toContain('value="owner"');
    expect(short.body).not.toContain('value="short"');
    const differ = await browser.post('/setup', { username: 'owner', password: PASSWORD, repeat: `${PASSWORD}!` });
    expect(differ.statusCode).toBe(400);
    expect(differ.body).toContain('The two passwords differ.');
    const badName = await browser.post('/setup', { username: 'a b', password: PASSWORD, repeat: PASSWORD });
    expect(badName.statusCode).toBe(400);
    expect(badName.body).toContain('Use 3 to 64 letters');
    expect(await deps.services.admins.hasAdmin()).toBe(false);

    const created = await browser.post('/setup', { username: 'owner', password: PASSWORD, repeat: PASSWORD });
    expect(created.headers.location).toBe('/admin/setup/plex');

    const plexStep = await browser.get('/admin/setup/plex');
    expect(plexStep.statusCode).toBe(200);
    expect(plexStep.body).toContain('Step 2 of 5');
    const started = await browser.post('/admin/setup/plex/pin');
    expect(started.headers.location).toBe('/admin/setup/plex/wait');
    const [pin] = plex.sim.control.state().pins;
    expect(pin).toBeDefined();
    expect(pin!.clientIdentifier).toBe(await deps.services.plexConnection.clientIdentifier());

    const waiting = await browser.get('/admin/setup/plex/wait');
    const link = /<a [^>]*id="plex-auth-link"[^>]*>/.exec(waiting.body)?.[0] ?? '';
    expect(link).toContain('target="_blank"');
    expect(link).toContain('rel="noopener"');
    expect(link).toContain(`code=${pin!.code}`);
    expect(link).toContain('https://app.plex.tv/auth#?');
    expect(waiting.body).toContain('/static/js/plex-signin.js');
    expect((await browser.get('/admin/plex/pin')).json()).toEqual({ state: 'waiting' });
    const notYet = await browser.post('/admin/setup/plex/wait');
    expect(notYet.statusCode).toBe(200);
    expect(notYet.body).toContain('Plex has not confirmed the sign-in yet');

    plex.sim.control.approvePin({ id: pin!.id });
    // The script and the no-JS button at once: both go on, and Helpr signs in once.
    const [polled, pressed] = await Promise.all([browser.get('/admin/plex/pin'), browser.post('/admin/setup/plex/wait')]);
    expect(polled.json()).toEqual({ state: 'done', next: '/admin/setup/server' });
    expect(pressed.headers.location).toBe('/admin/setup/server');
    expect((await deps.services.plexConnection.state()).tokenSource).toBe('settings');
    const audit = await deps.services.audit.list({ page: 1, perPage: 50 });
    expect(audit.entries.filter((e) => e.action === 'plex.connect')).toHaveLength(1);
    expect(audit.entries.find((e) => e.action === 'plex.connect')).toMatchObject({ actor: 'owner', target: 'owner', details: { method: 'pin' } });
    // The PIN is used up: polling again says so instead of signing in twice.
    expect((await browser.get('/admin/plex/pin')).json().state).toBe('expired');

    const serverStep = await browser.get('/admin/setup/server');
    expect(serverStep.body).toContain('Step 3 of 5');
    expect(serverStep.body).toContain('Signed in to Plex as owner.');
    expect(serverStep.body).toContain('Home PMS');
    expect(serverStep.body).toMatch(/Reachable at <span class="text-break">http:\/\/127\.0\.0\.1:\d+<\/span> \(local, \d+ ms\)/);
    const wrong = await browser.post('/admin/setup/server', { server: 'not-a-server' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('Choose one of the servers listed.');
    const chosen = await browser.post('/admin/setup/server', { server: plex.sim.machineIdentifier });
    expect(chosen.headers.location).toBe('/admin/setup/libraries');
    expect((await deps.services.plexConnection.state()).serverId).toBe(plex.sim.machineIdentifier);

    const libraries = await browser.get('/admin/setup/libraries');
    expect(libraries.body).toContain('Step 4 of 5');
    for (const title of ['Movies', 'TV Shows', 'Music']) expect(libraries.body).toContain(title);
    expect((await browser.post('/admin/setup/libraries', { selected: ['1', '2'] })).headers.location).toBe('/admin/setup/done');
    const done = await browser.get('/admin/setup/done');
    expect(done.body).toContain('Movies, TV Shows');
    // The last page is a numbered step named for what it asks; it shows no link, so it says what friends' links will use.
    expect(done.body).toContain('Step 5 of 5: Who may join, and where friends go');
    expect(done.body).toMatch(/<h1[^>]*>Who may join, and where friends go<\/h1>/);
    expect(done.body).not.toContain('Ready to go');
    expect(done.body).toContain("Friends' invite links will use <span class=\"font-monospace\">");
    expect(done.body).not.toContain('This link uses');

    // The last page asks how friends get in, the suggested answer (invite codes) chosen.
    expect(done.body).toMatch(/<input[^>]*id="joinMode-code"[^>]*checked/);
    const unanswered = await browser.post('/admin/setup/done');
    expect(unanswered.statusCode).toBe(400);
    expect(unanswered.body).toContain('Choose how friends get in.');
    const finished = await browser.post('/admin/setup/done', { joinMode: 'code' });
    expect(finished.headers.location).toBe('/admin');
    expect((await deps.services.settings.get()).joinMode).toBe('code');
    const actions = (await deps.services.audit.list({ page: 1, perPage: 50 })).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['setup.complete', 'libraries.update', 'plex.connect']));

    const publicPage = await app.inject({ url: '/' });
    expect(publicPage.body).not.toContain('Helpr is not set up yet');
    expect(publicPage.body).toContain('name="email"');
    // Closed now: back to the admin area, signed in or not.
    expect((await browser.get('/setup')).headers.location).toBe('/admin');
    expect((await app.inject({ url: '/setup' })).headers.location).toBe('/admin/login');
  });

  it('skips the steps the environment already configures', async () => {
    const { app } = await freshApp({ PLEX_TOKEN: plex.sim.ownerToken, PLEX_SERVER_ID: plex.sim.machineIdentifier, PLEX_LIBRARIES: '1' });
    const browser = await createAdmin(app);
    expect((await browser.get('/admin/setup/plex')).headers.location).toBe('/admin/setup/server');
    expect((await browser.get('/admin/setup/server')).headers.location).toBe('/admin/setup/libraries');
    expect((await browser.get('/admin/setup')).headers.location).toBe('/admin/setup/libraries');
    const libraries = await browser.get('/admin/setup/libraries');
    expect(libraries.statusCode).toBe(200);
    expect(libraries.body).toContain('<code>PLEX_LIBRARIES</code> in the environment sets this choice again at every start.');
  });

  it('takes a pasted token instead, refusing a wrong one and one without a server, never echoing it', async () => {
    const { app, deps } = await freshApp();
    const browser = await createAdmin(app);
    await browser.get('/admin/setup/plex');
    const wrong = await browser.post('/admin/setup/plex/token', { token: 'wrong-token-123' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(/id="token-error">Plex does not accept this token/);
    expect(wrong.body).not.toContain('wrong-token-123');
    expect(wrong.body).toContain('<details class="mt-4" open>');
    const friend = await browser.post('/admin/setup/plex/token', { token: 'friend-token' });
    expect(friend.statusCode).toBe(400);
    expect(friend.body).toContain('This account owns no Plex Media Server.');
    const spaced = await browser.post('/admin/setup/plex/token', { token: 'two words' });
    expect(spaced.statusCode).toBe(400);
    expect((await deps.services.plexConnection.state()).tokenSource).toBe('none');

    const good = await browser.post('/admin/setup/plex/token', { token: ` ${plex.sim.ownerToken} ` });
    expect(good.headers.location).toBe('/admin/setup/server');
    expect((await deps.services.plexConnection.state()).token).toBe(plex.sim.ownerToken);
    const audit = await deps.services.audit.list({ page: 1, perPage: 50 });
    expect(audit.entries.find((e) => e.action === 'plex.connect')?.details).toEqual({ method: 'token' });
    expect(JSON.stringify(audit.entries)).not.toContain(plex.sim.ownerToken);
  });

  it('says when the sign-in code expired, and when the account owns no server', async () => {
    const { app } = await freshApp();
    const browser = await createAdmin(app);
    await browser.get('/admin/setup/plex');
    await browser.post('/admin/setup/plex/pin');
    simClock.advance(16 * 60_000);
    const expired = await browser.post('/admin/setup/plex/wait');
    expect(expired.statusCode).toBe(410);
    expect(expired.body).toContain('The sign-in code expired, start again.');
    expect((await browser.get('/admin/setup/plex/wait')).headers.location).toBe('/admin/setup/plex');

    await browser.post('/admin/setup/plex/pin');
    const pin = plex.sim.control.state().pins.find((p) => p.live)!;
    plex.sim.control.approvePin({ id: pin.id }, 'friend');
    const answer = (await browser.get('/admin/plex/pin')).json();
    expect(answer.state).toBe('error');
    expect(answer.message).toMatch(/The Plex account friend owns no Plex Media Server/);
  });

  it('is closed once an admin exists: never a second admin, not even from two forms at once', async () => {
    const { app, deps } = await freshApp();
    const first = visitor(app);
    const second = visitor(app);
    await first.get('/setup');
    await second.get('/setup');
    const answers = await Promise.all([
      first.post('/setup', { username: 'first', password: PASSWORD, repeat: PASSWORD }),
      second.post('/setup', { username: 'second', password: PASSWORD, repeat: PASSWORD }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([303, 303]);
    expect(answers.map((a) => a.headers.location).sort()).toEqual(['/admin/login', '/admin/setup/plex']);
    expect(await deps.repositories.admins.count()).toBe(1);

    const late = visitor(app);
    expect((await late.get('/setup')).headers.location).toBe('/admin/login');
    await late.get('/admin/login'); // a page with a form, for a valid CSRF token
    const post = await late.post('/setup', { username: 'third', password: PASSWORD, repeat: PASSWORD });
    expect(post.headers.location).toBe('/admin/login');
    expect(await deps.repositories.admins.count()).toBe(1);
  });

  it('refuses every wizard form without its CSRF token', async () => {
    const { app } = await freshApp();
    const anonymous = visitor(app);
    await anonymous.get('/setup');
    expect((await anonymous.post('/setup', { username: 'owner', password: PASSWORD, repeat: PASSWORD }, false)).statusCode).toBe(403);
    const browser = await createAdmin(app);
    await browser.get('/admin/setup/plex');
    for (const url of ['/admin/setup/plex/pin', '/admin/setup/plex/token', '/admin/setup/plex/wait', '/admin/setup/server', '/admin/setup/libraries', '/admin/setup/done']) {
      expect((await browser.post(url, {}, false)).statusCode, url).toBe(403);
    }
  });
});
