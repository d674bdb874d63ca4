import { afterEach, describe, expect, it } from 'vitest';
import { qrSvg } from '../../src/modules/invite-codes/qr.js';
import type { TestApp } from '../helpers/app.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const BASE_URL = 'https://invite.example.com';

describe('admin invite codes page', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  async function start(env: Record<string, string> = { BASE_URL }): Promise<AdminSession> {
    t = await createReadyApp(plex.sim, { env });
    return signIn(t.app);
  }

  /** Creates a code through the form and returns the page the redirect leads to. */
  async function create(session: AdminSession, form: Record<string, string | string[]>) {
    const response = await session.post('/admin/codes', form);
    expect(response.statusCode, response.body).toBe(303);
    const match = /^\/admin\/codes\?created=([\w-]+)$/.exec(String(response.headers.location));
    expect(match).not.toBeNull();
    const page = await session.get(response.headers.location as string);
    expect(page.statusCode).toBe(200);
    return { id: match![1]!, page };
  }

  it('creates a random code and shows it with its full link, a copy button and its QR code', async () => {
    const session = await start();
    const { id, page } = await create(session, { code: '', label: 'Family', maxUses: '3', expiresAt: '2026-12-01T18:30' });
    const code = await t!.deps.services.codes.getCode(id);
    expect(code).toMatchObject({ label: 'Family', maxUses: 3, expiresAt: '2026-12-01T18:30:00.000Z', libraries: null, createdBy: 'owner', state: 'active' });
    expect(code.code).toMatch(/^[A-HJKMNP-Z2-9]{8}$/);

    const link = `${BASE_URL}/join/${code.code}`;
    expect(page.body).toContain(`data-created-code="${code.code}"`);
    // Without JavaScript the link is selectable text; the copy button waits for copy-link.js.
    expect(page.body).toMatch(new RegExp(`<input[^>]*value="${link}" readonly`));
    expect(page.body).toMatch(new RegExp(`<button[^>]*data-copy="${link}" hidden>Copy link</button>`));
    expect(page.body).toContain('/static/js/copy-link.js');
    expect(page.body).toContain(`src="/admin/codes/${id}/qr.svg"`);
    expect(textOf(page.body)).toContain('3 uses · expires 2026-12-01 18:30 UTC');

    const qr = await session.get(`/admin/codes/${id}/qr.svg`);
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // The QR code encodes exactly the link (the same text gives the same symbol).
    expect(qr.body).toBe(await qrSvg(link));
    expect(qr.body).not.toBe(await qrSvg(`${BASE_URL}/join/OTHER123`));
  });

  it('derives the link from the request behind a trusted proxy when BASE_URL is not set', async () => {
    // Without TRUST_PROXY the Host header is not followed: see invite-links-host.test.ts.
    const session = await start({ TRUST_PROXY: '127.0.0.1' });
    const { id } = await create(session, { code: 'Movie-Night' });
    const detail = await session.get(`/admin/codes/${id}`, { headers: { host: 'helpr.lan:8080' } });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).toContain('value="http://helpr.lan:8080/join/Movie-Night"');
    expect(detail.body).toMatch(/<img[^>]*src="\/admin\/codes\/[\w-]+\/qr.svg" width="360"/);

    // A bare date (a browser without datetime-local) means the end of that day, UTC.
    const dated = await create(session, { expiresAt: '2026-12-01' });
    expect((await t!.deps.services.codes.getCode(dated.id)).expiresAt).toBe('2026-12-01T23:59:59.999Z');
  });

  it('creates a custom code with its own libraries and audits it without the code itself', async () => {
    const session = await start();
    const form = await session.get('/admin/codes');
    for (const [key, title] of [['1', 'Movies'], ['2', 'TV Shows'], ['3', 'Music']]) {
      expect(form.body).toMatch(new RegExp(`name="libraries" value="${key}" id="code-library-${key}">\\s*<label[^>]*>${title}</label>`));
    }
    const { id, page } = await create(session, { code: 'Movie-Night', label: 'Club', libraries: ['3', '1'] });
    expect(await t!.deps.services.codes.getCode(id)).toMatchObject({ code: 'Movie-Night', libraries: ['3', '1'], maxUses: null, expiresAt: null });
    expect(textOf(page.body)).toContain('Unlimited uses · never expires · Music, Movies');

    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 10, action: 'code.create' });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor: 'owner', actorType: 'admin', target: id, details: { label: 'Club', custom: true, libraries: ['3', '1'] } });
    expect(JSON.stringify(entries[0])).not.toMatch(/movie-night/i);
  });

  it('lists codes with uses, remaining (∞ for unlimited), expiry and state', async () => {
    await start();
    const codes = t!.deps.services.codes;
    await codes.createCode({ code: 'UNLIMITED', label: 'Open door' });
    t!.clock.advance(1000);
    const once = await codes.createCode({ code: 'ONCE-ONLY', maxUses: 1, expiresAt: '2026-11-25T12:00:00Z' });
    t!.clock.advance(1000);
    await codes.createCode({ code: 'SOON-GONE', expiresAt: '2026-11-24T13:00:00Z' });
    await t!.deps.services.invitations.submit({ email: 'friend@example.com', code: 'once-only', clientIp: '10.0.0.1', userAgent: undefined });
    t!.clock.advance(2 * 60 * 60_000);

    // Signed in again: two hours idle ended the first session.
    const page = await (await signIn(t!.app)).get('/admin/codes');
    expect(page.statusCode).toBe(200);
    const rows = [...page.body.matchAll(/<tr data-code-id="([^"]+)">([\s\S]*?)<\/tr>/g)].map((m) => ({ id: m[1], text: textOf(m[2]!).trim() }));
    expect(rows.map((row) => row.text)).toEqual([
      'SOON-GONE /join/SOON-GONE Expired 0 ∞ 2026-11-24 13:00 UTC Default As in Settings (forever) Also allowed: As in Settings (none) Copy link Link & QR',
      'ONCE-ONLY /join/ONCE-ONLY Used up 1 0 2026-11-25 12:00 UTC Default As in Settings (forever) Also allowed: As in Settings (none) Copy link Link & QR',
      'UNLIMITED Open door /join/UNLIMITED Active 0 ∞ Never Default As in Settings (forever) Also allowed: As in Settings (none) Copy link Link & QR Revoke… Yes, revoke UNLIMITED',
    ]);
    expect(rows[1]!.id).toBe(once.id);
    expect(page.body).toContain('<div class="table-responsive position-relative">');
  });

  it('names the libraries of each code by their titles, whatever case was stored, and keeps a library the server lacks as stored', async () => {
    const session = await start();
    // Codes made before a library was renamed or removed, or typed by title through the API.
    const code = await t!.deps.services.codes.createCode({ code: 'OLD-CODE', libraries: ['movies', 'TV SHOWS', '2', '9'] });
    const librariesCell = (html: string) => /<td data-label="Libraries">([^<]*)<\/td>/.exec(html)?.[1];
    expect(librariesCell((await session.get('/admin/codes')).body)).toBe('Movies, TV Shows, TV Shows, 9');
    const detail = await session.get(`/admin/codes/${code.id}`);
    expect(textOf(detail.body)).toContain('Libraries Movies, TV Shows, TV Shows, 9');
  });

  it('shows 50 codes a page, newest first, and the rest on the next page', async () => {
    const session = await start();
    for (let i = 1; i <= 51; i++) {
      await t!.deps.services.codes.createCode({ code: `CODE-${String(i).padStart(3, '0')}` });
      t!.clock.advance(1000);
    }
    const shown = (html: string) => [...html.matchAll(/<tr data-code-id="[^"]+">\s*<td data-label="Code">[^<]*<div[^>]*>\s*<a[^>]*>([^<]+)</g)].map((m) => m[1]);
    const first = shown((await session.get('/admin/codes')).body);
    expect(first).toHaveLength(50);
    expect(first[0]).toBe('CODE-051');
    expect(first[49]).toBe('CODE-002');
    expect(shown((await session.get('/admin/codes?page=2')).body)).toEqual(['CODE-001']);
  });

  it('titles the list and the page of each code, and marks Invite codes as the current section', async () => {
    const session = await start();
    const code = await t!.deps.services.codes.createCode({ code: 'TITLED' });
    const current = '<a class="nav-link active" href="/admin/codes" aria-current="page">Invite codes</a>';
    const list = await session.get('/admin/codes');
    expect(list.body).toContain('<title>Invite codes · Helpr admin</title>');
    expect(list.body).toContain(current);
    const detail = await session.get(`/admin/codes/${code.id}`);
    expect(detail.body).toContain('<title>Invite code TITLED · Helpr admin</title>');
    expect(detail.body).toContain(current);
    // The copy button is there without JavaScript (hidden); copy-link.js shows it and makes it work.
    expect(detail.body).toMatch(/<script src="\/static\/js\/copy-link\.js[^"]*" defer><\/script>/);
  });

  it('shows field errors beside the fields and keeps what was typed', async () => {
    const session = await start();
    const invalid = await session.post('/admin/codes', { code: 'ab', label: 'Typed label', maxUses: '7' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toMatch(/id="code"[^>]*value="ab" aria-invalid="true" aria-describedby="code-error">\s*<div class="invalid-feedback" id="code-error">Use 4 to 32 letters/);
    expect(invalid.body).toContain('value="Typed label"');
    expect(invalid.body).toContain('value="7"');

    await create(session, { code: 'MOVIE-NIGHT' });
    const duplicate = await session.post('/admin/codes', { code: 'movie-night', label: 'Second' });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.body).toMatch(/id="code-error">This code is already taken/);
    expect(duplicate.body).toContain('value="movie-night"');

    const cases: Array<[Record<string, string | string[]>, string, RegExp]> = [
      [{ maxUses: '0' }, 'maxUses', /Maximum uses must be a whole number/],
      [{ maxUses: '2.5' }, 'maxUses', /Maximum uses must be a whole number/],
      [{ expiresAt: '2026-11-24T11:59' }, 'expiresAt', /The expiry must be in the future/],
      [{ expiresAt: 'next tuesday' }, 'expiresAt', /Enter a valid expiry date and time/],
      [{ label: 'x'.repeat(101) }, 'label', /Keep the label to 100 characters/],
      [{ libraries: ['1', '9'] }, 'libraries', /The server has no library 9/],
    ];
    for (const [form, field, message] of cases) {
      const response = await session.post('/admin/codes', form);
      expect(response.statusCode, field).toBe(400);
      expect(response.body, field).toMatch(new RegExp(`id="${field}-error">${message.source}`));
    }
    expect(await t!.deps.services.codes.countCodes()).toBe(1);
  });

  it('shows the form without library choices when Plex cannot be reached', async () => {
    const session = await start();
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const page = await session.get('/admin/codes');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('name="libraries"');
    expect(page.body).toContain('id="libraries-note"');
    expect(textOf(page.body)).toContain('Helpr could not get the libraries from Plex. This token was revoked: sign in with Plex again.');
    const { id } = await create(session, { label: 'Still works' });
    expect(await t!.deps.services.codes.getCode(id)).toMatchObject({ label: 'Still works', libraries: null });
  });

  it('revokes a code: its state is revoked, the audit log says so and /join/CODE answers 410', async () => {
    const session = await start();
    const { id } = await create(session, { code: 'BYE-BYE' });
    expect((await t!.app.inject('/join/BYE-BYE')).statusCode).toBe(200);

    const revoke = await session.post(`/admin/codes/${id}/revoke`);
    expect(revoke.statusCode).toBe(303);
    expect(revoke.headers.location).toBe('/admin/codes');
    const list = await session.get('/admin/codes');
    expect(textOf(list.body)).toContain('Invite code BYE-BYE revoked: its link no longer works.');
    expect(list.body).toMatch(/<tr data-code-id="[^"]+">[\s\S]*?data-state="revoked">Revoked</);
    expect(list.body).not.toContain(`action="/admin/codes/${id}/revoke"`);
    expect(await t!.deps.services.codes.getCode(id)).toMatchObject({ state: 'revoked', revoked: true });

    const join = await t!.app.inject('/join/BYE-BYE');
    expect(join.statusCode).toBe(410);
    expect(textOf(join.body)).toContain('This invite code has been withdrawn');

    // Revoking again changes nothing and is not audited twice.
    expect((await session.post(`/admin/codes/${id}/revoke`)).statusCode).toBe(303);
    const { entries } = await t!.deps.services.audit.list({ page: 1, perPage: 10, action: 'code.revoke' });
    expect(entries).toEqual([expect.objectContaining({ actor: 'owner', target: id, ip: '127.0.0.1' })]);
    expect((await session.post('/admin/codes/no-such-code/revoke')).statusCode).toBe(404);
    expect((await session.get('/admin/codes/no-such-code')).statusCode).toBe(404);
  });

  it('refuses POSTs without a CSRF token', async () => {
    const session = await start();
    const headers = { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const code = await t!.deps.services.codes.createCode({ code: 'KEEP-ME' });
    const posts = [
      { url: '/admin/codes', payload: 'label=nope' },
      { url: `/admin/codes/${code.id}/revoke`, payload: '' },
    ];
    for (const { url, payload } of posts) {
      const response = await t!.app.inject({ method: 'POST', url, headers, payload });
      expect(response.statusCode, url).toBe(403);
    }
    expect(await t!.deps.services.codes.countCodes()).toBe(1);
    expect((await t!.deps.services.codes.getCode(code.id)).state).toBe('active');
  });
});
