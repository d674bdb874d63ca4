import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InvitationRow } from '../../src/modules/invitations/invitations.repository.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';

const ctx = useSimulator();
let t: TestApp;
let admin: AdminSession;

beforeEach(async () => {
  t = await createReadyApp(ctx.sim, { sendTimeoutMs: 3000 });
  admin = await signIn(t.app);
});
afterEach(() => t.close());

const seed = async (overrides: Partial<InvitationRow>) => {
  const row = invitationRow(overrides);
  await t.deps.repositories.invitations.insert(row);
  return row;
};
const rowIds = (html: string) => [...html.matchAll(/<tr data-id="([^"]+)"/g)].map((m) => m[1]);
const statusOf = async (id: string) => (await t.deps.repositories.invitations.findById(id))?.status;
const friend = (username: string) => ctx.sim.accounts.friends.find((f) => f.username === username)!;
const submit = (email: string) => t.deps.services.invitations.submit({ email, clientIp: '198.51.100.2', userAgent: 'vitest' });

/** Follows the redirect of an action and returns the page with its flash message. */
async function flashAfter(response: { statusCode: number; headers: Record<string, unknown> }) {
  expect(response.statusCode).toBe(303);
  const page = await admin.get(String(response.headers.location));
  return /<div class="alert alert-(\w+)" role="status">([^<]*)<\/div>/.exec(page.body)?.slice(1) ?? [];
}

