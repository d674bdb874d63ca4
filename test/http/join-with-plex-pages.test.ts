import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { invitationRow } from '../helpers/invitation-rows.js';
import { postForm, startedFrom, startPlexJoin } from '../helpers/join-with-plex.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, requestIdOf, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error"[^>]*>([^<]+)<`).exec(body)?.[1];
const RULES_MESSAGE = 'Tick the box to accept the house rules: the owner asks everyone who joins.';

describe('Continue with Plex on the public page, its refusals, and the email form beside it', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const ready = async (options: Parameters<typeof createReadyApp>[1] = {}) => (t = await createReadyApp(plex.sim, options));
  const pinPosts = () => plex.sim.control.requestLog({ method: 'POST' }).filter((entry) => entry.path.startsWith('/api/v2/pins'));

  it('shows Continue with Plex above the email form, as real forms that work without JavaScript, under a strict CSP', async () => {
    await ready();
    const page = await t!.app.inject('/');
    expect(page.statusCode).toBe(200);
    const plexForm = page.body.indexOf('action="/join-with-plex"');
    const emailForm = page.body.indexOf('action="/"');
    expect(plexForm).toBeGreaterThan(0);
    expect(plexForm).toBeLessThan(emailForm);
    expect(page.body).toMatch(/<form method="post" action="\/join-with-plex"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">/);
    expect(page.body).toContain('>Continue with Plex</button>');
    expect(page.body).toContain('/static/js/join-with-plex.js');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self' https://app.plex.tv");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['cross-origin-opener-policy']).toBe('same-origin-allow-popups');
  });

  it('offers only the ways the owner chose, and refuses a way that is off', async () => {
    await ready();
    await t!.deps.services.settings.update({ joinWays: 'email' });
    const emailOnly = await t!.app.inject('/');
    expect(emailOnly.body).not.toContain('action="/join-with-plex"');
    expect(emailOnly.body).toContain('action="/"');
    expect(String(emailOnly.headers['content-security-policy'])).toContain("form-action 'self';");
    const refused = await startPlexJoin(t!.app);
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('Continue with Plex is not offered here');
    expect((await startPlexJoin(t!.app, {}, { json: true })).json()).toMatchObject({ error: { code: 'join.way_off' } });
    expect(pinPosts()).toHaveLength(0);

    await t!.deps.services.settings.update({ joinWays: 'plex' });
    const plexOnly = await t!.app.inject('/');
    expect(plexOnly.body).toContain('action="/join-with-plex"');
    expect(plexOnly.body).not.toContain('name="email"');
    const emailRefused = await submitRequest(t!.app, { email: 'friend@example.com' });
    expect(emailRefused.statusCode).toBe(400);
    expect(textOf(emailRefused.body)).toContain('This server takes requests only through Continue with Plex');
    expect(await t!.deps.database.db.selectFrom('invitations').selectAll().execute()).toEqual([]);
  });

  it('carries the code of /join/CODE, requires one in code mode, and refuses a wrong one beside the field', async () => {
    await ready({ joinMode: 'code' });
    const code = await t!.deps.services.codes.createCode({});
    const link = await t!.app.inject(`/join/${code.code}`);
    expect(link.body).toMatch(new RegExp(`action="/join-with-plex"[\\s\\S]*<input type="hidden" name="code" value="${code.code}">[\\s\\S]*Continue with Plex`));
    startedFrom(await startPlexJoin(t!.app, { code: code.code }, { from: `/join/${code.code}` }));

    const missing = await startPlexJoin(t!.app);
    expect(missing.statusCode).toBe(400);
    expect(fieldError(missing.body, 'plex-code')).toBe('Type your invite code.');
    const missingJson = await startPlexJoin(t!.app, {}, { json: true });
    expect(missingJson.statusCode).toBe(400);
    expect(missingJson.json()).toEqual({ error: { code: 'invite.code_required', message: 'An invite code is needed. Ask the server owner for one.', fields: { code: 'Type your invite code.' } } });

    const wrong = await startPlexJoin(t!.app, { code: 'NOT-A-CODE' });
    expect(wrong.statusCode).toBe(404);
    expect(fieldError(wrong.body, 'plex-code')).toBe('This invite code does not exist. Check it for typos, or ask for a new one.');
    expect(wrong.body).toContain('value="NOT-A-CODE"');
    expectNoInternals(wrong.body);
    expect(pinPosts()).toHaveLength(1);
  });

  it('refuses a join without the house rules on either way, and records the acceptance with the request', async () => {
    await ready({ env: { INVITE_RATE_LIMIT: '100/15m' } });
    await t!.deps.services.settings.update({ rulesRequired: true, rules: '- **No spoilers**\n\n<script>alert(1)</script>' });
    const page = await t!.app.inject('/');
    expect(page.body).toContain('<strong>No spoilers</strong>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).toContain('id="plex-rules" name="rulesAccepted" required');
    expect(page.body).toContain('id="rulesAccepted" name="rulesAccepted" required');

    const plexRefused = await startPlexJoin(t!.app);
    expect(plexRefused.statusCode).toBe(400);
    expect(fieldError(plexRefused.body, 'plex-rules')).toBe(RULES_MESSAGE);
    expect((await startPlexJoin(t!.app, {}, { json: true })).json()).toMatchObject({ error: { code: 'join.rules_not_accepted', fields: { rulesAccepted: RULES_MESSAGE } } });
    expect(pinPosts()).toHaveLength(0);
    const { id } = startedFrom(await startPlexJoin(t!.app, { rulesAccepted: 'on' }));
    expect((await t!.deps.database.db.selectFrom('plex_join_pins').select('rules_accepted').where('id', '=', id).executeTakeFirstOrThrow()).rules_accepted).toBe(1);

    const emailRefused = await postForm(t!.app, '/', { email: 'friend@example.com' });
    expect(emailRefused.statusCode).toBe(400);
    expect(fieldError(emailRefused.body, 'rulesAccepted')).toBe(RULES_MESSAGE);
    expect(emailRefused.body).toContain('value="friend@example.com"');
    expect(await t!.deps.database.db.selectFrom('invitations').selectAll().execute()).toEqual([]);
    const requestId = requestIdOf(await postForm(t!.app, '/', { email: 'friend@example.com', rulesAccepted: 'on' }));
    const row = await t!.deps.database.db.selectFrom('invitations').selectAll().where('id', '=', requestId).executeTakeFirstOrThrow();
    expect(row.rules_accepted_at).toBe('2026-11-24T12:00:00.000Z');

    // Rules off: nothing is recorded, and no box is asked for.
    await t!.deps.services.settings.update({ rulesRequired: false });
    expect((await t!.app.inject('/')).body).not.toContain('name="rulesAccepted"');
    const plain = requestIdOf(await postForm(t!.app, '/', { email: 'other@example.com', rulesAccepted: 'on' }));
    expect((await t!.deps.database.db.selectFrom('invitations').select('rules_accepted_at').where('id', '=', plain).executeTakeFirstOrThrow()).rules_accepted_at).toBeNull();
  });

  it('counts Continue with Plex against the same per-address limit as the email form', async () => {
    await ready({ env: { INVITE_RATE_LIMIT: '3/15m' } });
    requestIdOf(await submitRequest(t!.app, { email: 'a@example.com' }, { ip: '203.0.113.9' }));
    startedFrom(await startPlexJoin(t!.app, {}, { ip: '203.0.113.9' }));
    startedFrom(await startPlexJoin(t!.app, {}, { ip: '203.0.113.9' }));
    const limited = await startPlexJoin(t!.app, {}, { json: true, ip: '203.0.113.9' });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('900');
    expect(limited.json()).toMatchObject({ error: { code: 'request.rate_limited' } });
    expect((await startPlexJoin(t!.app, {}, { ip: '203.0.113.9' })).statusCode).toBe(429);
    expect(pinPosts()).toHaveLength(2);
  });

  it('refuses a start without the CSRF token', async () => {
    await ready();
    const forged = await t!.app.inject({ method: 'POST', url: '/join-with-plex', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(forged.statusCode).toBe(403);
    expect(pinPosts()).toHaveLength(0);
  });
});

describe('the result page after a Plex join', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const insert = async (overrides: Parameters<typeof invitationRow>[0]) => {
    const row = invitationRow({ identifier: 'alice', joined_with: 'plex', plex_account_id: '4242', ...overrides });
    await t!.deps.database.db.insertInto('invitations').values(row).execute();
    return row;
  };

  it("says You're in and shows the owner's guide, rendered safely", async () => {
    t = await createReadyApp(plex.sim);
    await t.deps.services.settings.update({ guide: '## Get Plex\n\n[Apps](https://www.plex.tv/) [x](javascript:alert(1)) <b>raw</b>' });
    const row = await insert({ status: 'accepted', accepted_at: '2026-11-24T11:00:00.000Z' });
    const page = await t.app.inject(`/requests/${row.id}`);
    expect(page.statusCode).toBe(200);
    expect(textOf(page.body)).toContain('Welcome, alice');
    expect(page.body).toContain('<h2>Get Plex</h2>');
    expect(page.body).toContain('<a href="https://www.plex.tv/" target="_blank" rel="noopener noreferrer">Apps</a>');
    expect(page.body).not.toMatch(/href="javascript/i);
    expect(page.body).toContain('&lt;b&gt;raw&lt;/b&gt;');
    expect(page.body).not.toContain('data-status-url');
  });

  it('says Setting up your access while pending, and polls', async () => {
    t = await createReadyApp(plex.sim);
    const row = await insert({ status: 'pending', sent_at: null, join_step: 'accept' });
    const page = await t.app.inject(`/requests/${row.id}`);
    expect(textOf(page.body)).toContain('Setting up your access');
    expect(page.body).toContain(`data-status-url="/requests/${row.id}/status"`);
    expect((await t.app.inject(`/requests/${row.id}/status`)).json()).toEqual({ status: 'pending' });
  });

  it('asks an unconfirmed friend to confirm their email, and Try again makes the job due now', async () => {
    t = await createReadyApp(plex.sim);
    const row = await insert({ status: 'pending', sent_at: null, join_step: 'accept', error_kind: 'friend_unconfirmed', next_attempt_at: '2026-11-24T12:05:00.000Z' });
    const page = await t.app.inject(`/requests/${row.id}`);
    expect(textOf(page.body)).toContain('Confirm your email address in the message Plex sent you, then press Try again.');
    expect(page.body).toContain(`action="/requests/${row.id}/retry"`);
    expect(page.body).toContain('data-page="pending:friend_unconfirmed"');
    expect((await t.app.inject(`/requests/${row.id}/status`)).json()).toEqual({ status: 'pending', page: 'pending:friend_unconfirmed' });

    expect((await t.app.inject({ method: 'POST', url: `/requests/${row.id}/retry` })).statusCode).toBe(403);
    const retried = await postForm(t.app, `/requests/${row.id}/retry`);
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`/requests/${row.id}`);
    const after = await t.deps.database.db.selectFrom('invitations').select('next_attempt_at').where('id', '=', row.id).executeTakeFirstOrThrow();
    expect(after.next_attempt_at).toBe('2026-11-24T12:00:00.000Z');
    expect((await postForm(t.app, '/requests/AAAAAAAAAAAAAAAAAAAAAA/retry')).statusCode).toBe(404);
  });

  it('rate-limits Try again', async () => {
    t = await createReadyApp(plex.sim);
    const row = await insert({ status: 'pending', sent_at: null, error_kind: 'friend_unconfirmed' });
    for (let i = 0; i < 10; i++) expect((await postForm(t.app, `/requests/${row.id}/retry`, {}, { ip: '198.51.100.3' })).statusCode).toBe(303);
    const limited = await postForm(t.app, `/requests/${row.id}/retry`, {}, { ip: '198.51.100.3' });
    expect(limited.statusCode).toBe(429);
  });

  it('after a Plex join that ended sent: accept the invite from Plex', async () => {
    t = await createReadyApp(plex.sim);
    const row = await insert({ status: 'sent', error_kind: 'friend_token_invalid' });
    const text = textOf((await t.app.inject(`/requests/${row.id}`)).body);
    expect(text).toContain("Accept the invite from Plex's email");
    expect(text).toContain('app.plex.tv');
  });

  it('keeps the email flow pages as they were', async () => {
    t = await createReadyApp(plex.sim);
    const row = invitationRow({ identifier: 'bob@example.com', status: 'sent' });
    await t.deps.database.db.insertInto('invitations').values(row).execute();
    const text = textOf((await t.app.inject(`/requests/${row.id}`)).body);
    expect(text).toContain('Invite sent to bob@example.com.');
    expect(text).not.toContain('Try again');
  });
});
