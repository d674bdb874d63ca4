import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, csrfFrom, type TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, invitationRows, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** The opening tag of the input with this name, or undefined. */
const inputTag = (html: string, name: string): string | undefined =>
  new RegExp(`<input\\b[^>]*\\bname="${name}"[^>]*>`).exec(html)?.[0];

/** The element holding the field's error, or undefined. */
const fieldError = (html: string, field: string): string | undefined =>
  new RegExp(`<div class="invalid-feedback" id="${field}-error">([^<]*)</div>`).exec(html)?.[1];

describe('the request form before setup', () => {
  it('says Helpr is not set up and offers no form', async () => {
    const t = await createTestApp();
    try {
      const response = await t.app.inject('/');
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Helpr is not set up yet');
      expect(inputTag(response.body, 'email')).toBeUndefined();
      expect(response.body).not.toContain('<form');
    } finally {
      await t.close();
    }
  });
});

describe('the request form', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('shows the title, the welcome message and one labelled field for the Plex account', async () => {
    t = await createReadyApp(plex.sim);
    const response = await t.app.inject('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<title>Plex invites · Helpr</title>');
    expect(response.body).toMatch(/<h1[^>]*>Plex invites<\/h1>/);
    expect(response.body).toContain('Ask for access here and our libraries show up in your Plex apps.');
    expect(response.body).toContain('<label class="form-label fw-semibold" for="email">Plex email or username</label>');
    const email = inputTag(response.body, 'email')!;
    expect(email).toContain('id="email"');
    expect(email).toContain('inputmode="email"');
    expect(email).toContain('autocomplete="email"');
    expect(email).toContain('autocapitalize="none"');
    expect(email).not.toContain('is-invalid');
    expect(inputTag(response.body, '_csrf')).toMatch(/type="hidden" name="_csrf" value="[^"]{20,}"/);
    expect(response.cookies.some((cookie) => cookie.name === 'helpr_csrf')).toBe(true);
    expect(inputTag(response.body, 'code')).toBeUndefined();
    expect(response.body).not.toContain('Invite code');
  });

  it("shows the owner's own title and welcome message, escaped", async () => {
    t = await createReadyApp(plex.sim);
    await t.deps.services.settings.update({ siteTitle: 'Movie <night>', welcomeMessage: 'Hi & welcome, "friends"' });
    const response = await t.app.inject('/');
    expect(response.body).toContain('Movie &lt;night&gt;');
    expect(response.body).toContain('Hi &amp; welcome, &quot;friends&quot;');
    expect(response.body).not.toContain('Movie <night>');
  });

  it('shows the invite code field when codes are required', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true });
    const response = await t.app.inject('/');
    expect(response.body).toContain('<label class="form-label fw-semibold" for="code">Invite code</label>');
    expect(inputTag(response.body, 'code')).toContain('value=""');
  });

  it('refuses a POST without a valid CSRF token: 403, no invitation, no Plex request', async () => {
    t = await createReadyApp(plex.sim);
    const { cookie, token } = await csrfFrom(t.app);
    const form = 'content-type';
    const attempts = [
      { headers: { [form]: 'application/x-www-form-urlencoded' }, payload: 'email=friend%40example.com' },
      { headers: { [form]: 'application/x-www-form-urlencoded', cookie }, payload: 'email=friend%40example.com&_csrf=forged' },
      { headers: { [form]: 'application/x-www-form-urlencoded' }, payload: `email=friend%40example.com&_csrf=${encodeURIComponent(token)}` },
      { headers: { [form]: 'application/x-www-form-urlencoded', cookie }, payload: 'email=friend%40example.com' },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject({ method: 'POST', url: '/', ...attempt });
      expect(response.statusCode).toBe(403);
      expect(response.headers['content-type']).toContain('text/html');
      expect(textOf(response.body)).toContain('This form has expired or was sent from another site');
      expectNoInternals(response.body);
    }
    expect(await invitationRows(t.deps)).toEqual([]);
    expect(plex.sim.control.requestLog()).toEqual([]);
  });

  const badInputs = [
    { name: 'an empty field', email: '', message: 'Type the email address or the username of your Plex account.' },
    { name: 'only spaces', email: '   ', message: 'Type the email address or the username of your Plex account.' },
    { name: 'a broken email', email: 'not an email@', message: 'This does not look like an email address. Check it for typos.' },
    { name: 'an email over 254 characters', email: `${'a'.repeat(250)}@example.com`, message: 'This email address is too long (254 characters at most).' },
    { name: 'a username with a space', email: 'a b', message: 'A Plex username has 2 to 64 letters, digits, dots, dashes or underscores. Or type your email address.' },
  ];
  for (const input of badInputs) {
    it(`answers ${input.name} with 400 and the message beside the field, keeping what was typed`, async () => {
      t = await createReadyApp(plex.sim);
      const response = await submitRequest(t.app, { email: input.email });
      expect(response.statusCode).toBe(400);
      const email = inputTag(response.body, 'email')!;
      expect(email).toContain('is-invalid');
      expect(email).toContain('aria-invalid="true"');
      expect(email).toContain('aria-describedby="email-error"');
      expect(email).toContain(`value="${input.email}"`);
      expect(fieldError(response.body, 'email')).toBe(input.message);
      // The form is ready to send again.
      expect(inputTag(response.body, '_csrf')).toBeDefined();
      expect(await invitationRows(t.deps)).toEqual([]);
      expect(plex.sim.control.requestLog()).toEqual([]);
    });
  }

  it('keeps typed markup as text in the re-rendered field', async () => {
    t = await createReadyApp(plex.sim);
    const response = await submitRequest(t.app, { email: '"><script>alert(1)</script>' });
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('<script>alert(1)');
    expect(inputTag(response.body, 'email')).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('treats odd shapes of input as a mistake to correct, never as a server error', async () => {
    t = await createReadyApp(plex.sim);
    const { cookie, token } = await csrfFrom(t.app);
    const repeated = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `_csrf=${encodeURIComponent(token)}&email=friend%40example.com&email=bob%40example.com`,
    });
    expect(repeated.statusCode).toBe(400);
    expect(fieldError(repeated.body, 'email')).toBeDefined();
    const json = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: { cookie, 'x-csrf-token': token },
      payload: { email: { $ne: '' }, code: ['a', 'b'] },
    });
    expect(json.statusCode).toBe(400);
    expectNoInternals(json.body);
    expect(await invitationRows(t.deps)).toEqual([]);
  });

  it('refuses an oversized body with 413 and records nothing', async () => {
    t = await createReadyApp(plex.sim);
    const { cookie, token } = await csrfFrom(t.app);
    const payload = new URLSearchParams({ _csrf: token, email: 'friend@example.com', padding: 'x'.repeat(20_000) }).toString();
    const response = await t.app.inject({ method: 'POST', url: '/', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload });
    expect(response.statusCode).toBe(413);
    expect(textOf(response.body)).toContain('What you sent is too large.');
    expectNoInternals(response.body);
    expect(await invitationRows(t.deps)).toEqual([]);
    expect(plex.sim.control.requestLog()).toEqual([]);
  });

  it('answers an unknown request page with 404 and a page that says so', async () => {
    t = await createReadyApp(plex.sim);
    for (const url of ['/requests/unknown-id', '/requests/AAAAAAAAAAAAAAAAAAAAAA', '/requests/%3Cscript%3E']) {
      const response = await t.app.inject(url);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('text/html');
      expect(textOf(response.body)).toContain('There is no request at this address. Check the link, or ask again.');
      expectNoInternals(response.body);
    }
  });
});

