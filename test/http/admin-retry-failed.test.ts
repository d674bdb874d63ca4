import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InvitationRow } from '../../src/modules/invitations/invitations.repository.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharePosts, textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

const ctx = useSimulator();
let t: TestApp;
let session: AdminSession;
let key: string;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim);
  session = await signIn(t.app);
  key = (await t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.deps.database.db.deleteFrom('invitations').execute();
  await t.deps.database.db.deleteFrom('audit_log').execute();
});

/** Two failed requests beside one of every other status that must be left alone. */
async function seedMix(): Promise<Record<string, InvitationRow>> {
  const failed = { status: 'failed', error_kind: 'upstream', last_error: 'Gave up after 24 hours: Plex failed' } as const;
  const rows = {
    failedA: invitationRow({ identifier: 'failed-a@example.com', ...failed }),
    failedB: invitationRow({ identifier: 'failed-b@example.com', ...failed, error_kind: 'invalid_token' }),
    revoked: invitationRow({ identifier: 'gone@example.com', status: 'revoked' }),
    shared: invitationRow({ identifier: 'friend@example.com', status: 'already_shared' }),
    sent: invitationRow({ identifier: 'sent@example.com', status: 'sent' }),
  };
  await insertMany(t.deps.database.db, Object.values(rows));
  return rows;
}

const statusOf = async (row: InvitationRow) => (await t.deps.repositories.invitations.findById(row.id))?.status;

describe('Retry all failed', () => {
  it('queues every failed request from the invitations page (CSRF, audited, a flash with the count), and the worker sends them', async () => {
    const rows = await seedMix();
    const page = await session.get('/admin/invitations');
    expect(page.body).toContain('action="/admin/invitations/retry-failed"');

    const refused = await t.app.inject({ method: 'POST', url: '/admin/invitations/retry-failed', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(refused.statusCode).toBe(403);
    expect(await statusOf(rows.failedA!)).toBe('failed');

    const done = await session.post('/admin/invitations/retry-failed', { back: '/admin/invitations?status=failed' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/admin/invitations?status=failed');
    expect(textOf((await session.get('/admin/invitations')).body)).toContain('2 failed invitations were queued again');
    const now = t.clock.now().toISOString();
    for (const row of [rows.failedA!, rows.failedB!]) {
      expect(await t.deps.repositories.invitations.findById(row.id)).toMatchObject({ status: 'pending', next_attempt_at: now });
    }
    expect([await statusOf(rows.revoked!), await statusOf(rows.shared!), await statusOf(rows.sent!)]).toEqual(['revoked', 'already_shared', 'sent']);
    const audit = await t.deps.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'invitation.retry_failed').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'owner', details: JSON.stringify({ queued: 2 }) });

    expect(await t.deps.services.retryWorker.runOnce()).toBe(2);
    expect([await statusOf(rows.failedA!), await statusOf(rows.failedB!)]).toEqual(['sent', 'sent']);
    expect(sharePosts(ctx.sim)).toHaveLength(2);

    await session.post('/admin/invitations/retry-failed');
    expect(textOf((await session.get('/admin/invitations')).body)).toContain('No failed invitations to retry.');
  });

  it('answers the count on POST /api/v1/invitations/retry-failed, which the OpenAPI document lists', async () => {
    const rows = await seedMix();
    const headers = { authorization: `Bearer ${key}` };
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/invitations/retry-failed' })).statusCode).toBe(401);
    expect(await statusOf(rows.failedA!)).toBe('failed');

    const response = await t.app.inject({ method: 'POST', url: '/api/v1/invitations/retry-failed', headers });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ queued: 2, refused: 0 });
    expect([await statusOf(rows.failedA!), await statusOf(rows.failedB!), await statusOf(rows.revoked!)]).toEqual(['pending', 'pending', 'revoked']);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/invitations/retry-failed', headers })).json()).toEqual({ queued: 0, refused: 0 });
    const audit = await t.deps.database.db.selectFrom('audit_log').select('actor_type').where('action', '=', 'invitation.retry_failed').execute();
    expect(audit.map((entry) => entry.actor_type)).toEqual(['api', 'api']);

    const doc = (await t.app.inject('/api/openapi.json')).json();
    const operation = doc.paths['/api/v1/invitations/retry-failed']?.post;
    expect(operation?.tags).toEqual(['invitations']);
    expect(operation?.responses['200']).toBeDefined();
  });
});
