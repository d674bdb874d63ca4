import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharedLibraryIds, sharePosts, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// The simulator's libraries: local key -> plex.tv global section id.
const MOVIES = 35723967;
const TV_SHOWS = 35723968;
const MUSIC = 35723970;

describe('admin libraries page', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(options: { env?: Record<string, string>; plexPageWaitMs?: number } = {}): Promise<AdminSession> {
    t = await createReadyApp(plex.sim, { env: options.env, plexPageWaitMs: options.plexPageWaitMs });
    return signIn(t.app);
  }

  /** [key, title, type, checked] per row of the libraries table. */
  const rowsOf = (html: string) =>
    [...html.matchAll(/<tr>\s*<td><input[^>]*name="selected" value="([^"]+)"[^>]*?( checked)?><\/td>\s*<td><label[^>]*>([^<]+)<\/label><\/td>\s*<td>([^<]+)<\/td>/g)].map(
      (m) => [m[1], m[3], m[4], Boolean(m[2])],
    );

  it("lists the server's libraries with title, type and key, the selected ones ticked", async () => {
    const session = await start();
    const page = await session.get('/admin/libraries');
    expect(page.statusCode).toBe(200);
    expect(rowsOf(page.body)).toEqual([
      ['1', 'Movies', 'Movies', true],
      ['2', 'TV Shows', 'TV shows', true],
      ['3', 'Music', 'Music', false],
    ]);
    expect(page.body).toContain('aria-current="page">Libraries<');
    expect(page.body).not.toContain('data-missing-libraries');
  });

  it('saves the selection, audits it, and the next invite carries exactly those libraries', async () => {
    const session = await start();
    const save = await session.post('/admin/libraries', { selected: ['3', '1'] });
    expect(save.statusCode).toBe(303);
    expect(save.headers.location).toBe('/admin/libraries');
    const page = await session.get('/admin/libraries');
    expect(page.body).toMatch(/role="status">Libraries for new friends saved\.</);
    expect(rowsOf(page.body).map((row) => row[3])).toEqual([true, false, true]);
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['3', '1']);
    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'libraries.update' });
    expect(entries).toEqual([expect.objectContaining({ actor: 'owner', details: { selected: ['3', '1'] } })]);

    plex.sim.control.clearLog();
    expect((await submitRequest(t!.app, { email: 'friend@example.com' })).statusCode).toBe(303);
    const posts = sharePosts(plex.sim);
    expect(posts).toHaveLength(1);
    expect(sharedLibraryIds(posts[0]!)?.slice().sort()).toEqual([MOVIES, MUSIC].sort());
  });

  it('saves an empty selection and warns that requests wait', async () => {
    const session = await start();
    expect((await session.post('/admin/libraries', {})).statusCode).toBe(303);
    expect((await t!.deps.services.settings.get()).libraries).toEqual([]);
    const page = await session.get('/admin/libraries');
    expect(textOf(page.body)).toContain('No library is selected: requests wait until you choose at least one.');
  });

  it('refuses an unknown key beside the list and keeps the selection', async () => {
    const session = await start();
    const response = await session.post('/admin/libraries', { selected: ['1', '42'] });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/id="selected-error">Unknown library key: 42</);
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });

  it('flags a selected library that was removed from the server after a refresh', async () => {
    const session = await start();
    expect(rowsOf((await session.get('/admin/libraries')).body)).toHaveLength(3);
    plex.sim.control.removeLibrary(TV_SHOWS);

    const refresh = await session.post('/admin/libraries/refresh');
    expect(refresh.statusCode).toBe(303);
    const page = await session.get('/admin/libraries');
    expect(textOf(page.body)).toContain('Refreshed from Plex: 2 libraries.');
    expect(rowsOf(page.body).map((row) => row[0])).toEqual(['1', '3']);
    const warning = /<div class="alert alert-warning" role="alert" data-missing-libraries>([\s\S]*?)<\/div>/.exec(page.body)?.[1];
    expect(textOf(warning ?? '')).toMatch(/Selected, but no longer on the server library 2 Invites wait/);
    // The selection is not silently changed.
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });

  it('does not keep the admin waiting on a slow Plex: the saved selection at once, the list once Plex answers', async () => {
    const session = await start({ plexPageWaitMs: 200 });
    plex.sim.control.addLatency({ path: `/api/servers/${plex.sim.machineIdentifier}`, ms: 2500, times: 1 });
    const started = performance.now();
    const page = await session.get('/admin/libraries');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Plex has not answered within 200 ms. It is still being asked: try again in a moment.');
    expect([...page.body.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1])).toEqual(['library 1', 'library 2']);
    // The read went on and filled the cache: the next page has the list without asking Plex again.
    await new Promise((resolve) => setTimeout(resolve, 2600));
    const requests = plex.sim.control.requestLog({ path: `/api/servers/${plex.sim.machineIdentifier}` }).length;
    expect(rowsOf((await session.get('/admin/libraries')).body)).toHaveLength(3);
    expect(plex.sim.control.requestLog({ path: `/api/servers/${plex.sim.machineIdentifier}` })).toHaveLength(requests);
  });

  it('says clearly when Plex cannot be reached and still shows the saved selection', async () => {
    const session = await start();
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const page = await session.get('/admin/libraries');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-plex-unavailable');
    expect(textOf(page.body)).toContain('Plex cannot be reached Helpr could not get the libraries from Plex. This token was revoked: sign in with Plex again.');
    expect([...page.body.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => m[1])).toEqual(['library 1', 'library 2']);
    expect(page.body).not.toContain('name="selected"');

    const refresh = await session.post('/admin/libraries/refresh');
    expect(refresh.statusCode).toBe(303);
    expect(textOf((await session.get('/admin/libraries')).body)).toContain('Plex could not be reached; nothing was refreshed.');

    const save = await session.post('/admin/libraries', { selected: ['3'] });
    expect(save.statusCode).toBe(303);
    expect(textOf((await session.get('/admin/libraries')).body)).toContain('Not saved: Helpr could not check the libraries with Plex.');
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });

  it('says when PLEX_LIBRARIES decides the selection at every start', async () => {
    const session = await start({ env: { PLEX_LIBRARIES: 'Movies' } });
    expect(textOf((await session.get('/admin/libraries')).body)).toContain('PLEX_LIBRARIES is set ( Movies ): Helpr applies it again at every start');
  });

  it('refuses POSTs without a CSRF token', async () => {
    const session = await start();
    const headers = { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' };
    for (const url of ['/admin/libraries', '/admin/libraries/refresh']) {
      const response = await t!.app.inject({ method: 'POST', url, headers, payload: 'selected=3' });
      expect(response.statusCode, url).toBe(403);
    }
    expect((await t!.deps.services.settings.get()).libraries).toEqual(['1', '2']);
  });
});