describe('invite links (/join/CODE)', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const codeProblem = async (app: TestApp['app'], code: string, status: number, message: string) => {
    const response = await app.inject(`/join/${code}`);
    expect(response.statusCode).toBe(status);
    expect(response.body).toContain('This invite link does not work');
    expect(textOf(response.body)).toContain(message);
    expect(inputTag(response.body, 'email')).toBeUndefined();
    expectNoInternals(response.body);
  };

  it('shows the form with the code filled in', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true });
    const code = await t.deps.services.codes.createCode({ code: 'FAMILY-2026' });
    const response = await t.app.inject(`/join/${code.code}`);
    expect(response.statusCode).toBe(200);
    expect(inputTag(response.body, 'code')).toContain('value="FAMILY-2026"');
    expect(inputTag(response.body, 'email')).toContain('value=""');
    // Codes are not case-sensitive: a link typed in lower case works too.
    expect(inputTag((await t.app.inject('/join/family-2026')).body, 'code')).toContain('value="FAMILY-2026"');
  });

  it('shows the code even when codes are optional, so the link gives its libraries', async () => {
    t = await createReadyApp(plex.sim);
    const code = await t.deps.services.codes.createCode({});
    const response = await t.app.inject(`/join/${code.code}`);
    expect(inputTag(response.body, 'code')).toContain(`value="${code.code}"`);
  });

  it('answers an unknown code with 404 "does not exist"', async () => {
    t = await createReadyApp(plex.sim);
    await codeProblem(t.app, 'NO-SUCH-CODE', 404, 'This invite code does not exist.');
    // Longer than any code Helpr makes: unknown without a lookup.
    await codeProblem(t.app, 'x'.repeat(80), 404, 'This invite code does not exist.');
  });

  it('answers an expired code with 410', async () => {
    t = await createReadyApp(plex.sim);
    const code = await t.deps.services.codes.createCode({ expiresAt: new Date(t.clock.now().getTime() + 60 * 60_000) });
    expect((await t.app.inject(`/join/${code.code}`)).statusCode).toBe(200);
    t.clock.advance(61 * 60_000);
    await codeProblem(t.app, code.code, 410, 'This invite code expired on 2026-11-24 at 13:00 UTC. Ask for a new one.');
  });

  it('answers a used-up code with 410', async () => {
    t = await createReadyApp(plex.sim);
    const code = await t.deps.services.codes.createCode({ maxUses: 1 });
    requestSent(await submitRequest(t.app, { email: 'friend@example.com', code: code.code }));
    await codeProblem(t.app, code.code, 410, 'This invite code has already been used. Ask for a new one.');
  });

  it('answers a withdrawn code with 410', async () => {
    t = await createReadyApp(plex.sim);
    const code = await t.deps.services.codes.createCode({});
    await t.deps.services.codes.revokeCode(code.id);
    await codeProblem(t.app, code.code, 410, 'This invite code has been withdrawn. Ask for a new one.');
  });
});

function requestSent(response: { statusCode: number; body: string }): void {
  expect(response.statusCode, response.body).toBe(303);
}
