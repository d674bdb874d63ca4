/// <reference lib="dom" />
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, screenshotPath, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

/** The friend's result page asks every 4 s: "You're in" shows within a few rounds. */
const RESULT_MS = 20_000;
const CLOSED = 'You closed the Plex window before signing in. Press Continue with Plex to try again.';

const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();
/** The PIN code in an app.plex.tv address (it is in the fragment: `auth#?clientID=…&code=…`). */
const pinCodeOf = (url: string): string => /[?&]code=([^&]+)/.exec(url)![1]!;

describe.runIf(chromiumAvailable())('Continue with Plex in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let server: RunningServer | undefined;
  let context: BrowserContext | undefined;
  afterEach(async () => {
    await context?.close();
    await server?.close();
    context = undefined;
    server = undefined;
  });

  /** A listening Helpr against the simulator; app.plex.tv is a stand-in page (no internet here). */
  async function open(options: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
    const config = setUpByEnvironment(plex.sim, 'a long enough password', { PLEX_LIBRARIES: '1,2' });
    server = await startServer(config, { deps: await createDeps(config, { plexCa: plex.sim.tlsCaPem }), overload: { armAfterMs: 2_000_000_000 } });
    await server.deps.services.settings.update({ guide: '## Start watching\n\nOpen [app.plex.tv](https://app.plex.tv) and look for **Home PMS**.' });
    context = await chromium.browser.newContext({ colorScheme: 'light', ...options });
    await context.route('https://app.plex.tv/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Plex</title><h1>Sign in to Plex (stand-in)</h1>' }),
    );
    const page = await context.newPage();
    return { page, problems: watchProblems(page) };
  }

  async function expectYoureIn(page: Page): Promise<void> {
    await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/, { timeout: RESULT_MS });
    await page.locator('h1', { hasText: "You're in" }).waitFor({ timeout: RESULT_MS });
    await expect(page.locator('.owner-guide h2').textContent()).resolves.toBe('Start watching');
  }

  /** Plex approved: it sends the tab back to the forwardUrl in its address (what app.plex.tv does). */
  async function approveAndComeBack(page: Page): Promise<void> {
    await page.waitForURL(/^https:\/\/app\.plex\.tv\/auth#\?/);
    const url = page.url();
    plex.sim.control.approvePin({ code: pinCodeOf(url) }, 'friend');
    await page.goto(decodeURIComponent(/[?&]forwardUrl=([^&]+)/.exec(url)![1]!));
  }

  it('on a computer: a popup signs in, this page goes on to "You\'re in" with the guide', async () => {
    const { page, problems } = await open({ viewport: VIEWPORTS.desktop });
    await page.goto(`${server!.url}/`);
    await page.screenshot({ path: screenshotPath('join-with-plex-desktop'), fullPage: true });
    const [popup] = await Promise.all([context!.waitForEvent('page'), page.getByRole('button', { name: 'Continue with Plex' }).click()]);
    await popup.waitForURL(/^https:\/\/app\.plex\.tv\/auth#\?/);
    await expect(squash(await page.locator('[data-join-message]').textContent())).toContain('Sign in to Plex in the window that opened');
    plex.sim.control.approvePin({ code: pinCodeOf(popup.url()) }, 'friend');
    await expectYoureIn(page);
    // The script closed Plex's window once the sign-in was over.
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 });
    expect(problems).toEqual([]);
    await page.screenshot({ path: screenshotPath('join-with-plex-youre-in-desktop'), fullPage: true });
    // The share exists for the friend's account and is accepted.
    const shares = plex.sim.control.state().shares.filter((share) => share.invitedId === 22526914);
    expect(shares.map((share) => ({ accepted: share.accepted, libraryIds: share.libraryIds }))).toEqual([{ accepted: true, libraryIds: [35723967, 35723968] }]);
  });

  it('on a computer: closing the popup says so, and Try again opens Plex again', async () => {
    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await page.goto(`${server!.url}/`);
    const [popup] = await Promise.all([context!.waitForEvent('page'), page.getByRole('button', { name: 'Continue with Plex' }).click()]);
    await popup.waitForURL(/^https:\/\/app\.plex\.tv\//);
    await popup.close();
    await page.locator('[data-join-message]', { hasText: CLOSED }).waitFor({ timeout: 10_000 });
    const retry = page.getByRole('button', { name: 'Try again' });
    await expect(retry.isVisible()).resolves.toBe(true);
    const [again] = await Promise.all([context!.waitForEvent('page'), retry.click()]);
    await again.waitForURL(/^https:\/\/app\.plex\.tv\//);
    expect(pinCodeOf(again.url())).not.toBe(pinCodeOf(popup.url()));
  });

  it('with pop-ups blocked: the whole tab goes to Plex and comes back', async () => {
    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await page.goto(`${server!.url}/`);
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await approveAndComeBack(page);
    await expectYoureIn(page);
  });

  it('on a phone (390 px): the tab goes to Plex and comes back to "You\'re in"', async () => {
    const { page, problems } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    const code = await server!.deps.services.codes.createCode({});
    await page.goto(`${server!.url}/join/${code.code}`);
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: screenshotPath('join-with-plex-phone'), fullPage: true });
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await approveAndComeBack(page);
    await expectYoureIn(page);
    await expectNoHorizontalOverflow(page);
    expect(problems).toEqual([]);
    await page.screenshot({ path: screenshotPath('join-with-plex-youre-in-phone'), fullPage: true });
  });

  it('without JavaScript: the form posts, Plex signs in, the return page leads on', async () => {
    const { page } = await open({ viewport: VIEWPORTS.phone, javaScriptEnabled: false });
    await server!.deps.services.settings.update({ rulesRequired: true, rules: '- Be kind' });
    await page.goto(`${server!.url}/`);
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await expect(squash(await page.locator('#plex-rules-error').textContent())).toContain('Tick the box to accept the house rules');
    await page.locator('#plex-rules').check();
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await approveAndComeBack(page);
    await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
    await expect(squash(await page.locator('h1').textContent())).toMatch(/You're in|Setting up your access/);
  });
});
