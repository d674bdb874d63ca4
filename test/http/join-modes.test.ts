import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { invitationRows, sharePosts, submitAndFollow, submitRequest, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Join mode "approval": nothing goes to Plex until the owner approves; declined requests never do. */
const ctx = useSimulator();
let t: TestApp;
let admin: AdminSession;
let key: string;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim, { joinMode: 'approval', sendTimeoutMs: 3000 });
  admin = await signIn(t.app);
  key = (await t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
  // Every test asks from the same address; only the limits test counts.
  await t.deps.services.settings.updateLimits({ invitesPerWindow: 1000 });
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.deps.database.db.deleteFrom('invitations').execute();
  await t.deps.services.settings.update({ joinMode: 'approval' });
});

const api = (method: 'GET' | 'POST' | 'DELETE', url: string) => t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${key}` } });
const statusOf = async (id: string) => (await t.app.inject(`/requests/${id}/status`)).json().status as string;
/** The flash message shown after an admin action (303 to the page that shows it). */
async function flashAfter(response: { statusCode: number; headers: Record<string, unknown> }): Promise<[string, string, string]> {
  expect(response.statusCode).toBe(303);
  const location = String(response.headers.location);
  const page = await admin.get(location);
  const [, tone, message] = /<div class="alert alert-(\w+)" role="status">([^<]*)<\/div>/.exec(page.body) ?? [];
  return [location, tone ?? '', message ?? ''];
}
/** Lets the retry worker run as if the request had long been due: it must still leave waiting requests alone. */
async function workerLater(): Promise<number> {
  t.clock.advance(2 * 60_000);
  return t.deps.services.retryWorker.runOnce();
}

describe('a request in approval mode', () => {
  it('waits, unsent, and tells the friend the owner will look at it', async () => {
    const form = await t.app.inject('/');
    expect(textOf(form.body)).toContain('The owner looks at each request before an invite is sent.');
    expect(form.body).not.toContain('name="code"');

    const { id, page } = await submitAndFollow(t.app, { email: 'Friend@Example.com' });
    expect(page.statusCode).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Waiting for the owner');
    expect(text).toContain('Your request for friend@example.com is saved. The owner of this server will look at it.');
    expect(text).toContain('This page updates by itself once they decide.');
    // Updates by itself with a script (no inline script: CSP), and a plain link without one.
    expect(page.body).toContain('src="/static/js/request-status.js');
    expect(page.body).toContain(`data-status-url="/requests/${id}/status"`);
    expect(page.body).toMatch(/<a [^>]*href=""[^>]*>Check again<\/a>/);

    const [row] = await invitationRows(t.deps);
    expect(row).toMatchObject({ id, status: 'awaiting_approval', attempts: 0, next_attempt_at: null, lease_owner: null, lease_until: null });
    expect(await workerLater()).toBe(0);
    expect(sharePosts(ctx.sim)).toHaveLength(0);
    expect(await statusOf(id)).toBe('awaiting_approval');
  });

  it('is sent once approved on the dashboard, audited, and the friend sees it', async () => {
    const { id } = await submitAndFollow(t.app, { email: 'alice' });
    const dashboard = await admin.get('/admin');
    expect(dashboard.body).toContain('Waiting for your approval');
    expect(dashboard.body).toContain(`action="/admin/invitations/${id}/approve"`);
    expect(dashboard.body).toContain(`action="/admin/invitations/${id}/decline"`);
    expect(textOf(dashboard.body)).toMatch(/Who may join: You approve each request Change/);

    const [location, tone, message] = await flashAfter(await admin.post(`/admin/invitations/${id}/approve`, { back: '/admin' }));
    expect([location, tone, message]).toEqual(['/admin', 'success', 'Approved. Invitation sent to alice.']);
    expect(sharePosts(ctx.sim)).toHaveLength(1);
    expect(ctx.sim.control.state().pending.map((invite) => invite.invitedUsername)).toEqual(['alice']);
    expect((await admin.get('/admin')).body).not.toContain('Waiting for your approval');

    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'invitation.approve' });
    expect(audit.entries[0]).toMatchObject({ actor: 'owner', target: 'alice', details: { invitation: id } });
    expect(await statusOf(id)).toBe('sent');
    expect(textOf((await t.app.inject(`/requests/${id}`)).body)).toContain('Invite sent to alice.');

    // A second click (another admin, an old tab) changes nothing and sends nothing.
    const [, againTone, again] = await flashAfter(await admin.post(`/admin/invitations/${id}/approve`, { back: '/admin' }));
    expect([againTone, again]).toEqual(['danger', 'This request is not waiting for approval any more (it is sent): nothing was changed.']);
    expect(sharePosts(ctx.sim)).toHaveLength(1);
  });

  it('is never sent once declined from the invitations list, and the friend is told kindly', async () => {
    const { id } = await submitAndFollow(t.app, { email: 'stranger@example.com' });
    const list = await admin.get('/admin/invitations?status=awaiting_approval');
    expect(list.body).toContain('<option value="awaiting_approval" selected>Waiting for approval</option>');
    expect(list.body).toContain(`data-id="${id}" data-status="awaiting_approval"`);
    expect(list.body).toContain(`action="/admin/invitations/${id}/approve"`);
    // Nobody has access yet: nothing to revoke or retry.
    expect(list.body).not.toContain(`/admin/invitations/${id}/revoke`);
    expect(list.body).not.toContain(`/admin/invitations/${id}/retry`);

    const back = '/admin/invitations?status=awaiting_approval';
    const [location, tone, message] = await flashAfter(await admin.post(`/admin/invitations/${id}/decline`, { back }));
    expect([location, tone, message]).toEqual([back, 'info', 'The request of stranger@example.com was declined: nothing was sent.']);
    expect(await workerLater()).toBe(0);
    expect(sharePosts(ctx.sim)).toHaveLength(0);
    expect(await statusOf(id)).toBe('declined');

    const page = textOf((await t.app.inject(`/requests/${id}`)).body);
    expect(page).toContain('The owner of this server did not accept the request for stranger@example.com.');
    expect(page).toContain('Nothing was shared with this account, and no invite will be sent.');
    expect(page).not.toMatch(/declined|status|error/i);

    expect((await api('POST', `/invitations/${id}/approve`)).statusCode).toBe(409);
    expect((await api('DELETE', `/invitations/${id}/access`)).statusCode).toBe(409);
    expect(sharePosts(ctx.sim)).toHaveLength(0);
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'invitation.decline' });
    expect(audit.entries[0]).toMatchObject({ actor: 'owner', target: 'stranger@example.com', details: { invitation: id } });
  });

  it('is sent once when two approvals arrive at the same time', async () => {
    const { id } = await submitAndFollow(t.app, { email: 'bob@example.com' });
    ctx.sim.control.addLatency({ method: 'POST', pathRegex: '/shared_servers$', ms: 300 });
    const answers = await Promise.all([1, 2, 3].map(() => api('POST', `/invitations/${id}/approve`)));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409, 409]);
    expect(sharePosts(ctx.sim)).toHaveLength(1);
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 50, action: 'invitation.approve' });
    expect(audit.entries.filter((entry) => entry.details?.invitation === id)).toHaveLength(1);
    expect(await statusOf(id)).toBe('sent');
  });

  it('still counts toward the request limit and the duplicate window', async () => {
    await t.deps.services.settings.updateLimits({ invitesPerWindow: 3 });
    try {
      const first = await submitAndFollow(t.app, { email: 'carol@example.com' }, { ip: '203.0.113.9' });
      const again = await submitAndFollow(t.app, { email: 'CAROL@example.com' }, { ip: '203.0.113.9' });
      expect(again.id).toBe(first.id);
      expect((await submitRequest(t.app, { email: 'dave@example.com' }, { ip: '203.0.113.9' })).statusCode).toBe(303);
      expect((await submitRequest(t.app, { email: 'erin@example.com' }, { ip: '203.0.113.9' })).statusCode).toBe(429);
      expect((await invitationRows(t.deps)).map((row) => row.status)).toEqual(['awaiting_approval', 'awaiting_approval']);
    } finally {
      await t.deps.services.settings.updateLimits({ invitesPerWindow: 1000 });
    }
  });
});

describe('approval in the API', () => {
  it('approves and declines with documented endpoints, and counts both new statuses', async () => {
    const approved = await submitAndFollow(t.app, { email: 'frank@example.com' });
    const declined = await submitAndFollow(t.app, { email: 'grace@example.com' });
    const waiting = (await api('GET', '/invitations?status=awaiting_approval')).json();
    expect(waiting.items.map((item: { identifier: string }) => item.identifier).sort()).toEqual(['frank@example.com', 'grace@example.com']);

    const stats = (await api('GET', '/stats')).json();
    expect(stats.byStatus).toMatchObject({ awaiting_approval: 2, declined: 0, sent: 0 });

    const yes = await api('POST', `/invitations/${approved.id}/approve`);
    expect(yes.statusCode).toBe(200);
    expect(yes.json()).toMatchObject({ id: approved.id, status: 'sent', identifier: 'frank@example.com' });
    const no = await api('POST', `/invitations/${declined.id}/decline`);
    expect(no.statusCode).toBe(200);
    expect(no.json()).toMatchObject({ id: declined.id, status: 'declined' });
    expect((await api('POST', `/invitations/${declined.id}/decline`)).json().error.code).toBe('invitation.not_awaiting_approval');
    expect((await api('POST', '/invitations/unknown-id-0000/approve')).statusCode).toBe(404);
    expect(sharePosts(ctx.sim)).toHaveLength(1);

    const after = (await api('GET', '/stats')).json();
    expect(after.byStatus).toMatchObject({ awaiting_approval: 0, declined: 1, sent: 1 });
    const csv = await admin.get('/admin/invitations.csv?status=declined');
    expect(csv.body).toContain('"grace@example.com"');
    expect(csv.body).not.toContain('"frank@example.com"');

    const openapi = (await t.app.inject('/api/openapi.json')).json();
    for (const action of ['approve', 'decline']) {
      expect(openapi.paths[`/api/v1/invitations/{id}/${action}`].post.tags).toEqual(['invitations']);
    }
    expect(openapi.paths['/api/v1/invitations'].get.parameters.find((p: { name: string }) => p.name === 'status').schema.enum).toContain('awaiting_approval');
  });

  it('leaves an owner-sent invite alone: it is sent at once, whatever the join mode', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/invitations', headers: { authorization: `Bearer ${key}` }, payload: { email: 'henry@example.com' } });
    expect(created.json()).toMatchObject({ status: 'sent' });
    expect(sharePosts(ctx.sim)).toHaveLength(1);
  });
});
