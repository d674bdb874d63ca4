import { afterEach, describe, expect, it } from 'vitest';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Issue 19, point 7: the owner reads names (libraries, the server, codes), never ids; ids stay folded away. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
/** What a reader sees without opening any <details>. */
const visible = (html: string) => text(html.replace(/<details[\s\S]*?<\/details>/g, ''));
const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };
const SERVER_ID = '96f2fe7a78c9dc1f16a16bedbe90f98149be16b4';

describe('names instead of ids', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  let admin: AdminSession;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const ready = async () => {
    t = await createReadyApp(plex.sim);
    admin = await signIn(t.app);
  };

  it('libraries by title and kind: no "key 1" in setup or on the libraries page; the numbers in a disclosure', async () => {
    t = await createTestApp(simulatorEnv(plex.sim));
    await t.deps.services.admins.createAdmin({ username: 'owner', password: 'a long enough password' });
    admin = await signIn(t.app);
    const setup = await admin.get('/admin/setup/libraries');
    expect(setup.statusCode).toBe(200);
    expect(visible(setup.body)).toContain('Movies Films');
    expect(visible(setup.body)).toContain('TV Shows TV shows');
    expect(setup.body).not.toMatch(/key \d|movie ·/);

    const page = await admin.get('/admin/libraries');
    expect(page.body).not.toContain('<th scope="col">Key</th>');
    expect(visible(page.body)).not.toMatch(/Movies\s+Movies\s+1\b/);
    expect(page.body).toMatch(/<details class="small mb-3 library-numbers">[\s\S]*Movies: <span class="font-monospace">1<\/span>/);
  });

  it('the server by its name, its identifier folded away; the connection test in plain words', async () => {
    await ready();
    const before = await admin.get('/admin/settings');
    expect(visible(before.body)).toContain('Your Plex server');
    expect(visible(before.body)).not.toContain(SERVER_ID);
    expect(before.body).toMatch(new RegExp(`<details class="small mt-1 server-id">[\\s\\S]*${SERVER_ID}`));

    const report = await t!.deps.services.connectionTests.run();
    expect(report.ok).toBe(true);
    const server = report.steps.find((step) => step.name === 'server')!;
    expect(server.detail).toBe('Home PMS, owned by this account');
    const mapping = report.steps.find((step) => step.name === 'mapping')!;
    expect(mapping).toMatchObject({ label: 'Libraries ready to share', detail: '3 of 3 libraries ready to share' });

    for (const url of ['/admin/settings', '/admin/plex']) {
      const page = await admin.get(url);
      expect(visible(page.body), url).toContain('Home PMS');
      expect(visible(page.body), url).not.toMatch(new RegExp(`${SERVER_ID}|plex\\.tv ids?|mapped`));
    }
  });

  it('the audit log names codes, libraries and the server, with what was recorded in a disclosure', async () => {
    await ready();
    const code = await t!.deps.services.codeAdmin.create({ code: 'Movie-Night', label: 'Book club', maxUses: 3, libraries: ['1', '2'] }, OWNER);
    await t!.deps.services.codeAdmin.create({ code: 'No-Label' }, OWNER);
    await t!.deps.services.codeAdmin.revoke(code.id, OWNER);
    await t!.deps.services.libraries.select(['2', '1'], OWNER);
    await t!.deps.services.serverChoice.choose(SERVER_ID, OWNER).catch(() => undefined); // PLEX_SERVER_ID decides here
    await t!.deps.services.audit.record(OWNER, 'settings.update', 'plex.server', { serverId: SERVER_ID, name: 'Home PMS' });

    const page = await admin.get('/admin/audit');
    const shown = visible(page.body);
    expect(shown).toContain('invite code “Book club”');
    expect(shown).toContain('3 uses; never expires; gives Movies, TV Shows; code chosen by hand.');
    expect(shown).toContain('an unlabelled invite code created 2026-11-24 12:00');
    expect(shown).toContain('Never used.');
    expect(shown).toContain('New friends get TV Shows, Movies.');
    expect(shown).toContain('Chose Home PMS.');
    expect(page.body).toContain(`href="/admin/codes/${code.id}"`);
    // No UUIDs, raw field dumps or the codes themselves in what is read.
    expect(shown).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|label: |custom: |maxUses|serverId|Movie-Night|No-Label/);
    expect(page.body).toMatch(/<summary class="text-body-secondary">Recorded data<\/summary>/);
    expect(page.body).not.toMatch(/Movie-Night|No-Label/);
  });

  it('the invitations list and its CSV name the libraries', async () => {
    await ready();
    const { invitation } = await t!.deps.services.invitations.submit({ email: 'friend@example.com', clientIp: '198.51.100.2', userAgent: 'vitest' });
    expect(invitation.status).toBe('sent');
    const page = await admin.get('/admin/invitations');
    const row = new RegExp(`<tr data-id="${invitation.id}"[\\s\\S]*?</tr>`).exec(page.body)![0];
    expect(text(row)).toContain('Movies, TV Shows');
    const csv = (await admin.get('/admin/invitations.csv')).body.split('\r\n')[1]!;
    expect(csv).toContain('"Movies, TV Shows"');
  });
});