describe('GET /admin/invitations', () => {
  it('pages by 25, newest first, with the total and page links', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => invitationRow({ created_at: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString() }));
    await insertMany(t.deps.database.db, rows);
    const newestFirst = [...rows].reverse().map((r) => r.id);

    const first = await admin.get('/admin/invitations');
    expect(first.statusCode).toBe(200);
    expect(rowIds(first.body)).toEqual(newestFirst.slice(0, 25));
    expect(first.body).toContain('Showing 1–25 of 30');
    expect(first.body).toContain('href="/admin/invitations?page=2"');
    expect(first.body).toContain('class="table-responsive"');

    const second = await admin.get('/admin/invitations?page=2');
    expect(rowIds(second.body)).toEqual(newestFirst.slice(25));
    expect(second.body).toContain('Showing 26–30 of 30');
  });

  it('filters by status and UTC days, and searches email and username case-insensitively', async () => {
    const alice = await seed({ identifier: 'alice@example.com', status: 'failed', last_error: 'Plex refused the invite', created_at: '2026-11-10T23:59:59.000Z' });
    const bob = await seed({ identifier: 'Bob_Smith', created_at: '2026-11-11T00:00:00.000Z' });
    const carol = await seed({ identifier: 'carol@example.com', status: 'pending', created_at: '2026-11-12T08:00:00.000Z' });

    expect(rowIds((await admin.get('/admin/invitations?status=failed')).body)).toEqual([alice.id]);
    expect(rowIds((await admin.get('/admin/invitations?from=2026-11-11&to=2026-11-11')).body)).toEqual([bob.id]);
    expect(rowIds((await admin.get('/admin/invitations?to=2026-11-10')).body)).toEqual([alice.id]);
    expect(rowIds((await admin.get('/admin/invitations?q=ALICE')).body)).toEqual([alice.id]);
    expect(rowIds((await admin.get('/admin/invitations?q=b_s')).body)).toEqual([bob.id]);
    // LIKE wildcards typed by the admin are searched for literally.
    expect(rowIds((await admin.get('/admin/invitations?q=%25')).body)).toEqual([]);
    expect(rowIds((await admin.get('/admin/invitations?q=_')).body)).toEqual([bob.id]);
    expect(rowIds((await admin.get('/admin/invitations?status=pending&q=example')).body)).toEqual([carol.id]);

    const row = (await admin.get('/admin/invitations?status=failed')).body;
    expect(row).toContain('Plex refused the invite');
    expect(row).toContain('198.51.100.7');
    expect(row).toMatch(/action="\/admin\/invitations\/[^"]+\/retry"/);
  });

  it('filters accepted apart from sent and marks who joined with Plex (issue 12)', async () => {
    const joined = await seed({ identifier: 'alice', status: 'accepted', joined_with: 'plex', plex_account_id: '4242', created_at: '2026-11-20T10:00:00.000Z' });
    const typed = await seed({ identifier: 'bob@example.com', status: 'sent', created_at: '2026-11-19T10:00:00.000Z' });

    const accepted = await admin.get('/admin/invitations?status=accepted');
    expect(rowIds(accepted.body)).toEqual([joined.id]);
    expect(accepted.body).toContain('<option value="accepted" selected>Accepted</option>');
    expect(rowIds((await admin.get('/admin/invitations?status=sent')).body)).toEqual([typed.id]);

    const all = (await admin.get('/admin/invitations')).body;
    const rowOf = (id: string) => new RegExp(`<tr data-id="${id}"[^>]*>[\\s\\S]*?</tr>`).exec(all)![0];
    expect(rowOf(joined.id)).toContain('data-joined-with="plex"');
    expect(rowOf(joined.id)).toContain('>with Plex</span>');
    expect(rowOf(joined.id)).toContain('Plex account 4242');
    expect(rowOf(joined.id)).toContain(`/admin/invitations/${joined.id}/revoke`);
    expect(rowOf(typed.id)).toContain('data-joined-with="email"');
    expect(rowOf(typed.id)).not.toContain('with Plex');
    // Both reached Plex; the page says which one lets the friend watch.
    expect(all).toContain('<span class="fw-semibold">Accepted:</span> the friend signed in with Plex and Helpr accepted the invite for them, so they can watch now.');
    expect(all).toContain('<span class="fw-semibold">Sent:</span> the libraries are shared, and the invite waits for the friend to accept it in Plex.');

    const revoke = await admin.get(`/admin/invitations/${joined.id}/revoke`);
    expect(revoke.statusCode).toBe(200);
    expect(revoke.body).toMatch(/<dt class="col-5">Joined with<\/dt><dd class="col-7">Plex sign-in<div class="text-body-secondary">Plex account 4242<\/div><\/dd>/);
    expect(revoke.body).toContain('Accepted: the friend signed in with Plex');
  });

  it('explains a date that is not one beside the field and ignores it', async () => {
    await seed({});
    const page = await admin.get('/admin/invitations?from=2026-02-31');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="filter-from-error"');
    expect(rowIds(page.body)).toHaveLength(1);
  });

  it('offers retry only for pending or failed invitations and no revoke for revoked ones', async () => {
    const sent = await seed({ status: 'sent' });
    const revoked = await seed({ status: 'revoked' });
    const body = (await admin.get('/admin/invitations')).body;
    expect(body).not.toContain(`/admin/invitations/${sent.id}/retry`);
    expect(body).toContain(`/admin/invitations/${sent.id}/revoke`);
    expect(body).not.toContain(`/admin/invitations/${revoked.id}/revoke`);
  });
});

