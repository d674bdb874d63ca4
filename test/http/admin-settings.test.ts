import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, signedInTestApp, signIn, type AdminSession } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(body)?.[1];
const inputTag = (body: string, id: string) => new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(body)?.[0] ?? '';

describe('admin settings: site, invites and limits', () => {
  let t: TestApp;
  let session: AdminSession;
  beforeAll(async () => ({ t, session } = await signedInTestApp()));
  afterAll(() => t.close());

  // Audit entries sort by time: each change happens a second after the one before.
  const post = (url: string, form: Record<string, string>) => {
    t.clock.advance(1000);
    return session.post(url, form);
  };
  const settingsAudits = async () => (await t.deps.services.audit.list({ page: 1, perPage: 50, action: 'settings' })).entries;

  it('shows every section with the current values and the Plex state', async () => {
    const page = await session.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    for (const id of ['site', 'invites', 'limits', 'plex', 'password', 'api-keys']) expect(page.body).toContain(`id="${id}"`);
    expect(inputTag(page.body, 'siteTitle')).toContain('value="Plex invites"');
    expect(inputTag(page.body, 'invitesPerWindow')).toContain('value="5"');
    // Nothing stored: anyone with the address, as Helpr did before join modes.
    expect(inputTag(page.body, 'joinMode-open')).toContain('checked');
    expect(inputTag(page.body, 'joinMode-code')).not.toContain('checked');
    expect(page.body).toContain('Not connected.');
    expect(page.body).toContain('href="/admin/plex/connect"');
    expect(page.body).toContain('href="/admin/plex/server"');
    expect(page.body).toMatch(/<a class="nav-link active" href="\/admin\/settings"/);
  });

  it('saves the site section, says so once, and audits the field names without values', async () => {
    const saved = await post('/admin/settings/site', { siteTitle: '  Movie night  ', welcomeMessage: 'Hello <friends>!' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings#site');
    expect(await t.deps.services.settings.get()).toMatchObject({ siteTitle: 'Movie night', welcomeMessage: 'Hello <friends>!' });

    const page = await session.get('/admin/settings');
    expect(page.body).toContain('role="status" id="site-saved">Site saved.</div>');
    expect(page.body).toContain('Hello &lt;friends&gt;!</textarea>');
    expect((await session.get('/admin/settings')).body).not.toContain('Site saved.');

    const [entry] = await settingsAudits();
    expect(entry).toMatchObject({ action: 'settings.update', actor: 'owner', actorType: 'admin', target: 'site', details: { fields: ['siteTitle', 'welcomeMessage'] } });
    expect(JSON.stringify(entry)).not.toContain('Movie night');
  });

  it('refuses a bad site form with messages beside the fields, keeping what was typed', async () => {
    const long = 'x'.repeat(1001);
    const refused = await post('/admin/settings/site', { siteTitle: '   ', welcomeMessage: long });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'siteTitle')).toBe('Enter a title of 1 to 100 characters.');
    expect(fieldError(refused.body, 'welcomeMessage')).toBe('Keep the message to 1000 characters or fewer.');
    expect(refused.body).toContain(`${long}</textarea>`);
    expect(refused.body).toContain('Nothing was saved: check the fields marked below.');
    expect((await t.deps.services.settings.get()).siteTitle).toBe('Movie night');
    expect((await post('/admin/settings/site', { siteTitle: 'y'.repeat(101), welcomeMessage: '' })).statusCode).toBe(400);
  });

  it('saves the invite options: who may join, ticked boxes on, unticked boxes off', async () => {
    const saved = await post('/admin/settings/invites', { joinMode: 'code', allowSync: 'on', allowChannels: 'on', duplicateWindowMinutes: '30' });
    expect(saved.statusCode).toBe(303);
    let settings = await t.deps.services.settings.get();
    expect(settings.joinMode).toBe('code');
    expect(settings.sharing).toEqual({ allowSync: true, allowCameraUpload: false, allowChannels: true });
    expect(settings.limits.duplicateWindowMinutes).toBe(30);
    expect(settings.limits.invitesPerWindow).toBe(5);

    await post('/admin/settings/invites', { joinMode: 'open', allowCameraUpload: 'on', duplicateWindowMinutes: '0' });
    settings = await t.deps.services.settings.get();
    expect(settings.joinMode).toBe('open');
    expect(settings.sharing).toEqual({ allowSync: false, allowCameraUpload: true, allowChannels: false });
    expect(settings.limits.duplicateWindowMinutes).toBe(0);
    const [entry] = await settingsAudits();
    expect(entry!.details).toEqual({ fields: ['joinMode', 'sharing.allowSync', 'sharing.allowCameraUpload', 'sharing.allowChannels', 'limits.duplicateWindowMinutes'], to: { joinMode: 'open' } });
  });

  it('refuses a duplicate window outside 0 to 1440 and keeps the choices', async () => {
    const refused = await post('/admin/settings/invites', { joinMode: 'approval', duplicateWindowMinutes: '1441' });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'duplicateWindowMinutes')).toBe('Enter a whole number from 0 to 1440.');
    expect(inputTag(refused.body, 'duplicateWindowMinutes')).toContain('value="1441"');
    expect(inputTag(refused.body, 'joinMode-approval')).toContain('checked');
    expect((await t.deps.services.settings.get()).joinMode).toBe('open');
  });

  it('saves the limits, and refuses numbers that are not whole or out of range', async () => {
    const limits = { invitesPerWindow: '20', inviteWindowMinutes: '60', wrongCodesPerWindow: '3', wrongCodeWindowMinutes: '1440' };
    expect((await post('/admin/settings/limits', limits)).statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).limits).toEqual({
      invitesPerWindow: 20, inviteWindowMinutes: 60, wrongCodesPerWindow: 3, wrongCodeWindowMinutes: 1440, duplicateWindowMinutes: 0,
    });
    const refused = await post('/admin/settings/limits', { invitesPerWindow: '0', inviteWindowMinutes: '2.5', wrongCodesPerWindow: '1001', wrongCodeWindowMinutes: '' });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'invitesPerWindow')).toBe('Enter a whole number from 1 to 1000.');
    expect(fieldError(refused.body, 'inviteWindowMinutes')).toBe('Enter a whole number from 1 to 10080.');
    expect(fieldError(refused.body, 'wrongCodesPerWindow')).toBe('Enter a whole number from 1 to 1000.');
    expect(fieldError(refused.body, 'wrongCodeWindowMinutes')).toBe('Enter a whole number from 1 to 10080.');
    expect(inputTag(refused.body, 'inviteWindowMinutes')).toContain('value="2.5"');
    expect((await t.deps.services.settings.get()).limits.invitesPerWindow).toBe(20);
  });

  it('says "Nothing changed in Site." and audits nothing when the form is sent unchanged', async () => {
    const before = (await settingsAudits()).length;
    const settings = await t.deps.services.settings.get();
    await post('/admin/settings/site', { siteTitle: settings.siteTitle, welcomeMessage: settings.welcomeMessage });
    expect((await session.get('/admin/settings')).body).toContain('Nothing changed in Site.');
    expect(await settingsAudits()).toHaveLength(before);
  });

  it('refuses every settings form without a CSRF token', async () => {
    const { key } = await t.deps.services.apiKeys.create({ name: 'csrf target', createdBy: null });
    const [keyView] = await t.deps.services.apiKeys.list();
    expect(key).toBeTruthy();
    const urls = ['site', 'invites', 'limits', 'password', 'api-keys', `api-keys/${keyView!.id}/revoke`].map((path) => `/admin/settings/${path}`);
    for (const url of urls) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'siteTitle=Hacked&name=evil&current=x&next=y&repeat=y',
      });
      expect(response.statusCode, url).toBe(403);
    }
    expect((await t.deps.services.settings.get()).siteTitle).toBe('Movie night');
    expect((await t.deps.services.apiKeys.list()).map((k) => k.revokedAt)).toEqual([null]);
  });
});

