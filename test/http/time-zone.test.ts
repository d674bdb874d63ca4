import { afterEach, describe, expect, it } from 'vitest';
import { encodeForm, signedInTestApp, type AdminSession } from '../helpers/admin-session.js';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app.js';
import { invitationRow } from '../helpers/invitation-rows.js';
import { textOf } from '../helpers/public-requests.js';

// The test clock: 2026-11-24 12:00 UTC is 13:00 in Berlin (CET) and 07:00 in New York (EST).
const NOW = '2026-11-24T12:00:00.000Z';
const DAY_MS = 86_400_000;
const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(body)?.[1];

describe('the owner\'s time zone', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function owner(timeZone?: string): Promise<AdminSession> {
    const started = await signedInTestApp();
    t = started.t;
    if (timeZone) await t.deps.services.settings.update({ timeZone });
    return started.session;
  }

  /** Creates a code through the admin form; returns the stored code. */
  async function createCode(session: AdminSession, form: Record<string, string>) {
    const response = await session.post('/admin/codes', form);
    expect(response.statusCode, response.body.slice(0, 2000)).toBe(303);
    const id = /created=([\w-]+)/.exec(String(response.headers.location))![1]!;
    return { code: await t!.deps.services.codes.getCode(id), page: await session.get(String(response.headers.location)) };
  }

  it('reads a typed expiry in the owner\'s zone, across a clock change, and shows it back in that zone', async () => {
    const session = await owner('Europe/Berlin');
    // 02:30 does not exist in Berlin that night (02:00 -> 03:00): it is read as 03:30 CEST, 01:30 UTC.
    const skipped = await createCode(session, { code: 'SPRING', expiresIn: 'date', expiresAt: '2027-03-28T02:30' });
    expect(skipped.code.expiresAt).toBe('2027-03-28T01:30:00.000Z');
    expect(textOf(skipped.page.body)).toContain('expires 2027-03-28 03:30 CEST');
    expect((await createCode(session, { code: 'BEFORE-JUMP', expiresIn: 'date', expiresAt: '2027-03-28T01:30' })).code.expiresAt).toBe('2027-03-28T00:30:00.000Z');
    expect((await createCode(session, { code: 'SUMMER', expiresAt: '2027-07-01T18:00' })).code.expiresAt).toBe('2027-07-01T16:00:00.000Z');
    // A bare date is the end of that day, Berlin time.
    expect((await createCode(session, { code: 'WHOLE-DAY', expiresAt: '2026-12-01' })).code.expiresAt).toBe('2026-12-01T22:59:59.999Z');

    const list = await session.get('/admin/codes');
    const row = (code: string) => textOf(new RegExp(`<tr data-code-id="[^"]+">((?:(?!</tr>)[\\s\\S])*?${code}[\\s\\S]*?)</tr>`).exec(list.body)![1]!);
    expect(row('SPRING')).toContain('2027-03-28 03:30 CEST');
    expect(row('SUMMER')).toContain('2027-07-01 18:00 CEST');
    expect(list.body).toContain('The date is read as Europe/Berlin time.');
    expect(list.body).not.toContain('id="time-zone-prompt"');

    const detail = textOf((await session.get(`/admin/codes/${skipped.code.id}`)).body);
    expect(detail).toContain('Expires 2027-03-28 03:30 CEST');
    expect(detail).toContain('Created 2026-11-24 13:00 CET by owner');
  });

  it('reads a New York expiry across its spring-forward night', async () => {
    const session = await owner('America/New_York');
    const { code, page } = await createCode(session, { expiresIn: 'date', expiresAt: '2027-03-14T02:30' });
    expect(code.expiresAt).toBe('2027-03-14T07:30:00.000Z');
    expect(textOf(page.body)).toContain('expires 2027-03-14 03:30 EDT');
  });

  it('stores the presets as now plus whole days, and never as no expiry', async () => {
    const session = await owner('Europe/Berlin');
    for (const [choice, days] of [['1', 1], ['7', 7], ['30', 30]] as const) {
      const { code } = await createCode(session, { expiresIn: choice, expiresAt: '' });
      expect(code.expiresAt, choice).toBe(new Date(Date.parse(NOW) + days * DAY_MS).toISOString());
    }
    expect((await createCode(session, { expiresIn: 'never', expiresAt: '' })).code.expiresAt).toBeNull();
    // The form offers the choices, "Never" ticked.
    const form = (await session.get('/admin/codes')).body;
    for (const value of ['never', '1', '7', '30', 'date']) expect(form).toMatch(new RegExp(`name="expiresIn" id="expiresIn-${value}" value="${value}"`));
    expect(form).toMatch(/id="expiresIn-never" value="never" checked/);
  });

  it('explains an expiry it cannot read, keeping what was typed', async () => {
    const session = await owner('Europe/Berlin');
    const both = await session.post('/admin/codes', { expiresIn: '7', expiresAt: '2027-01-01T10:00' });
    expect(both.statusCode).toBe(400);
    expect(fieldError(both.body, 'expiresAt')).toBe('You chose 7 days and also typed a date: choose “On a date” to use the date, or clear it.');
    expect(both.body).toMatch(/id="expiresIn-7" value="7" checked/);
    expect(both.body).toContain('value="2027-01-01T10:00"');

    const missing = await session.post('/admin/codes', { expiresIn: 'date', expiresAt: '' });
    expect(fieldError(missing.body, 'expiresAt')).toBe('Type the date and time the code stops working, or choose another option.');
    const impossible = await session.post('/admin/codes', { expiresIn: 'date', expiresAt: '2027-02-30T10:00' });
    expect(impossible.statusCode).toBe(400);
    expect(fieldError(impossible.body, 'expiresAt')).toMatch(/^Enter a valid expiry date and time/);
    const unknown = await session.post('/admin/codes', { expiresIn: 'fortnight' });
    expect(fieldError(unknown.body, 'expiresIn')).toBe('Choose when the code expires.');
    expect(await t!.deps.services.codes.countCodes()).toBe(0);
  });

  it('shows times in UTC, saying so, until a zone is chosen in Settings; then in that zone everywhere', async () => {
    const session = await owner();
    await t!.deps.repositories.invitations.insert(invitationRow({ identifier: 'late@example.com', created_at: '2026-11-23T23:30:00.000Z' }));
    const utcCodes = (await session.get('/admin/codes')).body;
    expect(utcCodes).toContain('The date is read as UTC');
    expect(utcCodes).toContain('href="/admin/settings#time"');
    expect((await session.get('/admin')).body).toContain('id="time-zone-prompt"');
    expect(textOf((await session.get('/admin/invitations')).body)).toContain('2026-11-23 23:30 UTC');

    const settings = await session.get('/admin/settings');
    expect(settings.body).toContain('id="time"');
    expect(settings.body).toContain('Not chosen yet: times are shown in UTC');
    // Nothing stored: the browser's zone is filled in by time-zone.js.
    expect(settings.body).toMatch(/<select[^>]*name="timeZone"[^>]*data-browser-time-zone/);
    expect(settings.body).toContain('/static/js/time-zone.js');

    const refused = await session.post('/admin/settings/time', { timeZone: 'Mars/Olympus_Mons' });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'timeZone')).toBe('Choose a time zone from the list.');
    expect((await t!.deps.services.settings.get()).timeZone).toBeNull();

    const saved = await session.post('/admin/settings/time', { timeZone: 'europe/berlin' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings#time');
    expect((await t!.deps.services.settings.get()).timeZone).toBe('Europe/Berlin');
    const after = await session.get('/admin/settings');
    expect(after.body).toContain('<option value="Europe/Berlin" selected>Europe/Berlin</option>');
    expect(after.body).not.toMatch(/<select[^>]*data-browser-time-zone/);
    const [entry] = (await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'settings' })).entries;
    expect(entry).toMatchObject({ target: 'time', details: { fields: ['timeZone'] } });

    const dashboard = await session.get('/admin');
    expect(dashboard.body).not.toContain('id="time-zone-prompt"');
    expect(dashboard.body).toContain('<time class="small text-body-secondary" datetime="2026-11-23T23:30:00.000Z">2026-11-24 00:30 CET</time>');
    await t!.deps.services.apiKeys.create({ name: 'robot', createdBy: null });
    expect((await session.get('/admin/settings')).body).toContain('created <time datetime="2026-11-24T12:00:00.000Z">2026-11-24 13:00 CET</time>');
    const invitations = textOf((await session.get('/admin/invitations')).body);
    expect(invitations).toContain('2026-11-24 00:30 CET');
    expect(invitations).toContain('Dates and times are Europe/Berlin time.');
    const audit = textOf((await session.get('/admin/audit')).body);
    expect(audit).toMatch(/2026-11-24 13:00:\d\d CET/);
    expect(audit).toContain('times in Europe/Berlin time.');
  });

  it('filters invitations by the owner\'s days; the API keeps UTC days', async () => {
    const session = await owner('Europe/Berlin');
    // 00:30 on the 24th in Berlin, still the 23rd in UTC.
    await t!.deps.repositories.invitations.insert(invitationRow({ identifier: 'late@example.com', created_at: '2026-11-23T23:30:00.000Z' }));
    await t!.deps.repositories.invitations.insert(invitationRow({ identifier: 'early@example.com', created_at: '2026-11-23T22:30:00.000Z' }));
    const page = textOf((await session.get('/admin/invitations?from=2026-11-24&to=2026-11-24')).body);
    expect(page).toContain('late@example.com');
    expect(page).not.toContain('early@example.com');

    const csv = (await session.get('/admin/invitations.csv?from=2026-11-24&to=2026-11-24')).body.split('\r\n');
    const cellsOf = (line: string) => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]);
    const header = cellsOf(csv[0]!);
    expect(csv).toHaveLength(3);
    const cell = (name: string) => cellsOf(csv[1]!)[header.indexOf(name)];
    expect(cell('created_at')).toBe('2026-11-23T23:30:00.000Z');
    expect(cell('created_local')).toBe('2026-11-24 00:30:00');
    expect(cell('time_zone')).toBe('Europe/Berlin');

    const { key } = await t!.deps.services.apiKeys.create({ name: 'robot', createdBy: null });
    const api = await t!.app.inject({ url: '/api/v1/invitations?from=2026-11-24&to=2026-11-24', headers: { authorization: `Bearer ${key}` } });
    expect(api.statusCode).toBe(200);
    expect(JSON.stringify(api.json())).not.toContain('late@example.com');
  });

  it('setup asks for the time zone with the account and stores it; a wrong one creates nothing', async () => {
    t = await createTestApp();
    const page = await t.app.inject({ url: '/setup' });
    expect(page.body).toMatch(/<select[^>]*name="timeZone"[^>]*data-browser-time-zone/);
    expect(page.body).toContain('/static/js/time-zone.js');
    const send = async (timeZone: string) => {
      const { cookie, token } = await csrfFrom(t!.app, '/setup');
      return t!.app.inject({
        method: 'POST',
        url: '/setup',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm({ _csrf: token, username: 'owner', password: 'a long enough password', repeat: 'a long enough password', timeZone }),
      });
    };
    const wrong = await send('Nowhere/Special');
    expect(wrong.statusCode).toBe(400);
    expect(fieldError(wrong.body, 'timeZone')).toBe('Choose a time zone from the list.');
    expect(await t.deps.services.admins.hasAdmin()).toBe(false);

    expect((await send('America/New_York')).statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).timeZone).toBe('America/New_York');
  });
});

