import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { InvitationRow } from '../../src/modules/invitations/invitations.repository.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// Issue 19 review, point 1: "Retry all failed" queues only what a retry can help, like "Retry now".
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
});

const failed = (identifier: string, error_kind: string | null, last_error: string) => invitationRow({ identifier, status: 'failed', error_kind, last_error });

/** One failed row a retry can help, and three Plex would refuse again (one recorded the old way). */
async function seed(): Promise<Record<string, InvitationRow>> {
  const rows = {
    gaveUp: failed('gave-up@example.com', 'upstream', 'Gave up after 24 hours: Plex failed'),
    self: failed('owner@example.com', 'self_share', 'Plex refused sending the invite (400: You cannot share a server with yourself)'),
    unknown: failed('nobody-here', 'unknown_account', 'Plex refused sending the invite (400: User could not be found)'),
    oldUnknown: failed('old-nobody', 'rejected', 'Plex refused sending the invite (400: User could not be found)'),
  };
  await insertMany(t.deps.database.db, Object.values(rows));
  return rows;
}

const statusOf = async (row: InvitationRow) => (await t.deps.repositories.invitations.findById(row.id))?.status;
const hasButton = async () => (await session.get('/admin/invitations')).body.includes('action="/admin/invitations/retry-failed"');

describe('Retry all failed leaves refusals for good alone', () => {
  it('queues only the failed rows a retry can help, says how many were left, and hides the button when none is left to help', async () => {
    const rows = await seed();
    expect(await hasButton()).toBe(true);
    await session.post('/admin/invitations/retry-failed');
    const text = textOf((await session.get('/admin/invitations')).body);
    expect(text).toContain('1 failed invitation was queued again');
    expect(text).toContain('3 failed invitations were left as they are: Plex would refuse them again');
    expect(await statusOf(rows.gaveUp!)).toBe('pending');
    expect([await statusOf(rows.self!), await statusOf(rows.unknown!), await statusOf(rows.oldUnknown!)]).toEqual(['failed', 'failed', 'failed']);
    // Only refusals for good are failed now: nothing a retry could help, so no button.
    expect(await hasButton()).toBe(false);
  });

  it('the API does the same and answers both counts', async () => {
    const rows = await seed();
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/invitations/retry-failed', headers: { authorization: `Bearer ${key}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ queued: 1, refused: 3 });
    expect(await statusOf(rows.unknown!)).toBe('failed');
  });
});
