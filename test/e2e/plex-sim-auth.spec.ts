/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { TEST_CLIENT_ID, useSimulator } from '../helpers/plex-sim.js';

/**
 * The simulator's stand-in for app.plex.tv (tools/plex-sim/app-auth.ts), clicked through in
 * Chromium the way a friend does after "Continue with Plex": in a popup, or the whole tab with
 * forwardUrl back to Helpr.
 */
describe.runIf(chromiumAvailable())('the simulated Plex sign-in page, in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  async function open(): Promise<Page> {
    const context = await chromium.browser.newContext({ viewport: VIEWPORTS.phone });
    contexts.push(context);
    return context.newPage();
  }

  /** A strong PIN as Helpr makes it, and Helpr's address for it (plex-tv.client.ts authUrl). */
  async function startPin(forwardUrl?: string): Promise<{ id: number; authUrl: string }> {
    const response = await fetch(`${plex.sim.plexTvUrl}/api/v2/pins?strong=true`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-Plex-Client-Identifier': TEST_CLIENT_ID, 'X-Plex-Product': 'Helpr' },
    });
    const pin = (await response.json()) as { id: number; code: string };
    const params = new URLSearchParams({ clientID: TEST_CLIENT_ID, code: pin.code, 'context[device][product]': 'Helpr' });
    if (forwardUrl) params.set('forwardUrl', forwardUrl);
    return { id: pin.id, authUrl: `${plex.sim.plexTvUrl}/auth#?${params.toString()}` };
  }

  async function tokenOwner(pinId: number): Promise<string | null> {
    const headers = { Accept: 'application/json', 'X-Plex-Client-Identifier': TEST_CLIENT_ID };
    const pin = (await (await fetch(`${plex.sim.plexTvUrl}/api/v2/pins/${pinId}`, { headers })).json()) as { authToken: string | null };
    if (!pin.authToken) return null;
    const user = await fetch(`${plex.sim.plexTvUrl}/api/v2/user`, { headers: { ...headers, 'X-Plex-Token': pin.authToken } });
    return ((await user.json()) as { username: string }).username;
  }

  it('in a popup: lists the friends (not the owner), approves the chosen one and closes itself', async () => {
    plex.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const { id, authUrl } = await startPin();
    const page = await open();
    const problems = watchProblems(page);
    await page.goto(`${plex.sim.plexTvUrl}/auth`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.evaluate((url) => void window.open(url, 'plex'), authUrl)]);
    const popupProblems = watchProblems(popup);
    await expect.poll(() => popup.getByRole('button').allTextContents()).toEqual([
      'Sign in as friend',
      'Sign in as alice',
      'Sign in as bob',
      'Sign in as newbie',
    ]);
    await expect.poll(() => popup.getByRole('heading', { level: 1 }).textContent()).toBe('Sign in to Plex');
    expect(await popup.locator('li', { hasText: 'newbie@example.com' }).textContent()).toContain('(email not confirmed)');
    expect(await popup.locator('li', { hasText: 'alice@example.com' }).textContent()).not.toContain('not confirmed');
    await expectNoHorizontalOverflow(popup);
    expect(await tokenOwner(id)).toBeNull();

    await Promise.all([popup.waitForEvent('close'), popup.getByRole('button', { name: 'Sign in as alice' }).click()]);
    expect(await tokenOwner(id)).toBe('alice');
    expect([...problems, ...popupProblems]).toEqual([]);
  });

  it('the whole tab: goes to forwardUrl once signed in, or on Cancel without signing in', async () => {
    const back = `${plex.sim.plexTvUrl}/__sim/state?back=1`;
    const signedIn = await startPin(back);
    const page = await open();
    await page.goto(signedIn.authUrl);
    await page.getByRole('button', { name: 'Sign in as bob' }).click();
    await page.waitForURL(back);
    expect(await tokenOwner(signedIn.id)).toBe('bob');

    const cancelled = await startPin(back);
    await page.goto(cancelled.authUrl);
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(back);
    expect(await tokenOwner(cancelled.id)).toBeNull();
  });

  it('without forwardUrl and outside a popup: says so once signed in', async () => {
    const { id, authUrl } = await startPin();
    const page = await open();
    await page.goto(authUrl);
    await page.getByRole('button', { name: 'Sign in as friend' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Signed in. You can close this window.');
    expect(await tokenOwner(id)).toBe('friend');
  });

  it('an expired or unknown code: "This link has expired"', async () => {
    const page = await open();
    for (const hash of ['#?clientID=x&code=nosuchcode', '', '#!?code=']) {
      await page.goto(`${plex.sim.plexTvUrl}/auth/${hash}`);
      await page.reload();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('This link has expired');
      expect(await page.getByRole('button').count()).toBe(0);
      expect(await page.getByRole('link', { name: 'Cancel' }).isVisible()).toBe(false);
    }
  });
});
