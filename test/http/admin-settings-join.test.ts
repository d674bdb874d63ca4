import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GUIDE } from '../../src/modules/settings/join-settings.js';
import { signedInTestApp, type AdminSession } from '../helpers/admin-session.js';
import type { TestApp } from '../helpers/app.js';

const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]+)<`).exec(body)?.[1];
const inputTag = (body: string, id: string) => new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(body)?.[0] ?? '';
const previewOf = (body: string, id: string) => new RegExp(`id="${id}-preview">([\\s\\S]*?)</div>\\s*</details>`).exec(body)?.[1] ?? '';

describe('admin settings: joining (ways, house rules) and the guide', () => {
  let t: TestApp;
  let session: AdminSession;
  beforeAll(async () => ({ t, session } = await signedInTestApp()));
  afterAll(() => t.close());

  const post = (url: string, form: Record<string, string>) => {
    t.clock.advance(1000);
    return session.post(url, form);
  };
  const lastAudit = async () => (await t.deps.services.audit.list({ page: 1, perPage: 5, action: 'settings' })).entries[0];

  it('shows the defaults: both ways, no rules to accept, the default guide rendered as a preview', async () => {
    const settings = await t.deps.services.settings.get();
    expect(settings).toMatchObject({ joinWays: 'both', rulesRequired: false, guide: DEFAULT_GUIDE });
    const page = await session.get('/admin/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="#join"');
    expect(page.body).toContain('href="#guide"');
    expect(inputTag(page.body, 'joinWays-both')).toContain('checked');
    expect(inputTag(page.body, 'rulesRequired')).not.toContain('checked');
    const guide = previewOf(page.body, 'guide');
    expect(guide).toContain('<h2>Start watching</h2>');
    expect(guide).toContain('href="https://www.plex.tv/media-server-downloads/#plex-app"');
    expect(guide).toContain('href="https://app.plex.tv"');
    expect(guide).toContain('House rules');
    expect(page.body).toContain('formaction="/admin/settings/guide/preview#guide"');
  });

  it('saves the ways and the rules, and audits the short values but not the rules text', async () => {
    const saved = await post('/admin/settings/join', { joinWays: 'plex', rulesRequired: 'on', rules: '- Be nice\r\n- No sharing' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/admin/settings#join');
    expect(await t.deps.services.settings.get()).toMatchObject({ joinWays: 'plex', rulesRequired: true, rules: '- Be nice\n- No sharing' });
    const entry = await lastAudit();
    expect(entry).toMatchObject({ target: 'join', details: { fields: ['joinWays', 'rulesRequired', 'rules'], to: { joinWays: 'plex', rulesRequired: true } } });
    expect(JSON.stringify(entry)).not.toContain('Be nice');
    const page = await session.get('/admin/settings');
    expect(page.body).toContain('id="join-saved">Joining saved.');
    expect(inputTag(page.body, 'joinWays-plex')).toContain('checked');
    expect(previewOf(page.body, 'rules')).toContain('<li>Be nice</li>');
    const audit = await session.get('/admin/audit');
    expect(audit.body).toContain('Changed ways to join to “only Continue with Plex”, house rules to accept to on, house rules.');

    // The same again: nothing changed (the textarea's CRLF is not a change).
    await post('/admin/settings/join', { joinWays: 'plex', rulesRequired: 'on', rules: '- Be nice\r\n- No sharing' });
    expect((await session.get('/admin/settings')).body).toContain('Nothing changed in Joining.');
    await post('/admin/settings/join', { joinWays: 'both', rules: '- Be nice' });
    expect(await t.deps.services.settings.get()).toMatchObject({ joinWays: 'both', rulesRequired: false });
  });

  it('refuses an unknown way and rules required without any text, keeping what was typed', async () => {
    const refused = await post('/admin/settings/join', { joinWays: 'carrier-pigeon', rulesRequired: 'on', rules: '   ' });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'joinWays')).toBe('Choose how friends may join.');
    expect(fieldError(refused.body, 'rules')).toBe('Write the house rules, or stop asking friends to accept them.');
    expect(inputTag(refused.body, 'rulesRequired')).toContain('checked');
    expect((await t.deps.services.settings.get()).joinWays).toBe('both');
  });

  it('previews the guide as typed without saving it, with raw HTML shown as text and no javascript: link', async () => {
    const typed = '## Hello\n\n<script>alert(1)</script> [bad](javascript:alert(1)) [good](https://example.com)';
    const preview = await post('/admin/settings/guide/preview', { guide: typed });
    expect(preview.statusCode).toBe(200);
    const html = previewOf(preview.body, 'guide');
    expect(html).toContain('<h2>Hello</h2>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The link stays plain text.
    expect(html).toContain('[bad](javascript:alert(1))');
    expect(html).not.toMatch(/href="javascript/i);
    expect(html).toContain('<a href="https://example.com" target="_blank" rel="noopener noreferrer">good</a>');
    expect(preview.body).toMatch(/<details class="mb-3 markdown-preview" open>\s*<summary>Preview of the guide \(not saved yet\)/);
    expect(preview.body).toContain('## Hello\n\n&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await t.deps.services.settings.get()).guide).toBe(DEFAULT_GUIDE);

    const saved = await post('/admin/settings/guide', { guide: typed });
    expect(saved.statusCode).toBe(303);
    expect((await t.deps.services.settings.get()).guide).toBe(typed);
    expect((await lastAudit())!.details).toEqual({ fields: ['guide'] });
  });

  it('refuses a guide over 10000 characters', async () => {
    const refused = await post('/admin/settings/guide', { guide: 'x'.repeat(10_001) });
    expect(refused.statusCode).toBe(400);
    expect(fieldError(refused.body, 'guide')).toBe('Keep the guide to 10000 characters or fewer.');
  });

  it('previews the rules as typed', async () => {
    const preview = await post('/admin/settings/join/preview', { joinWays: 'both', rules: '**No spoilers**' });
    expect(preview.statusCode).toBe(200);
    expect(previewOf(preview.body, 'rules')).toContain('<strong>No spoilers</strong>');
    expect((await t.deps.services.settings.get()).rules).toBe('- Be nice');
  });

  it('needs the CSRF token and a signed-in admin', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/admin/settings/guide/preview', payload: { guide: 'x' } });
    expect([302, 303, 401, 403]).toContain(anonymous.statusCode);
    const forged = await t.app.inject({ method: 'POST', url: '/admin/settings/join', headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'joinWays=email' });
    expect(forged.statusCode).toBe(403);
    expect((await t.deps.services.settings.get()).joinWays).toBe('both');
  });
});