describe('GET /admin/invitations.csv', () => {
  it('exports the current filter as quoted CSV with a dated file name', async () => {
    await seed({ identifier: 'alice@example.com', status: 'failed', last_error: 'said "no", twice' });
    await seed({ identifier: 'bob', status: 'sent' });
    const response = await admin.get('/admin/invitations.csv?status=failed');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe('attachment; filename="helpr-invitations-2026-11-24.csv"');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('"id","created_at","identifier","identifier_kind","status","source","code","libraries","attempts","last_error","sent_at","client_ip","created_local","sent_local","time_zone","library_keys","joined_with","plex_account_id"');
    expect(lines).toHaveLength(3); // header, one row, and the empty string after the last CRLF
    // Libraries by name for the reader (not "1 2"); the keys stay in the last column for scripts.
    expect(lines[1]).toContain('"alice@example.com","email","failed","public","","Movies, TV Shows","1","said ""no"", twice"');
    expect(lines[1]).toMatch(/,"1 2","email",""$/);
  });

  it('exports accepted Plex joins with how they joined and their Plex account id (issue 12)', async () => {
    const joined = await seed({ identifier: 'alice', status: 'accepted', joined_with: 'plex', plex_account_id: '4242', created_at: '2026-11-20T10:00:00.000Z' });
    await seed({ identifier: 'bob@example.com', status: 'sent', created_at: '2026-11-19T10:00:00.000Z' });
    const lines = (await admin.get('/admin/invitations.csv?status=accepted')).body.split('\r\n');
    expect(lines).toHaveLength(3);
    // A random id may begin with "-": the CSV then defuses it as a formula ("'-...").
    const idCell = /^[-+=@]/.test(joined.id) ? `'${joined.id}` : joined.id;
    expect(lines[1]).toMatch(new RegExp(`^"${idCell}",.*,"alice","username","accepted","public",.*,"1 2","plex","4242"$`));
  });

  it('defuses cells a spreadsheet would run as formulas', async () => {
    await seed({ identifier: '=HYPERLINK("http://evil.example")', last_error: '+1+cmd', client_ip: '-2', user_agent: null });
    await seed({ identifier: '@SUM(A1)', created_at: '2026-11-19T00:00:00.000Z' });
    const body = (await admin.get('/admin/invitations.csv')).body;
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(body).toContain(`"'+1+cmd"`);
    expect(body).toContain(`"'-2"`);
    expect(body).toContain(`"'@SUM(A1)"`);
    expect(body).not.toMatch(/(^|,)"[=+\-@]/m);
  });

  it('pages through large exports without repeating or skipping rows that share a time', async () => {
    const rows = Array.from({ length: 2345 }, (_, i) => invitationRow({ created_at: `2026-11-0${1 + (i % 3)}T00:00:00.000Z` }));
    await insertMany(t.deps.database.db, rows);
    const lines = (await admin.get('/admin/invitations.csv')).body.trim().split('\r\n').slice(1);
    const ids = lines.map((line) => line.slice(1, line.indexOf('"', 1)));
    expect(ids).toHaveLength(2345);
    expect(new Set(ids).size).toBe(2345);
    const times = lines.map((line) => line.split(',')[1]!);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('retry now', () => {
  it('sends a failed invitation once Plex takes it again, through the lease', async () => {
    ctx.sim.control.addFault({ kind: 'status', status: 400, path: '/api/servers/', times: 1 });
    const { invitation } = await submit('alice');
    expect(invitation.status).toBe('failed');

    const [tone, message] = await flashAfter(await admin.post(`/admin/invitations/${invitation.id}/retry`, { back: '/admin/invitations?status=failed' }));
    expect(tone).toBe('success');
    expect(message).toBe('Invitation sent to alice.');
    const row = await t.deps.repositories.invitations.findById(invitation.id);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, lease_owner: null, last_error: null });
    expect(ctx.sim.control.state().pending.map((s) => s.invitedUsername)).toEqual(['alice']);
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'invitation.retry' });
    expect(audit.entries[0]).toMatchObject({ actor: 'owner', target: 'alice', details: { invitation: invitation.id, status: 'sent' } });
  });

  it('refuses an invitation that is already settled, with a message and nothing sent', async () => {
    const sent = await seed({ status: 'sent', identifier: 'bob' });
    const [tone, message] = await flashAfter(await admin.post(`/admin/invitations/${sent.id}/retry`));
    expect(tone).toBe('danger');
    expect(message).toContain('only pending or failed');
    expect(ctx.sim.control.state().shares).toEqual([]);
  });

  it('answers 404 for an unknown invitation', async () => {
    expect((await admin.post('/admin/invitations/nope/retry')).statusCode).toBe(404);
  });
});

describe('revoke access', () => {
  it('asks for confirmation, then ends an accepted share on Plex', async () => {
    const { invitation } = await submit('alice');
    expect(await ctx.client().sharing.acceptInvite(friend('alice').token, 'owner')).toBe('accepted');
    expect(ctx.sim.control.state().accepted).toHaveLength(1);

    const confirm = await admin.get(`/admin/invitations/${invitation.id}/revoke?back=${encodeURIComponent('/admin/invitations?q=alice')}`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`action="/admin/invitations/${invitation.id}/revoke"`);
    expect(confirm.body).toContain('href="/admin/invitations?q=alice"');
    expect(ctx.sim.control.state().accepted).toHaveLength(1); // the GET changes nothing

    const response = await admin.post(`/admin/invitations/${invitation.id}/revoke`, { back: '/admin/invitations?q=alice' });
    expect(response.headers.location).toBe('/admin/invitations?q=alice');
    const [tone, message] = await flashAfter(response);
    expect(tone).toBe('success');
    expect(message).toContain('removed on Plex');
    expect(ctx.sim.control.state().shares).toEqual([]);
    expect(await statusOf(invitation.id)).toBe('revoked');
    const audit = await t.deps.services.audit.list({ page: 1, perPage: 10, action: 'access.revoke' });
    expect(audit.entries[0]).toMatchObject({ actor: 'owner', target: 'alice', details: { removedFromPlex: true } });
  });

  it('cancels a pending invite to an email address', async () => {
    const { invitation } = await submit('newcomer@example.com');
    expect(ctx.sim.control.state().pending).toHaveLength(1);
    await flashAfter(await admin.post(`/admin/invitations/${invitation.id}/revoke`));
    expect(ctx.sim.control.state().shares).toEqual([]);
    expect(await statusOf(invitation.id)).toBe('revoked');
  });

  it('still marks revoked when Plex has no share, and says so', async () => {
    const row = await seed({ identifier: 'bob' });
    const [tone, message] = await flashAfter(await admin.post(`/admin/invitations/${row.id}/revoke`));
    expect(tone).toBe('warning');
    expect(message).toContain('Plex had no share or pending invite for bob');
    expect(await statusOf(row.id)).toBe('revoked');
  });

  it('leaves the invitation as it was when Plex fails', async () => {
    const { invitation } = await submit('alice');
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: '/api/v2/shared_servers' });
    const [tone, message] = await flashAfter(await admin.post(`/admin/invitations/${invitation.id}/revoke`));
    expect(tone).toBe('danger');
    expect(message).toMatch(/^Plex did not remove the access of alice \(.+\)\. The invitation was left as it was: try again\.$/);
    expect(await statusOf(invitation.id)).toBe('sent');
    expect(ctx.sim.control.state().shares).toHaveLength(1);
  });
});

