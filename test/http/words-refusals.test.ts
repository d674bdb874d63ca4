import { afterEach, describe, expect, it } from 'vitest';
import { refusalKind } from '../../src/modules/invitations/refusals.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { expectNoInternals, submitAndFollow } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

/**
 * Issue 19, points 3, 4 and 9: each refusal of Plex has its own words for the friend and for the
 * owner; "Retry now" only where a retry can work, "Revoke access" only where someone has access;
 * an invite still waiting is not access; an existing share shows what it really gives.
 */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
const rowOf = (html: string, id: string) => new RegExp(`<tr data-id="${id}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
const v1Refusal = (words: string) => ({ kind: 'status' as const, status: 400, method: 'POST', pathRegex: '/shared_servers$', contentType: 'application/xml', body: `<Response code="400" status="${words}"/>` });

describe('Plex refusals: the friend and the owner each read why', () => {
  const plex = useSimulator({
    seed: {
      shares: [
        { invitee: 'alice', libraryIds: [35723967, 35723968], accepted: false },
        { invitee: 'bob', libraryIds: [35723967], accepted: true },
      ],
    },
  });
  let t: TestApp | undefined;
  let admin: AdminSession;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const start = async () => {
    t = await createReadyApp(plex.sim);
    admin = await signIn(t.app);
  };
  const row = async (id: string) => rowOf((await admin.get('/admin/invitations')).body, id);

  it("the owner's own email: 'cannot share with yourself' for the friend, no retry and no revoke for the owner", async () => {
    await start();
    const { id, page } = await submitAndFollow(t!.app, { email: 'owner@example.com' });
    const stored = await t!.deps.repositories.invitations.findById(id);
    expect(stored).toMatchObject({ status: 'failed', error_kind: 'self_share' });
    expect(stored?.last_error).toMatch(/yourself/); // Plex's words, kept for the owner
    const friend = text(page.body);
    expect(friend).toContain('"owner@example.com" is the Plex account of this server\'s owner, and Plex does not let an owner invite their own account.');
    expect(friend).toContain('use the email address or username of your own Plex account');
    expect(friend).not.toMatch(/Check the spelling|did not accept|400|share a server with yourself/);
    expectNoInternals(page.body);

    const html = await row(id);
    expect(text(html)).toContain('This is your own Plex account: Plex does not let a server owner invite themselves.');
    expect(html).toContain('<summary>Details</summary>');
    expect(html).not.toContain('Retry now');
    expect(html).not.toContain('Revoke access');
    // The buttons are gone, and the actions behind them say why.
    const retry = await admin.post(`/admin/invitations/${id}/retry`, { back: '/admin/invitations' });
    const flash = text((await admin.get(String(retry.headers.location))).body);
    expect(flash).toContain('This is your own Plex account');
    expect((await t!.deps.repositories.invitations.findById(id))?.attempts).toBe(1);
    await expect(t!.deps.services.adminInvitations.revokeAccess(id, { name: 'owner', type: 'admin', ip: null })).rejects.toMatchObject({ code: 'invitation.no_access', status: 409 });
  });

  it('an unknown username: no such account for the friend, no retry for the owner', async () => {
    await start();
    const { id, page } = await submitAndFollow(t!.app, { email: 'nobody-here' });
    expect((await t!.deps.repositories.invitations.findById(id))?.error_kind).toBe('unknown_account');
    expect(text(page.body)).toContain('Plex has no account called "nobody-here".');
    const html = await row(id);
    expect(text(html)).toContain('Plex has no account with this name.');
    expect(html).not.toContain('Retry now');
    expect(html).not.toContain('Revoke access');
  });

  const retryable = [
    {
      name: 'an account that does not accept invites',
      fault: v1Refusal('This user is not accepting invites'),
      kind: 'account_refuses',
      friend: 'The Plex account "carol@example.com" does not accept invites',
      owner: 'Plex says this account does not accept invites.',
    },
    {
      name: 'a library Plex no longer has',
      fault: v1Refusal('Invalid library section id(s): 35723967'),
      kind: 'library_gone',
      friend: 'The libraries this invite was for are no longer on the server.',
      owner: 'Plex no longer has a library this invitation shares',
    },
    {
      name: 'a server Plex no longer knows',
      fault: { kind: 'status' as const, status: 404, method: 'POST', pathRegex: 'shared_servers$', contentType: 'text/html', body: '<html><body>The page you were looking for doesn&#39;t exist (404)</body></html>' },
      kind: 'server_gone',
      friend: 'Plex no longer knows the server this page belongs to',
      owner: 'Plex no longer knows the server Helpr is set up for',
    },
  ];
  for (const c of retryable) {
    it(`${c.name}: its own words, and Retry now (a retry can work once it is fixed)`, async () => {
      await start();
      plex.sim.control.addFault(c.fault);
      const { id, page } = await submitAndFollow(t!.app, { email: 'carol@example.com' });
      expect((await t!.deps.repositories.invitations.findById(id))?.error_kind).toBe(c.kind);
      expect(text(page.body)).toContain(c.friend);
      expect(text(page.body)).not.toMatch(/Check the spelling|400|404|section id/);
      const html = await row(id);
      expect(text(html)).toContain(c.owner);
      expect(html).toContain('Retry now');
      expect(html).not.toContain('Revoke access');
    });
  }

  it('a pending invite is not access: the friend is told to accept it in Plex, the owner sees it waiting', async () => {
    await start();
    const { id, page } = await submitAndFollow(t!.app, { email: 'alice' });
    expect((await t!.deps.repositories.invitations.findById(id))?.status).toBe('already_invited');
    const friend = text(page.body);
    expect(page.body).toContain('data-status="already_invited"');
    expect(friend).toContain('Your invite is waiting for you in Plex');
    expect(friend).toContain('already has an invite to this server that has not been accepted yet');
    expect(friend).toContain('Look for the invite email from Plex');
    expect(friend).not.toContain('already have access');
    expect(friend).not.toContain('already has access');
    const html = await row(id);
    expect(text(html)).toContain('Invite waiting');
    expect(text(html)).toContain('invited to Movies, TV Shows');
    expect(html).toContain('Cancel invite'); // the invite can be cancelled (the same action as revoking)
    expect(html).not.toContain('Retry now');
    // The admin's own invite says the same.
    const sent = await admin.post('/admin/invitations', { email: 'alice', back: '/admin/invitations' });
    expect(text((await admin.get(String(sent.headers.location))).body)).toContain('alice already has an invite from you waiting in Plex');
  });

  it("an existing share shows the libraries Plex says it gives, not the request's wish", async () => {
    await start();
    const { id, page } = await submitAndFollow(t!.app, { email: 'bob' }); // asks for Movies and TV Shows; bob has Movies
    expect(page.body).toContain('data-status="already_shared"');
    expect(JSON.parse((await t!.deps.repositories.invitations.findById(id))!.libraries)).toEqual(['1']);
    const html = await row(id);
    expect(text(html)).toContain('had Movies');
    expect(html).not.toContain('TV Shows');
    expect(html).toContain('Revoke access');
    expect(html).not.toContain('Retry now');
  });

  it('says "already had access", without a list, when plex.tv cannot tell which libraries', async () => {
    await start();
    plex.sim.control.addFault({ kind: 'status', status: 503, method: 'GET', pathRegex: '/shared_servers$' });
    const { id } = await submitAndFollow(t!.app, { email: 'bob' });
    expect((await t!.deps.repositories.invitations.findById(id))).toMatchObject({ status: 'already_shared', libraries: '[]' });
    const html = await row(id);
    expect(text(html)).toContain('already had access');
    expect(html).not.toMatch(/Movies|TV Shows/);
  });

  it('reads rows recorded before the finer kinds by their stored words', async () => {
    await start();
    const old = invitationRow({ identifier: 'owner@example.com', status: 'failed', error_kind: 'rejected', last_error: 'Plex refused sending the invite (400: You cannot share a server with yourself)' });
    await t!.deps.repositories.invitations.insert(old);
    expect(text((await t!.app.inject(`/requests/${old.id}`)).body)).toContain("is the Plex account of this server's owner");
    expect(await row(old.id)).not.toContain('Retry now');
  });
});

describe('refusalKind', () => {
  it("reads Plex's words, not Helpr's framing", () => {
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: You cannot share a server with yourself)')).toBe('self_share');
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: User nobody could not be found)')).toBe('unknown_account');
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: Server not found)')).toBe('server_gone');
    expect(refusalKind('not_found', "Plex answered 404 while sending the invite: The page you were looking for doesn't exist (404)")).toBe('server_gone');
    expect(refusalKind('rejected', 'Plex refused sending the invite (400: Something new)')).toBe('rejected');
    expect(refusalKind('timeout', 'anything')).toBe('timeout');
  });
});
