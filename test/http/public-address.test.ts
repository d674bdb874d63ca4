import { afterEach, describe, expect, it } from 'vitest';
import { addressWarnings, parsePublicAddress } from '../../src/modules/public-address/public-address.js';
import { signIn, type AdminSession } from '../helpers/admin-session.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

/** Issue 19, point 2: a "Public address" setting for invite links, checked, with warnings where links show. */
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ');
const inputValue = (html: string, id: string) => new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1];
const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

describe('parsePublicAddress', () => {
  it('keeps an http(s) origin with an optional path, without the trailing slash', () => {
    expect(parsePublicAddress(' https://Invite.Example.com/ ')).toBe('https://invite.example.com');
    expect(parsePublicAddress('https://example.com:8443/invite/')).toBe('https://example.com:8443/invite');
    expect(parsePublicAddress('http://[2001:db8::1]:8080')).toBe('http://[2001:db8::1]:8080');
    expect(parsePublicAddress('')).toBeNull();
  });

  it('refuses anything else with a plain message naming the field', () => {
    const refusals: Array<[string, RegExp]> = [
      ['invite.example.com', /Start the address with https:\/\//],
      ['ftp://invite.example.com', /Start the address with https:\/\//],
      ['https://invite.example.com/?a=1', /Leave out everything from \? or #/],
      ['https://invite.example.com/#top', /Leave out everything from \? or #/],
      ['https://me:secret@invite.example.com', /Leave out the user name and password/],
      ['https://invite example.com', /no spaces/],
      [`https://${'a'.repeat(200)}.com`, /200 characters or fewer/],
      ['https://', /Enter the address friends open/],
    ];
    for (const [typed, message] of refusals) {
      expect(() => parsePublicAddress(typed), typed).toThrow(message);
      try {
        parsePublicAddress(typed);
      } catch (error) {
        expect((error as { fields: Record<string, string> }).fields.publicAddress, typed).toMatch(message);
      }
    }
  });
});

describe('addressWarnings', () => {
  it('warns about this computer, the home network and plain http on a public name, each in its own words', () => {
    for (const local of ['http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:8080', 'https://helpr.localhost']) {
      expect(addressWarnings(local), local).toEqual([`${local} only works on the computer Helpr runs on, so friends' phones and computers cannot open it.`]);
    }
    for (const home of ['http://10.0.0.5', 'http://172.16.1.2:8080', 'http://172.31.255.1', 'https://192.168.1.20', 'http://[fd12:3456::1]', 'http://[fe80::1]', 'https://nas.local', 'http://helpr.lan:8080', 'http://nas:8080']) {
      expect(addressWarnings(home), home).toEqual([`Friends outside your home network cannot open ${home}, because it is an address of your own network.`]);
    }
    expect(addressWarnings('http://invite.example.com')).toEqual([
      'http://invite.example.com uses plain http, so browsers mark the page "Not secure" and what friends type travels unencrypted. Use an https address if you can.',
    ]);
    for (const fine of ['https://invite.example.com', 'https://172.32.0.1', 'https://203.0.113.7:8443/invite']) expect(addressWarnings(fine), fine).toEqual([]);
  });

  it('never puts a second colon after an address that has a port (issue 19: "…:8080: it is…")', () => {
    for (const address of ['http://localhost:8080', 'http://192.168.1.20:8080', 'http://invite.example.com:8080']) {
      const [warning] = addressWarnings(address);
      expect(warning, address).toBeDefined();
      // Only the colons inside the address itself: none in the sentence around it.
      expect(warning!.replace(address, ''), address).not.toContain(':');
    }
  });
});

describe('the public address in settings, links and setup', () => {
  const plex = useSimulator();
  let t: TestApp | undefined;
  let admin: AdminSession;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  const ready = async (env: Record<string, string> = {}) => {
    t = await createReadyApp(plex.sim, { env });
    admin = await signIn(t.app);
    return t.deps.services.codeAdmin.create({ code: 'Movie-Night' }, OWNER);
  };

  it('is saved in settings, checked, audited, and every invite link and QR code uses it', async () => {
    const code = await ready();
    const page = await admin.get('/admin/settings');
    expect(page.body).toContain('id="address"');
    expect(inputValue(page.body, 'publicAddress')).toBe('');
    // Not set: links use the address this page reached, and the page says so.
    expect(text(page.body)).toContain('because no public address is set');

    const refused = await admin.post('/admin/settings/address', { publicAddress: 'invite.example.com/?x=1' });
    expect(refused.statusCode).toBe(400);
    expect(text(refused.body)).toContain('Start the address with https://');
    expect(inputValue(refused.body, 'publicAddress')).toBe('invite.example.com/?x=1');
    expect((await t!.deps.services.settings.get()).publicAddress).toBeNull();

    const saved = await admin.post('/admin/settings/address', { publicAddress: 'https://invite.example.com/' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings#address');
    const after = await admin.get('/admin/settings');
    expect(text(after.body)).toContain('Public address saved: invite links now start with https://invite.example.com.');
    expect(inputValue(after.body, 'publicAddress')).toBe('https://invite.example.com');
    expect(after.body).not.toContain('data-address-warning');

    const detail = await admin.get(`/admin/codes/${code.id}`);
    expect(inputValue(detail.body, 'code-link')).toBe('https://invite.example.com/join/Movie-Night');
    expect((await admin.get(`/admin/codes/${code.id}/qr.svg`)).statusCode).toBe(200);
    const key = (await t!.deps.services.apiKeys.create({ name: 'ci', createdBy: null })).key;
    const api = await t!.app.inject({ url: '/api/v1/codes', headers: { authorization: `Bearer ${key}` } });
    expect(api.json().items.map((item: { link: string }) => item.link)).toEqual(['https://invite.example.com/join/Movie-Night']);
    const audit = (await t!.deps.services.audit.list({ page: 1, perPage: 5, action: 'settings' })).entries[0];
    expect(audit).toMatchObject({ action: 'settings.update', target: 'address', details: { fields: ['publicAddress'], to: 'https://invite.example.com' } });

    // Emptying the field goes back to what Helpr works out.
    await admin.post('/admin/settings/address', { publicAddress: '' });
    expect((await t!.deps.services.settings.get()).publicAddress).toBeNull();
  });

  it('warns on every page with a link when the address is local, private or plain http', async () => {
    const code = await ready();
    const cases: Array<[string, string]> = [
      ['http://192.168.1.20:8080', 'Friends outside your home network cannot open http://192.168.1.20:8080'],
      ['http://localhost:8080', 'only works on the computer Helpr runs on'],
      ['http://invite.example.com', 'uses plain http'],
    ];
    for (const [address, warning] of cases) {
      await t!.deps.services.settings.update({ publicAddress: address });
      for (const url of ['/admin/codes', `/admin/codes/${code.id}`, `/admin/codes?created=${code.id}`, '/admin/settings']) {
        const page = await admin.get(url);
        expect(page.statusCode, url).toBe(200);
        expect(text(page.body), `${url} ${address}`).toContain(warning);
      }
    }
  });

  it('with BASE_URL, shows it as set by the environment, not editable, and links follow it', async () => {
    const code = await ready({ BASE_URL: 'https://from-env.example.com' });
    await t!.deps.services.settings.update({ publicAddress: 'https://ignored.example.com' });
    const page = await admin.get('/admin/settings');
    expect(page.body).toMatch(/id="publicAddress"[^>]*value="https:\/\/from-env.example.com"[^>]* disabled/);
    expect(text(page.body)).toContain('Set by BASE_URL in the environment');
    expect(page.body).not.toContain('Save address');
    const refused = await admin.post('/admin/settings/address', { publicAddress: 'https://other.example.com' });
    expect(refused.statusCode).toBe(409);
    expect(inputValue((await admin.get(`/admin/codes/${code.id}`)).body, 'code-link')).toBe('https://from-env.example.com/join/Movie-Night');
  });

  it("is asked at the setup's end, checked there, with the warnings for the address links would use", async () => {
    t = await createTestApp(simulatorEnv(plex.sim));
    await t.deps.services.admins.createAdmin({ username: 'owner', password: 'a long enough password' });
    admin = await signIn(t.app);
    const done = await admin.get('/admin/setup/done');
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('name="publicAddress"');
    // Without an address, links would use the one this page reached (localhost under test): said plainly.
    expect(text(done.body)).toContain('only works on the computer Helpr runs on');

    const refused = await admin.post('/admin/setup/done', { joinMode: 'code', publicAddress: 'ftp://nope' });
    expect(refused.statusCode).toBe(400);
    expect(text(refused.body)).toContain('Start the address with https://');
    expect(await t.deps.services.setupWizard.openStep()).toBe('/admin/setup/libraries');

    const finished = await admin.post('/admin/setup/done', { joinMode: 'code', publicAddress: 'https://invite.example.com' });
    expect(finished.headers.location).toBe('/admin');
    expect((await t.deps.services.settings.get()).publicAddress).toBe('https://invite.example.com');
  });
});
