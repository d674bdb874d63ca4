import { afterEach, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Issue 19, point 6: the audit log says what a setting became, tells unlabelled codes apart, and keeps emails whole. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
const visible = (html: string) => text(html.replace(/<details[\s\S]*?<\/details>/g, ''));
const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

describe('audit log words (issue 19)', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  let admin: AdminSession;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('names the new value of who may join and of the time zone', async () => {
    t = await createReadyApp(plex.sim, { joinMode: 'code' });
    admin = await signIn(t.app);
    await t.deps.services.settingsAdmin.save('invites', { joinMode: 'open', duplicateWindowMinutes: '10' }, OWNER);
    await t.deps.services.settingsAdmin.save('time', { timeZone: 'Europe/Berlin' }, OWNER);
    await t.deps.services.settingsAdmin.setJoinMode('approval', OWNER);
    const shown = visible((await admin.get('/admin/audit')).body);
    expect(shown).toContain('Changed who may join to “anyone with the address”.');
    expect(shown).toContain('Changed time zone to Europe/Berlin.');
    expect(shown).toContain('Changed who may join to “you approve each request”.');
  });

  it('tells an unlabelled code by when it was made, never by its text, and lets an email break only before its @', async () => {
    t = await createReadyApp(plex.sim);
    admin = await signIn(t.app);
    await t.deps.services.codeAdmin.create({ code: 'Secret-Door' }, OWNER);
    await t.deps.services.audit.record(OWNER, 'access.revoke', 'averyveryverylongname@example.com', { removedFromPlex: true });
    const page = await admin.get('/admin/audit');
    const shown = visible(page.body);
    expect(shown).toContain('an unlabelled invite code created 2026-11-24 12:00');
    expect(shown).not.toContain('without a label');
    expect(page.body).not.toContain('Secret-Door');
    expect(page.body).toContain('<td class="audit-target">averyveryverylongname<wbr>@example.com</td>');
    expect(page.body).not.toMatch(/<td class="[^"]*text-break[^"]*">averyvery/);
  });
});
