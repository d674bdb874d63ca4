import { afterEach, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { apiAuth, createTestApp, csrfFrom, type TestApp } from '../helpers/app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Issue 19 point 14: the small things an owner and a friend read, page by page. */

/** The words a page shows: no <head> (its <title>), no tags, entities as characters, spaces squeezed; a block ends a line. */
function visibleText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/, '')
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<\/(?:div|p|li|td|th|dd|dt|h[1-6]|summary|label|option|button|a)>|<br>/g, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n');
}

/** Sentences with two colons ("Fix: This token was revoked: sign in again.") or a "::". */
function doubleColons(html: string): string[] {
  return visibleText(html)
    .split(/\n|(?<=[.!?])\s+/)
    .filter((sentence) => sentence.includes('::') || (sentence.match(/: /g) ?? []).length > 1);
}

describe('polish the owner and friends read (issue 19 point 14)', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function ready(): Promise<{ t: TestApp; session: AdminSession }> {
    t = await createReadyApp(plex.sim);
    return { t, session: await signIn(t.app) };
  }

  it('names the site once on the public page, and the header link still has a name', async () => {
    const { t } = await ready();
    await t.deps.services.settings.update({ siteTitle: 'Movie night' });
    const page = await t.app.inject('/');
    expect(visibleText(page.body).match(/Movie night/g)).toHaveLength(1);
    expect(page.body).toContain('<h1 class="h3 mb-3">Movie night</h1>');
    expect(page.body).toContain('<span class="visually-hidden">Start page</span>');
    // Other public pages keep the site title in the header: there it is said once.
    const sent = invitationRow();
    await insertMany(t.deps.database.db, [sent]);
    expect(visibleText((await t.app.inject(`/requests/${sent.id}`)).body).match(/Movie night/g)).toHaveLength(1);
  });

  it('explains a failure in sentences, without numbering them as next steps', async () => {
    const { t } = await ready();
    const failed = invitationRow({ identifier: 'nobody-here', status: 'failed', error_kind: 'rejected', last_error: 'Plex refused sending the invite (400: No such user)' });
    const sent = invitationRow({ identifier: 'friend@example.com' });
    await insertMany(t.deps.database.db, [failed, sent]);

    const page = await t.app.inject(`/requests/${failed.id}`);
    expect(page.body).not.toContain('<ol');
    expect(page.body).not.toContain('What happens next');
    expect(page.body).toMatch(/<div class="mt-4 request-explanation">\s*<p class="mb-2">[^<]+<\/p>/);
    // A request that goes on still lists what happens next, in order.
    const next = await t.app.inject(`/requests/${sent.id}`);
    expect(next.body).toContain('What happens next');
    expect(next.body).toContain('<ol');
  });

  it('writes no sentence with two colons: the connection test hint, the dashboard, settings, the lists', async () => {
    const { t, session } = await ready();
    await insertMany(t.deps.database.db, [
      invitationRow({ identifier: 'nobody-here', status: 'failed', error_kind: 'rejected', last_error: 'Plex refused sending the invite (400: No such user)' }),
    ]);
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    await session.post('/admin/plex/test');
    const plexPage = await session.get('/admin/plex');
    expect(plexPage.body).toContain('→ This token was revoked: sign in with Plex again.');
    const pages = ['/admin/plex', '/admin', '/admin/settings', '/admin/invitations', '/admin/codes', '/admin/libraries', '/admin/audit', '/admin/invitations?from=2026-11-20&to=2026-11-10'];
    for (const url of pages) {
      const page = await session.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(doubleColons(page.body), url).toEqual([]);
    }
  });

  it('says "You are signed out." after signing out, and only then', async () => {
    const { t, session } = await ready();
    const out = await session.post('/admin/logout');
    expect(out.headers.location).toBe('/admin/login?signedOut=1');
    const page = await t.app.inject(out.headers.location as string);
    expect(page.body).toContain('<div class="alert alert-success" role="status">You are signed out.</div>');
    expect((await t.app.inject('/admin/login')).body).not.toContain('signed out');
  });

  it("links to Plex's help on finding a token where the token is pasted", async () => {
    t = await createTestApp();
    await t.deps.services.admins.createAdmin({ username: 'owner', password: 'a long enough password' });
    const session = await signIn(t.app);
    for (const url of ['/admin/setup/plex', '/admin/plex/connect']) {
      const page = await session.get(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.body).toContain('href="https://support.plex.tv/articles/204059436-finding-an-authentication-token-x-plex-token/"');
    }
  });

  it('offers a Copy button for a new API key (shown by copy-link.js; the key stays selectable without it)', async () => {
    const { session } = await ready();
    const created = await session.post('/admin/settings/api-keys', { name: 'Home Assistant' });
    expect(created.statusCode).toBe(200);
    const key = /id="new-api-key"[^>]*>([^<]+)<\/textarea>/.exec(created.body)?.[1];
    expect(key).toMatch(/^\S{20,}$/);
    expect(created.body).toContain(`data-copy="${key}"`);
    expect(created.body).toMatch(/<button class="btn btn-outline-primary mb-3" type="button" data-copy="[^"]+" data-copy-failed="Select the key and copy it" hidden>Copy key<\/button>/);
    expect(created.body).toMatch(/<script src="\/static\/js\/copy-link\.js\?v=\w+" defer><\/script>/);
  });

  it('says so when the invitations filter ends before it starts; the API answers 400', async () => {
    const { t, session } = await ready();
    const early = invitationRow({ created_at: '2026-11-05T10:00:00.000Z' });
    const late = invitationRow({ created_at: '2026-11-21T10:00:00.000Z' });
    await insertMany(t.deps.database.db, [early, late]);
    const page = await session.get('/admin/invitations?from=2026-11-20&to=2026-11-10');
    expect(page.statusCode).toBe(200);
    expect(visibleText(page.body)).toContain('To: This date is before the From date. This date was left out of the filter.');
    // Filtered from the From date on: the later request only.
    expect(page.body).toContain(`data-id="${late.id}"`);
    expect(page.body).not.toContain(`data-id="${early.id}"`);

    const api = await t.app.inject({ url: '/api/v1/invitations?from=2026-11-20&to=2026-11-10', headers: await apiAuth(t) });
    expect(api.statusCode).toBe(400);
    expect(api.json().error).toMatchObject({ code: 'invitations.reversed_dates', fields: { to: 'This date is before the From date.' } });
  });

  it('records the creation of the admin account in the audit log, with who and from where', async () => {
    t = await createTestApp();
    const { cookie, token } = await csrfFrom(t.app, '/setup');
    const created = await t.app.inject({
      method: 'POST',
      url: '/setup',
      remoteAddress: '203.0.113.9',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: token, username: 'owner', password: 'a long enough password', repeat: 'a long enough password' }).toString(),
    });
    expect(created.statusCode).toBe(303);
    const { entries } = await t.deps.services.audit.list({ page: 1, perPage: 10 });
    expect(entries.find((entry) => entry.action === 'setup.admin')).toMatchObject({ actor: 'owner', actorType: 'admin', target: 'owner', ip: '203.0.113.9' });
    const session = await signIn(t.app);
    expect(visibleText((await session.get('/admin/audit')).body)).toContain('Created the admin account');
  });

  it('shows "Limits saved." inside the Limits section, not at the top of the page', async () => {
    const { session } = await ready();
    await session.post('/admin/settings/limits', { invitesPerWindow: '7', inviteWindowMinutes: '60', wrongCodesPerWindow: '10', wrongCodeWindowMinutes: '60' });
    const page = await session.get('/admin/settings');
    const limits = /<section class="card mb-4" id="limits"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? '';
    expect(limits).toContain('<div class="alert alert-success py-2" role="status" id="limits-saved">Limits saved.</div>');
    expect(page.body.match(/Limits saved\./g)).toHaveLength(1);
  });
});