describe('invite someone from the admin page', () => {
  it('sends an invitation without a code and records who asked', async () => {
    await t.deps.services.settings.update({ joinMode: 'code' });
    const [tone, message] = await flashAfter(await admin.post('/admin/invitations', { email: 'bob' }));
    expect([tone, message]).toEqual(['success', 'Invitation sent to bob.']);
    const page = await admin.get('/admin/invitations?q=bob');
    expect(page.body).toContain('by admin');
    expect(ctx.sim.control.state().pending.map((s) => s.invitedUsername)).toEqual(['bob']);
  });

  it('shows what is wrong with the address', async () => {
    const [tone, message] = await flashAfter(await admin.post('/admin/invitations', { email: 'not an address@' }));
    expect(tone).toBe('danger');
    expect(message).toContain('email address');
  });
});

it('refuses every invitation form without a CSRF token', async () => {
  const row = await seed({ status: 'failed', identifier: 'alice' });
  for (const url of ['/admin/invitations', `/admin/invitations/${row.id}/retry`, `/admin/invitations/${row.id}/revoke`]) {
    const response = await t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=bob',
    });
    expect(response.statusCode, url).toBe(403);
  }
  expect(await statusOf(row.id)).toBe('failed');
  expect(ctx.sim.control.state().shares).toEqual([]);
});
