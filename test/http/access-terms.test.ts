import { beforeEach, describe, expect, it } from 'vitest';
import { useSimulator } from '../helpers/plex-sim.js';
import { submitAndFollow, textOf } from '../helpers/public-requests.js';
import { useReadyAdmin } from '../helpers/ready-app.js';

/**
 * Issue 13, access that expires and permissions per code: the owner gives a code (or the default
 * settings) days of access and permissions; the friend's share in Plex gets the permissions, the
 * sync gives them their end of access, the users page shows both, and the friend's page the date.
 */
const ctx = useSimulator();
const admin = useReadyAdmin(ctx);
const DAY = 86_400_000;
const NOW = '2026-11-24T12:00:00.000Z';
const plusDays = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY).toISOString();
const NONE = { allowSync: false, allowChannels: false, allowCameraUpload: false };

beforeEach(async () => {
  const { t } = admin;
  const db = t.deps.database.db;
  await db.deleteFrom('user_actions').execute();
  await db.deleteFrom('plex_users').execute();
  await db.deleteFrom('invite_code_uses').execute();
  await db.deleteFrom('invitations').execute();
  await db.deleteFrom('invite_codes').execute();
  await t.deps.services.settings.update({ access: { days: null, startsOn: 'accepted' }, sharing: NONE, joinMode: 'open' });
});

const createCode = (body: Record<string, unknown>) => admin.api('POST', '/codes', body);
const userOf = async (identifier: string) => {
  const rows = await admin.t.deps.database.db.selectFrom('plex_users').selectAll().execute();
  return rows.find((row) => row.email === identifier || row.username === identifier);
};
const simShare = (who: string) => ctx.sim.control.state().shares.find((share) => share.invitedEmail === who || share.invitedUsername === who);

describe('codes with their own access terms and permissions (API)', () => {
  it('keeps days, start and permissions; without them the code follows the settings; bad values are 400s naming the field', async () => {
    const trial = await createCode({ code: 'TRIAL-7', accessDays: 7, accessStartsOn: 'sent', permissions: { allowSync: true } });
    expect(trial.statusCode).toBe(201);
    expect(trial.json()).toMatchObject({ accessDays: 7, accessStartsOn: 'sent', permissions: { allowSync: true, allowChannels: false, allowCameraUpload: false } });

    const plain = await createCode({ code: 'PLAIN' });
    expect(plain.json()).toMatchObject({ accessDays: null, accessStartsOn: null, permissions: null });
    // accessDays null: the code's own terms, with no end (where the settings may have one).
    const forever = await createCode({ code: 'FOREVER', accessDays: null });
    expect(forever.json()).toMatchObject({ accessDays: null, accessStartsOn: 'accepted' });

    for (const [body, field] of [
      [{ accessDays: 0 }, 'accessDays'],
      [{ accessDays: 3651 }, 'accessDays'],
      [{ accessDays: 5, accessStartsOn: 'later' }, 'accessStartsOn'],
    ] as const) {
      const refused = await createCode(body);
      expect(refused.statusCode).toBe(400);
      expect(Object.keys(refused.json().error.fields)).toEqual([field]);
    }
    expect((await createCode({ permissions: { allowSync: 'yes' } })).statusCode).toBe(400);
    const listed = await admin.api('GET', '/codes');
    expect(listed.json().items.map((code: { code: string }) => code.code).sort()).toEqual(['FOREVER', 'PLAIN', 'TRIAL-7']);
  });
});

describe('a friend who joins with a code that gives 7 days from the send and downloads', () => {
  it('gets a share that allows downloads, an end of access 7 days after the send, and sees the date', async () => {
    const { t, session } = admin;
    await createCode({ code: 'TRIAL-7', accessDays: 7, accessStartsOn: 'sent', permissions: { allowSync: true } });
    const { id, page } = await submitAndFollow(t.app, { email: 'alice@example.com', code: 'trial-7' });
    expect(page.body).toContain('data-status="sent"');
    expect(simShare('alice')?.settings).toMatchObject({ allowSync: true, allowChannels: false, allowCameraUpload: false });
    const until = plusDays(NOW, 7);
    expect(textOf(page.body)).toContain('Your access lasts until 2026-12-01 12:00 UTC.');

    await t.deps.services.usersSync.run();
    const alice = await userOf('alice@example.com');
    expect(alice).toMatchObject({ state: 'pending', expires_at: until, invitation_id: id });
    const person = await session.get(`/admin/users/${alice!.id}`);
    expect(textOf(person.body)).toMatch(/Also allowed\s*Downloads/);
    expect(textOf(person.body)).toMatch(/Access ends\s*2026-12-01 12:00 UTC/);
  });
});

