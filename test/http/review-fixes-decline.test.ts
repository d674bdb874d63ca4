import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { requestIdOf, submitRequest } from '../helpers/public-requests.js';
import { createReadyApp } from '../helpers/ready-app.js';

// Issue 19 review, point 4: a declined request gives its invite code use back.
const ctx = useSimulator();
let t: TestApp;
let admin: AdminSession;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim, { joinMode: 'approval' });
  admin = await signIn(t.app);
  await t.deps.services.settings.updateLimits({ invitesPerWindow: 1000 });
});
afterAll(() => t.close());

const usesOf = async (codeId: string) => (await t.deps.repositories.inviteCodes.findById(codeId))?.uses;

describe('declining a request that came with an invite code', () => {
  it('gives the use back (with its record), so a one-use code works again; never below zero', async () => {
    const code = await t.deps.services.codes.createCode({ code: 'ONE-FRIEND', maxUses: 1 });
    const id = requestIdOf(await submitRequest(t.app, { email: 'first@example.com', code: 'ONE-FRIEND' }));
    expect(await usesOf(code.id)).toBe(1);

    const declined = await admin.post(`/admin/invitations/${id}/decline`);
    expect(declined.statusCode).toBe(303);
    expect((await t.deps.repositories.invitations.findById(id))?.status).toBe('declined');
    expect(await usesOf(code.id)).toBe(0);
    expect(await t.deps.repositories.inviteCodes.countUses(code.id)).toBe(0);

    // The code is usable again; declining once more changes nothing (not waiting any more).
    const second = requestIdOf(await submitRequest(t.app, { email: 'second@example.com', code: 'ONE-FRIEND' }));
    expect(await usesOf(code.id)).toBe(1);
    await admin.post(`/admin/invitations/${id}/decline`);
    expect(await usesOf(code.id)).toBe(1);

    // A counter already at zero (changed by hand) stays at zero.
    await t.deps.database.db.updateTable('invite_codes').set({ uses: 0 }).where('id', '=', code.id).execute();
    await admin.post(`/admin/invitations/${second}/decline`);
    expect(await usesOf(code.id)).toBe(0);
    expect((await t.deps.repositories.invitations.findById(second))?.status).toBe('declined');
  });
});