describe('admin settings decided by the environment', () => {
  let t: TestApp;
  let session: AdminSession;
  beforeAll(async () => {
    t = await createTestApp({
      INVITE_RATE_LIMIT: '7/45m',
      PLEX_TOKEN: 'env-plex-token-never-shown',
      PLEX_SERVER_ID: 'machine-from-env',
      PLEX_LIBRARIES: '1,TV Shows',
    });
    await t.deps.services.admins.createAdmin({ username: 'owner', password: ADMIN_PASSWORD });
    session = await signIn(t.app);
  });
  afterAll(() => t.close());

  it('shows those values as set by the environment, with disabled inputs, and never the token', async () => {
    const page = await session.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    for (const id of ['invitesPerWindow', 'inviteWindowMinutes']) {
      expect(inputTag(page.body, id)).toContain(' disabled');
      expect(page.body).toMatch(new RegExp(`id="${id}-help"><span[^>]*>Environment</span>Set by <code>INVITE_RATE_LIMIT</code> in the environment`));
    }
    expect(inputTag(page.body, 'invitesPerWindow')).toContain('value="7"');
    expect(inputTag(page.body, 'inviteWindowMinutes')).toContain('value="45"');
    expect(inputTag(page.body, 'wrongCodesPerWindow')).not.toContain('disabled');
    expect(page.body).toContain('Token set by <code>PLEX_TOKEN</code> in the environment.');
    expect(page.body).toContain('machine-from-env');
    expect(page.body).toContain('Set by <code>PLEX_SERVER_ID</code> in the environment.');
    expect(page.body).toContain('<code>PLEX_LIBRARIES</code> sets the libraries');
    expect(page.body).not.toContain('env-plex-token-never-shown');
    // Signing in again or choosing a server here would change nothing while the environment decides.
    expect(page.body).not.toContain('href="/admin/plex/connect"');
    expect(page.body).not.toContain('href="/admin/plex/server"');
  });

  it('saves the other limits and never stores the environment values', async () => {
    const saved = await session.post('/admin/settings/limits', { wrongCodesPerWindow: '4', wrongCodeWindowMinutes: '30', invitesPerWindow: '999' });
    expect(saved.statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).limits).toMatchObject({ invitesPerWindow: 7, inviteWindowMinutes: 45, wrongCodesPerWindow: 4, wrongCodeWindowMinutes: 30 });
    const stored = await t.deps.repositories.settings.get<Record<string, number>>('limits');
    expect(stored).toMatchObject({ invitesPerWindow: 5, inviteWindowMinutes: 15, wrongCodesPerWindow: 4 });
    const [entry] = (await t.deps.services.audit.list({ page: 1, perPage: 5, action: 'settings' })).entries;
    expect(entry!.details).toEqual({ fields: ['limits.wrongCodesPerWindow', 'limits.wrongCodeWindowMinutes'] });
  });
});