describe('the default settings: 30 days from when the friend accepts', () => {
  it('saves the terms from the settings form, counts from acceptance, and the friend is told so before and the date after', async () => {
    const { t, session } = admin;
    const saved = await session.post('/admin/settings/invites', { joinMode: 'open', accessDays: '30', accessStartsOn: 'accepted', allowChannels: 'on', duplicateWindowMinutes: '10' });
    expect(saved.statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).access).toEqual({ days: 30, startsOn: 'accepted' });
    const audit = await t.deps.database.db.selectFrom('audit_log').select('details').where('action', '=', 'settings.update').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details ?? '{}').fields).toEqual(expect.arrayContaining(['access.days', 'sharing.allowChannels']));

    const { id, page } = await submitAndFollow(t.app, { email: 'bob' });
    expect(textOf(page.body)).toContain('Your access lasts 30 days from when you accept the invite.');
    expect(simShare('bob')?.settings.allowChannels).toBe(true);
    await t.deps.services.usersSync.run();
    expect((await userOf('bob'))?.expires_at).toBeNull();

    await ctx.client().sharing.acceptInvite('bob-token', 'owner');
    t.clock.advance(60_000);
    await t.deps.services.usersSync.run();
    const bob = await userOf('bob');
    const accepted = plusDays(new Date(new Date(NOW).getTime() + 60_000).toISOString(), 30);
    expect(bob).toMatchObject({ state: 'active', expires_at: accepted });
    const after = await t.app.inject({ method: 'GET', url: `/requests/${id}` });
    expect(textOf(after.body)).toContain('Your access lasts until 2026-12-24 12:01 UTC.');

    // A request made under the old terms keeps them: changing the settings now does not move Bob's end.
    await session.post('/admin/settings/invites', { joinMode: 'open', accessDays: '', accessStartsOn: 'accepted', duplicateWindowMinutes: '10' });
    expect((await t.deps.services.settings.get()).access).toEqual({ days: null, startsOn: 'accepted' });
    await t.deps.services.usersSync.run();
    expect((await userOf('bob'))?.expires_at).toBe(accepted);
  });

  it('refuses a number of days that is not one, keeping what was typed, and saves nothing', async () => {
    const { t, session } = admin;
    const refused = await session.post('/admin/settings/invites', { joinMode: 'open', accessDays: '2.5', accessStartsOn: 'accepted', duplicateWindowMinutes: '10' });
    expect(refused.statusCode).toBe(400);
    expect(textOf(refused.body)).toContain('Enter a whole number of days from 1 to 3650, or leave it empty for no end.');
    expect(refused.body).toMatch(/id="accessDays"[^>]*value="2.5"/);
    expect((await t.deps.services.settings.get()).access.days).toBeNull();
  });
});

describe('the create-code form', () => {
  it('creates a code with its own days and permissions, and explains a contradiction instead of guessing', async () => {
    const { t, session } = admin;
    const form = { code: 'TWO-WEEKS', expiresIn: 'never', access: 'days', accessDays: '14', accessStartsOn: 'sent', permissionsMode: 'own', permissions: ['allowChannels'] };
    const created = await session.post('/admin/codes', form);
    expect(created.statusCode).toBe(303);
    const code = (await t.deps.services.codes.listCodes({ limit: 10, offset: 0 })).find((entry) => entry.code === 'TWO-WEEKS');
    expect(code).toMatchObject({ accessDays: 14, accessStartsOn: 'sent', permissions: { allowSync: false, allowChannels: true, allowCameraUpload: false } });
    const page = textOf((await session.get('/admin/codes')).body);
    expect(page).toContain('14 days from when the invite is sent Also allowed: Live TV');

    const contradiction = await session.post('/admin/codes', { ...form, code: 'NO-END', access: 'forever' });
    expect(contradiction.statusCode).toBe(400);
    expect(textOf(contradiction.body)).toContain('You chose no end and also typed a number of days');
    // Days typed while "As in Settings" is still chosen (a form without JavaScript): the days win.
    expect((await session.post('/admin/codes', { code: 'TYPED', expiresIn: 'never', access: 'default', accessDays: '3' })).statusCode).toBe(303);
    const typed = (await t.deps.services.codes.listCodes({ limit: 10, offset: 0 })).find((entry) => entry.code === 'TYPED');
    expect(typed).toMatchObject({ accessDays: 3, accessStartsOn: 'accepted', permissions: null });
  });
});
