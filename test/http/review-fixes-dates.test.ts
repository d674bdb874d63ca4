import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

// Issue 19 review, point 5: a reversed date range keeps both dates typed in, with the message under To.
const ctx = useSimulator();
let t: TestApp;
let session: AdminSession;

beforeAll(async () => {
  t = await createReadyApp(ctx.sim);
  session = await signIn(t.app);
});
afterAll(() => t.close());

describe('a reversed date range on /admin/invitations', () => {
  it('keeps both dates in their fields and says why under the To field', async () => {
    const page = await session.get('/admin/invitations?from=2026-11-20&to=2026-11-10');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/id="filter-from" name="from" type="date" value="2026-11-20"/);
    expect(page.body).toMatch(/id="filter-to" name="to" type="date" value="2026-11-10" aria-describedby="filter-to-error"/);
    // The message is in the To field's own column, right after its input.
    const toColumn = /<label class="form-label" for="filter-to">To<\/label>([\s\S]*?)<\/div>\s*<div class="col-12 col-md-2">/.exec(page.body)?.[1] ?? '';
    expect(toColumn).toContain('id="filter-to-error"');
    expect(toColumn).toContain('This date is before the From date.');
  });
});
