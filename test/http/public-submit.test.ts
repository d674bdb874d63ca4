import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import {
  expectNoInternals,
  invitationRows,
  requestIdOf,
  sharedLibraryIds,
  sharePosts,
  submitAndFollow,
  submitRequest,
  textOf,
} from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const MOVIES_AND_TV = [35723967, 35723968];

describe('submitting the request form', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sends one invite for an email and shows "Invite sent" with the next steps', async () => {
    t = await createReadyApp(plex.sim);
    const { id, page } = await submitAndFollow(t.app, { email: '  Friend@Example.COM ' });
    expect(id).toHaveLength(22);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('data-status="sent"');
    expect(textOf(page.body)).toContain('Invite sent to friend@example.com.');
    expect(textOf(page.body)).toContain('look in your spam folder too');
    expectNoInternals(page.body);

    const posts = sharePosts(plex.sim);
    expect(posts).toHaveLength(1);
    expect(sharedLibraryIds(posts[0]!)).toEqual(MOVIES_AND_TV);
    expect(JSON.stringify(posts[0]!.body)).toContain('"friend@example.com"');
    expect(plex.sim.control.state().pending.map((share) => share.invitedEmail ?? share.invitedUsername)).toEqual(['friend']);
    const [row] = await invitationRows(t.deps);
    expect(row).toMatchObject({ id, identifier: 'friend@example.com', identifier_kind: 'email', status: 'sent', client_ip: '127.0.0.1' });
  });

  it('accepts a Plex username too', async () => {
    t = await createReadyApp(plex.sim);
    const { id, page } = await submitAndFollow(t.app, { email: 'alice' });
    expect(textOf(page.body)).toContain('Invite sent to alice.');
    const posts = sharePosts(plex.sim);
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]!.body)).toContain('"alice"');
    expect(plex.sim.control.state().pending[0]?.invitedUsername).toBe('alice');
    expect((await t.deps.repositories.invitations.findById(id))?.identifier_kind).toBe('username');
  });

  it('shows the same request again for the same email within 10 minutes, without asking Plex again', async () => {
    t = await createReadyApp(plex.sim);
    const first = requestIdOf(await submitRequest(t.app, { email: 'friend@example.com' }));
    const callsAfterFirst = plex.sim.control.requestLog().length;
    t.clock.advance(9 * 60_000);
    const again = requestIdOf(await submitRequest(t.app, { email: ' FRIEND@example.com' }));
    expect(again).toBe(first);
    expect(plex.sim.control.requestLog()).toHaveLength(callsAfterFirst);
    expect(sharePosts(plex.sim)).toHaveLength(1);
    expect(await invitationRows(t.deps)).toHaveLength(1);
  });

  it('says the account already has access when Plex already shares with it', async () => {
    t = await createReadyApp(plex.sim);
    requestIdOf(await submitRequest(t.app, { email: 'friend@example.com' }));
    // Accepted: access (an invite still waiting is not: see words-refusals.test.ts).
    expect(await plex.client().sharing.acceptInvite('friend-token', 'owner')).toBe('accepted');
    t.clock.advance(11 * 60_000);
    const { id, page } = await submitAndFollow(t.app, { email: 'friend@example.com' });
    expect(page.body).toContain('data-status="already_shared"');
    expect(textOf(page.body)).toContain('The Plex account friend@example.com already has access to this server.');
    expect(sharePosts(plex.sim)).toHaveLength(2);
    expect(plex.sim.control.state().shares).toHaveLength(1);
    expect((await t.deps.repositories.invitations.findById(id))?.status).toBe('already_shared');
  });

  it('answers "Request saved" when Plex is slow, and records the invite as sent once Plex answers', async () => {
    t = await createReadyApp(plex.sim, { sendTimeoutMs: 200 });
    plex.sim.control.addLatency({ method: 'POST', pathRegex: '/shared_servers$', ms: 1500 });
    const { id, page } = await submitAndFollow(t.app, { email: 'friend@example.com' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-status="pending"');
    expect(textOf(page.body)).toContain('Request saved');
    expect(textOf(page.body)).toContain('Your request for friend@example.com is saved.');
    expect(textOf(page.body)).toContain('Plex is slow to answer right now.');
    expect(textOf(page.body)).toContain('there is nothing else for you to do');
    expect(page.body).toContain('Check again');

    const invitations = t.deps.repositories.invitations;
    await vi.waitFor(async () => expect((await invitations.findById(id))?.status).toBe('sent'), { timeout: 10_000, interval: 50 });
    expect(sharePosts(plex.sim)).toHaveLength(1);
    const later = await t.app.inject(`/requests/${id}`);
    expect(textOf(later.body)).toContain('Invite sent to friend@example.com.');
  });

  it("keeps the request waiting, in plain words, when the owner's Plex sign-in is no longer valid", async () => {
    t = await createReadyApp(plex.sim);
    plex.sim.control.revokeToken(plex.sim.ownerToken);
    const { id, page } = await submitAndFollow(t.app, { email: 'friend@example.com' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-status="pending"');
    const text = textOf(page.body);
    expect(text).toContain('Your request for friend@example.com is saved.');
    expect(text).toContain('The server owner needs to sign in to Plex again before invites can go out');
    expect(text).toContain('will be sent automatically as soon as possible: there is nothing else for you to do.');
    expect(text).not.toMatch(/422|token|owner-token|Plex refused|did not answer in time/i);
    expectNoInternals(page.body);
    // The owner still gets the details.
    expect((await t.deps.repositories.invitations.findById(id))?.error_kind).toBe('invalid_token');
  });

  it('asks the friend to check the spelling or create an account when Plex does not know the username', async () => {
    t = await createReadyApp(plex.sim);
    const { page } = await submitAndFollow(t.app, { email: 'nobody-here' });
    const text = textOf(page.body);
    expect(page.body).toContain('data-status="failed"');
    expect(text).toContain('Plex has no account called "nobody-here".');
    expect(text).toContain('Check the spelling');
    expect(text).toContain('Create a free one at plex.tv');
    expect(text).not.toMatch(/400|could not be found|Plex refused/);
    expectNoInternals(page.body);
  });
});

describe('submitting with an invite code', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('uses a one-use code once; the second friend sees why beside the code field', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true });
    const code = await t.deps.services.codes.createCode({ maxUses: 1 });
    const { page } = await submitAndFollow(t.app, { email: 'friend@example.com', code: code.code.toLowerCase() });
    expect(textOf(page.body)).toContain('Invite sent to friend@example.com.');

    const second = await submitRequest(t.app, { email: 'bob@example.com', code: code.code });
    expect(second.statusCode).toBe(410);
    expect(second.body).toMatch(/<input class="form-control form-control-lg is-invalid" id="code" name="code"/);
    expect(second.body).toContain('<div class="invalid-feedback" id="code-error">This invite code has already been used. Ask for a new one.</div>');
    expect(second.body).toContain('value="bob@example.com"');
    expect(sharePosts(plex.sim)).toHaveLength(1);
    expect(await invitationRows(t.deps)).toHaveLength(1);
    expect((await t.deps.services.codes.getCode(code.id)).uses).toBe(1);
  });

  it('asks for the code when one is required and none was typed', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true });
    const response = await submitRequest(t.app, { email: 'friend@example.com', code: '' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<div class="invalid-feedback" id="code-error">Type your invite code.</div>');
    expect(sharePosts(plex.sim)).toHaveLength(0);
  });

  it('says an unknown code does not exist, beside the code field', async () => {
    t = await createReadyApp(plex.sim, { requireCode: true });
    const response = await submitRequest(t.app, { email: 'friend@example.com', code: 'WRONG-CODE' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('id="code-error">This invite code does not exist. Check it for typos, or ask for a new one.</div>');
    expect(response.body).toContain('value="WRONG-CODE"');
    expect(await invitationRows(t.deps)).toEqual([]);
  });
});
