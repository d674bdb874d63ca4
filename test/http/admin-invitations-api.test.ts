import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InvitationRow } from '../../src/modules/invitations/invitations.repository.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';

const ctx = useSimulator();
let t: TestApp;
let key: string;

// One app for the file: every test owns its rows (cleared below) and the simulator is reset per test.
beforeAll(async () => {
  t = await createReadyApp(ctx.sim, { sendTimeoutMs: 3000 });
  key = (await t.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.deps.database.db.deleteFrom('invitations').execute();
});

type Method = 'GET' | 'POST' | 'DELETE';
const api = (method: Method, url: string, body?: unknown, token = key) =>
  t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
const seed = async (overrides: Partial<InvitationRow>) => {
  const row = invitationRow(overrides);
  await t.deps.repositories.invitations.insert(row);
  return row;
};

describe('GET /api/v1/invitations', () => {
  it('pages and filters, newest first', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => invitationRow({ created_at: `2026-11-0${i + 1}T09:00:00.000Z`, status: i % 2 ? 'failed' : 'sent' }));
    await insertMany(t.deps.database.db, rows);

    const page = await api('GET', '/invitations?perPage=3&page=2');
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body).toMatchObject({ page: 2, perPage: 3, total: 7 });
    expect(body.items.map((i: { id: string }) => i.id)).toEqual([rows[3]!.id, rows[2]!.id, rows[1]!.id]);
    expect(body.items[0]).toEqual({
      id: rows[3]!.id,
      identifier: rows[3]!.identifier,
      identifierKind: 'email',
      status: 'failed',
      source: 'public',
      code: null,
      libraries: ['1', '2'],
      attempts: 1,
      error: null,
      errorKind: null,
      clientIp: '198.51.100.7',
      createdAt: '2026-11-04T09:00:00.000Z',
      updatedAt: '2026-11-04T09:00:00.000Z',
      sentAt: null,
      nextAttemptAt: null,
      joinedWith: 'email',
      plexAccountId: null,
    });

    const failed = (await api('GET', '/invitations?status=failed&from=2026-11-03&to=2026-11-06')).json();
    expect(failed.items.map((i: { id: string }) => i.id)).toEqual([rows[5]!.id, rows[3]!.id]);
    const search = (await api('GET', `/invitations?q=${encodeURIComponent(rows[6]!.identifier.slice(0, 15).toUpperCase())}`)).json();
    expect(search.items.map((i: { id: string }) => i.id)).toEqual([rows[6]!.id]);
  });

  it('shows how each friend joined and filters accepted apart from sent (issue 12)', async () => {
    const joined = await seed({ identifier: 'alice', status: 'accepted', joined_with: 'plex', plex_account_id: '4242', join_step: null, accepted_at: '2026-11-20T10:00:05.000Z', created_at: '2026-11-20T10:00:00.000Z' });
    const waiting = await seed({ identifier: 'bob', status: 'sent', joined_with: 'plex', plex_account_id: '77', created_at: '2026-11-19T10:00:00.000Z' });
    const typed = await seed({ identifier: 'carol@example.com', status: 'sent', created_at: '2026-11-18T10:00:00.000Z' });

    const all = (await api('GET', '/invitations')).json();
    expect(all.items.map((i: { id: string; status: string; joinedWith: string; plexAccountId: string | null }) => [i.id, i.status, i.joinedWith, i.plexAccountId])).toEqual([
      [joined.id, 'accepted', 'plex', '4242'],
      [waiting.id, 'sent', 'plex', '77'],
      [typed.id, 'sent', 'email', null],
    ]);
    // The job's inner step is not part of the API.
    expect(Object.keys(all.items[0])).not.toContain('joinStep');

    const accepted = await api('GET', '/invitations?status=accepted');
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ total: 1, items: [{ id: joined.id, identifier: 'alice', identifierKind: 'username', status: 'accepted', joinedWith: 'plex', plexAccountId: '4242' }] });
    expect((await api('GET', '/invitations?status=sent')).json().items.map((i: { id: string }) => i.id)).toEqual([waiting.id, typed.id]);
  });

  it('answers 400 naming the field for bad filters', async () => {
    for (const [query, field] of [
      ['perPage=101', 'perPage'],
      ['page=0', 'page'],
      ['status=lost', 'status'],
      ['from=24.11.2026', 'from'],
      ['to=2026-02-30', 'to'],
    ] as const) {
      const response = await api('GET', `/invitations?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(Object.keys(response.json().error.fields), query).toEqual([field]);
    }
  });
});

describe('POST /api/v1/invitations', () => {
  it('invites someone with chosen libraries and audits the key', async () => {
    const response = await api('POST', '/invitations', { email: 'Alice@Example.com', libraries: ['3'] });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ identifier: 'alice@example.com', status: 'sent', source: 'api', libraries: ['3'], error: null, sentAt: '2026-11-24T12:00:00.000Z' });
    expect(ctx.sim.control.state().shares[0]).toMatchObject({ invitedUsername: 'alice', libraryIds: [35723970] });
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 5, action: 'invitation.create' });
    expect(audit.entries[0]).toMatchObject({ actor: 'api key ci', actorType: 'api', target: 'alice@example.com' });
  });

  it('answers 400 naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'email'],
      [{ email: { name: 'bob' } }, 'email'],
      [{ email: 'bob', libraries: 'all' }, 'libraries'],
      [{ email: 'bob', libraries: [] }, 'libraries'],
      [{ email: 'bob', libraries: ['99'] }, 'libraries'],
      [{ email: 'not an address@' }, 'email'],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/invitations', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(Object.keys(response.json().error.fields ?? {}), JSON.stringify(body)).toEqual([field]);
    }
    expect(ctx.sim.control.state().shares).toEqual([]);
  });
});

describe('POST /api/v1/invitations/:id/retry', () => {
  it('sends a failed invitation and refuses a settled one', async () => {
    const failed = await seed({ identifier: 'bob', status: 'failed', last_error: 'Plex refused' });
    const response = await api('POST', `/invitations/${failed.id}/retry`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: failed.id, status: 'sent', attempts: 2, error: null });

    const again = await api('POST', `/invitations/${failed.id}/retry`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('invitation.not_retryable');
    expect(ctx.sim.control.state().shares).toHaveLength(1);
  });

  it('answers 404 for an unknown id', async () => {
    const response = await api('POST', '/invitations/no-such-id/retry');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('invitation.not_found');
  });
});

describe('DELETE /api/v1/invitations/:id/access', () => {
  it('removes the share on Plex, then says when there was none', async () => {
    const created = (await api('POST', '/invitations', { email: 'friend' })).json();
    expect(ctx.sim.control.state().pending).toHaveLength(1);
    const response = await api('DELETE', `/invitations/${created.id}/access`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'revoked', removedFromPlex: true });
    expect(ctx.sim.control.state().shares).toEqual([]);

    const again = await api('DELETE', `/invitations/${created.id}/access`);
    expect(again.statusCode).toBe(409);
    const other = await seed({ identifier: 'bob' });
    expect((await api('DELETE', `/invitations/${other.id}/access`)).json()).toEqual({ status: 'revoked', removedFromPlex: false });
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 5, action: 'access.revoke' });
    expect(audit.entries.map((e) => e.actor)).toEqual(['api key ci', 'api key ci']);
  });

  it('answers 502 and changes nothing when Plex fails, and 404 for an unknown id', async () => {
    const row = await seed({ identifier: 'bob' });
    ctx.sim.control.addFault({ kind: 'status', status: 500, path: '/api/v2/shared_servers' });
    const failed = await api('DELETE', `/invitations/${row.id}/access`);
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error).toMatchObject({ code: 'invitation.revoke_failed', message: expect.stringContaining('Plex did not remove the access of bob') });
    expect((await t.deps.repositories.invitations.findById(row.id))?.status).toBe('sent');
    expect((await api('DELETE', '/invitations/missing/access')).statusCode).toBe(404);
  });
});

describe('API keys', () => {
  it('refuses a revoked key and a missing one on every invitations route, before validating input', async () => {
    const { key: doomed, view } = await t.deps.services.apiKeys.create({ name: 'doomed', createdBy: null });
    expect((await api('GET', '/invitations', undefined, doomed)).statusCode).toBe(200);
    await t.deps.services.apiKeys.revoke(view.id);
    const calls: Array<[Method, string, unknown]> = [
      ['GET', '/invitations?perPage=1000', undefined],
      ['POST', '/invitations', {}],
      ['POST', '/invitations/x/retry', undefined],
      ['DELETE', '/invitations/x/access', undefined],
    ];
    for (const [method, url, body] of calls) {
      for (const token of [doomed, 'hk_not-a-real-key-at-all-000000']) {
        const response = await api(method, url, body, token);
        expect(response.statusCode, `${method} ${url}`).toBe(401);
        expect(response.json().error.code).toBe('auth.api_key_required');
      }
    }
  });

  it('documents every invitations route in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(doc.paths['/api/v1/invitations'].get.tags).toEqual(['invitations']);
    expect(doc.paths['/api/v1/invitations'].post.requestBody.content['application/json'].schema.required).toEqual(['email']);
    expect(doc.paths['/api/v1/invitations/{id}/retry'].post.summary).toBeTruthy();
    expect(doc.paths['/api/v1/invitations/{id}/access'].delete.responses['200']).toBeDefined();

    // Issue 12: accepted is a status (and a filter), and the invitation says how the friend joined.
    const statusParameter = doc.paths['/api/v1/invitations'].get.parameters.find((p: { name: string }) => p.name === 'status');
    expect(statusParameter.schema.enum).toContain('accepted');
    const invitation = doc.paths['/api/v1/invitations/{id}/retry'].post.responses['200'].content['application/json'].schema;
    expect(invitation.properties.status.enum).toEqual(expect.arrayContaining(['sent', 'accepted']));
    expect(invitation.properties.joinedWith).toMatchObject({ type: 'string', enum: ['plex', 'email'] });
    expect(invitation.properties.plexAccountId).toMatchObject({ type: 'string', nullable: true });
    expect(invitation.required).toEqual(expect.arrayContaining(['joinedWith', 'plexAccountId']));
    const stats = doc.paths['/api/v1/stats'].get.responses['200'].content['application/json'].schema;
    expect(stats.properties.byStatus.required).toContain('accepted');
    expect(stats.required).toContain('successful');
  });
});
