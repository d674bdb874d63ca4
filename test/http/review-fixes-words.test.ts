import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { textOf } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// Issue 19 review, point 8: an invite waiting is cancelled (not "access revoked"); the friend's page has two steps.
const ctx = useSimulator();
let t: TestApp;
let session: AdminSession;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim);
  session = await signIn(t.app);
});
afterAll(() => t.close());

describe('an invite still waiting in Plex', () => {
  it('offers "Cancel invite" (the same action) where a share offers "Revoke access"', async () => {
    const waiting = invitationRow({ identifier: 'waiting@example.com', status: 'already_invited' });
    const shared = invitationRow({ identifier: 'shared@example.com', status: 'sent' });
    await insertMany(t.deps.database.db, [waiting, shared]);
    const page = await session.get('/admin/invitations');
    const rowOf = (id: string) => new RegExp(`data-id="${id}"[\\s\\S]*?</tr>`).exec(page.body)?.[0] ?? '';
    expect(textOf(rowOf(waiting.id))).toContain('Cancel invite for waiting@example.com');
    expect(textOf(rowOf(waiting.id))).not.toContain('Revoke access');
    expect(rowOf(waiting.id)).toContain(`href="/admin/invitations/${waiting.id}/revoke?`);
    expect(textOf(rowOf(shared.id))).toContain('Revoke access for shared@example.com');
    const confirm = textOf((await session.get(`/admin/invitations/${waiting.id}/revoke`)).body);
    expect(confirm).toContain('Cancel the invite?');
    expect(confirm).not.toContain('Revoke access');
  });

  it('tells the friend two steps, then "nothing else to do" as a sentence after them', async () => {
    const waiting = invitationRow({ identifier: 'friend@example.com', status: 'already_invited' });
    await insertMany(t.deps.database.db, [waiting]);
    const body = (await t.app.inject(`/requests/${waiting.id}`)).body;
    const list = /<ol[^>]*>([\s\S]*?)<\/ol>/.exec(body)?.[1] ?? '';
    expect(list.match(/<li/g)).toHaveLength(2);
    expect(list).not.toContain('Nothing else to do here');
    expect(body).toMatch(/<\/ol>\s*<p class="request-after">Nothing else to do here: no new invite was needed.<\/p>/);
  });
});
