import { afterEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import type { TestApp } from '../../../test/helpers/app.js';

const SHARE_POSTS = { target: 'plex-tv' as const, method: 'POST' };

describe('invitations service against the simulator', () => {
  const ctx = useSimulator();
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const ready = async (options: Parameters<typeof createReadyApp>[1] = {}) => {
    t = await createReadyApp(ctx.sim, { sendTimeoutMs: 1500, ...options });
    return t.deps.services.invitations;
  };
  const submit = (email: string, extra: { code?: string; ip?: string } = {}) =>
    t!.deps.services.invitations.submit({ email, code: extra.code, clientIp: extra.ip ?? '198.51.100.1', userAgent: 'vitest' });
  const sharePosts = () => ctx.sim.control.requestLog(SHARE_POSTS).filter((entry) => entry.path.includes('shared_servers'));

  it('sends an invite with the global ids of exactly the selected libraries and records everything', async () => {
    await ready({ libraries: ['1', 'Music'] });
    const { invitation, duplicate } = await submit('  Friend@Example.com ');
    expect(duplicate).toBe(false);
    expect(invitation).toMatchObject({
      identifier: 'friend@example.com',
      identifier_kind: 'email',
      status: 'sent',
      attempts: 1,
      client_ip: '198.51.100.1',
      user_agent: 'vitest',
      libraries: '["1","Music"]',
      source: 'public',
      last_error: null,
      lease_owner: null,
    });
    expect(invitation.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(invitation.sent_at).toBe('2026-11-24T12:00:00.000Z');
    expect(invitation.plex_share_id).toBeTruthy();
    const posts = sharePosts();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.body).toMatchObject({ shared_server: { library_section_ids: [35723967, 35723970], invited_email: 'friend@example.com' } });
  });

  it('answers already_shared for an account that has access, and shows a duplicate within the window', async () => {
    await ready();
    const first = await submit('alice');
    expect(first.invitation.status).toBe('sent');
    const again = await submit('ALICE');
    expect(again).toMatchObject({ duplicate: true, invitation: { id: first.invitation.id } });
    expect(sharePosts()).toHaveLength(1);
    t!.clock.advance(11 * 60_000);
    const waiting = await submit('alice');
    expect(waiting.invitation.status).toBe('already_invited'); // an invite not accepted yet is not access
    expect(await ctx.client().sharing.acceptInvite('alice-token', 'owner')).toBe('accepted');
    t!.clock.advance(11 * 60_000);
    const later = await submit('alice');
    expect(later.duplicate).toBe(false);
    expect(later.invitation.status).toBe('already_shared');
  });

  it('goes through v2 when v1 answers 410', async () => {
    await ready();
    ctx.sim.control.setV1SharingGone(true);
    const { invitation } = await submit('bob@example.com');
    expect(invitation.status).toBe('sent');
    const v2 = ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST', path: '/api/v2/shared_servers' });
    expect(v2).toHaveLength(1);
    expect(v2[0]!.body).toMatchObject({ librarySectionIds: [35723967, 35723968] });
  });

  it.each([
    ['a 5xx', { kind: 'status' as const, status: 503 }, 'upstream'],
    ['a 429', { kind: 'rate-limit' as const, retryAfterSeconds: 120 }, 'rate_limited'],
    ['a connection reset', { kind: 'reset' as const }, 'network'],
  ])('keeps the request pending after %s and schedules a retry', async (_name, fault, kind) => {
    await ready();
    ctx.sim.control.addFault({ ...fault, path: '/api/servers/', method: 'POST', times: 1 });
    const { invitation } = await submit('friend@example.com');
    expect(invitation).toMatchObject({ status: 'pending', error_kind: kind, lease_owner: null });
    expect(invitation.last_error).not.toContain('owner-token');
    const delayMs = new Date(invitation.next_attempt_at!).getTime() - new Date('2026-11-24T12:00:00.000Z').getTime();
    if (kind === 'rate_limited') expect(delayMs).toBeGreaterThanOrEqual(120_000);
    else expect(delayMs).toBeGreaterThanOrEqual(24_000);
    expect(delayMs).toBeLessThanOrEqual(120_000);
  });

  it('answers pending when Plex is slower than the timeout, and still records the late answer', async () => {
    await ready({ sendTimeoutMs: 150 });
    ctx.sim.control.addLatency({ ms: 600, path: '/api/servers/', method: 'POST' });
    const started = performance.now();
    const { invitation } = await submit('friend@example.com');
    expect(performance.now() - started).toBeLessThan(550);
    expect(invitation.status).toBe('pending');
    await expect.poll(async () => (await t!.deps.repositories.invitations.findById(invitation.id))?.status, { timeout: 3000 }).toBe('sent');
    expect(sharePosts()).toHaveLength(1);
  });

  it.each([['the username does not exist', () => undefined, 'no-such-plex-user', 'unknown_account']])('fails permanently when %s, keeping the reason', async (_name, arrange, who, kind) => {
    await ready();
    arrange();
    const { invitation } = await submit(who);
    expect(invitation).toMatchObject({ status: 'failed', error_kind: kind });
    expect(invitation.last_error).toBeTruthy();
  });

  it('keeps the request waiting for the owner when Plex refuses the token: a long wait between tries, and no giving up after 24 h', async () => {
    await ready();
    ctx.sim.control.revokeToken(ctx.sim.ownerToken);
    const { invitation } = await submit('someone@example.com');
    expect(invitation).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
    expect(invitation.last_error).toContain('Sign in with Plex again');
    expect(Date.parse(invitation.next_attempt_at!) - Date.parse(invitation.updated_at)).toBeGreaterThanOrEqual(30 * 60_000);
    t!.clock.advance(25 * 60 * 60_000);
    expect(await t!.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t!.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'pending', error_kind: 'invalid_token', attempts: 2 });
  });

  it('sends nothing while no library is selected, and says why', async () => {
    await ready({ libraries: [] });
    const { invitation } = await submit('friend@example.com');
    expect(invitation).toMatchObject({ status: 'pending', error_kind: 'no_libraries' });
    expect(invitation.last_error).toContain('No libraries are selected');
    expect(sharePosts()).toHaveLength(0);
  });

  it("shares a code's own libraries and ties the code use to the invitation", async () => {
    await ready({ requireCode: true });
    const code = await t!.deps.services.codes.createCode({ maxUses: 1, libraries: ['3'] });
    await expect(submit('friend@example.com')).rejects.toMatchObject({ code: 'invite.code_required', fields: { code: 'Type your invite code.' } });
    const { invitation } = await submit('friend@example.com', { code: code.code.toLowerCase() });
    expect(invitation).toMatchObject({ status: 'sent', code_id: code.id, libraries: '["3"]' });
    expect(sharePosts()[0]!.body).toMatchObject({ shared_server: { library_section_ids: [35723970] } });
    expect(await t!.deps.repositories.inviteCodes.countUses(code.id)).toBe(1);
    await expect(submit('alice', { code: code.code })).rejects.toMatchObject({ code: 'invite.code_used_up' });
  });

  it('rejects bad input with a message for the field, before touching anything', async () => {
    await ready();
    await expect(submit('')).rejects.toMatchObject({ status: 400, fields: { email: 'Type the email address or the username of your Plex account.' } });
    await expect(submit('friend@')).rejects.toMatchObject({ status: 400, code: 'invite.invalid_identifier' });
    await expect(submit(`${'a'.repeat(250)}@example.com`)).rejects.toMatchObject({ fields: { email: 'This email address is too long (254 characters at most).' } });
    await expect(submit('two words')).rejects.toMatchObject({ status: 400 });
    expect(ctx.sim.control.requestLog({ target: 'plex-tv' })).toHaveLength(0);
  });
});
