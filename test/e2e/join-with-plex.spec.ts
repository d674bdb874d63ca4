/// <reference lib="dom" />
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeps } from '../../src/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, screenshotPath, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharedLibraryIds, sharePosts } from '../helpers/public-requests.js';

/** The friend's result page asks every 4 s: "You're in" shows within a few rounds. */
const RESULT_MS = 20_000;
const CLOSED = 'You closed the Plex window before signing in. Press Continue with Plex to try again.';
const PASSWORD = 'a long enough password';
/** The simulator's seed (tools/plex-sim/seed.ts): the friend signing in, and plex.tv's ids of Movies and TV Shows. */
const FRIEND = { id: 22526914, username: 'friend' };
const MOVIES = 35723967;
const TV_SHOWS = 35723968;
const ACCEPT_ROUTE = '/api/v2/shared_servers/:id/accept';

const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();
/** The PIN code in an app.plex.tv address (it is in the fragment: `auth#?clientID=…&code=…`). */
const pinCodeOf = (url: string): string => /[?&]code=([^&]+)/.exec(url)![1]!;

/**
 * Continue with Plex clicked through in Chromium. PLEX_APP_URL points at the simulator's stand-in
 * for app.plex.tv (tools/plex-sim/app-auth.ts), so the friend signs in on a page as they would on
 * Plex's: `Sign in as <username>` approves the PIN, then the tab goes back by forwardUrl or the
 * popup closes.
 */
describe.runIf(chromiumAvailable())('Continue with Plex in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let server: RunningServer | undefined;
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    await server?.close();
    server = undefined;
  });

  const onPlexPage = (url: URL): boolean => url.href.startsWith(`${plex.sim.plexTvUrl}/auth#?`);

  /** A listening Helpr against the simulator, its own guide unless `defaultGuide`. */
  async function startHelpr(options: { defaultGuide?: boolean } = {}): Promise<RunningServer> {
    const config = setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1,2', PLEX_APP_URL: plex.sim.plexTvUrl });
    server = await startServer(config, { deps: await createDeps(config, { plexCa: plex.sim.tlsCaPem }), overload: { armAfterMs: 2_000_000_000 } });
    if (!options.defaultGuide) {
      await server.deps.services.settings.update({ guide: '## Start watching\n\nOpen [app.plex.tv](https://app.plex.tv) and look for **Home PMS**.' });
    }
    return server;
  }

  async function newPage(options: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
    const context = await chromium.browser.newContext({ colorScheme: 'light', ...options });
    contexts.push(context);
    const page = await context.newPage();
    return { page, problems: watchProblems(page) };
  }

  async function open(options: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
    await startHelpr();
    return newPage(options);
  }

  async function expectYoureIn(page: Page, guideHeadings = ['Start watching']): Promise<void> {
    await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/, { timeout: RESULT_MS });
    await page.locator('h1', { hasText: "You're in" }).waitFor({ timeout: RESULT_MS });
    await expect(page.locator('.owner-guide h2').allTextContents()).resolves.toEqual(guideHeadings);
  }

  /** On the simulator's sign-in page (a tab or a popup): the friend picks their account. */
  async function signInAsFriend(plexPage: Page, screenshot?: string): Promise<void> {
    await plexPage.waitForURL(onPlexPage);
    const button = plexPage.getByRole('button', { name: `Sign in as ${FRIEND.username}`, exact: true });
    await button.waitFor();
    if (screenshot) await plexPage.screenshot({ path: screenshotPath(screenshot), fullPage: true });
    await button.click();
  }

  /** The owner signs in and finds the friend's request: Accepted, with Plex, the code's libraries only. */
  async function adminSeesAccepted(page: Page, screenshot: string): Promise<void> {
    await page.goto(`${server!.url}/admin/login?next=/admin/invitations`);
    await page.getByLabel('Username').fill('owner');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/admin\/invitations$/);
    await page.screenshot({ path: screenshotPath(screenshot), fullPage: true, animations: 'disabled' });
    const rows = page.locator('tbody tr[data-id]');
    await expect(rows.count()).resolves.toBe(1);
    const row = rows.first();
    await expect(row.getAttribute('data-status')).resolves.toBe('accepted');
    await expect(row.getAttribute('data-joined-with')).resolves.toBe('plex');
    expect(squash(await row.locator('td[data-label="Status"]').textContent())).toBe('Accepted');
    expect(squash(await row.locator('th').textContent())).toBe(`${FRIEND.username} with Plex`);
    expect(squash(await row.locator('.libraries-list').textContent())).toBe('Movies');
    expect(squash(await row.locator('.plex-account').textContent())).toBe(`Plex account ${FRIEND.id}`);
    await expectNoHorizontalOverflow(page);
  }

  /** On plex.tv: one share, to the friend's account, of exactly the code's libraries, accepted, by one share and one accept. */
  function expectSharedAndAcceptedOnce(): void {
    const { shares, pending } = plex.sim.control.state();
    expect(shares.filter((share) => share.invitedId === FRIEND.id).map(({ accepted, libraryIds }) => ({ accepted, libraryIds }))).toEqual([
      { accepted: true, libraryIds: [MOVIES] },
    ]);
    expect(pending).toEqual([]);
    const posts = sharePosts(plex.sim);
    expect(posts.map(sharedLibraryIds)).toEqual([[MOVIES]]);
    expect(plex.sim.control.requestLog({ method: 'POST', route: ACCEPT_ROUTE })).toHaveLength(1);
  }

  describe('the issue\'s "Done when": an invite code for Movies only, the simulator\'s Plex sign-in, the admin sees it accepted', () => {
    it('on a phone (390 px): the whole tab goes to Plex and comes back to "You\'re in" with the default guide', async () => {
      await startHelpr({ defaultGuide: true });
      const code = await server!.deps.services.codes.createCode({ libraries: ['Movies'] });
      const { page, problems } = await newPage({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
      await page.goto(`${server!.url}/join/${code.code}`);
      await expectNoHorizontalOverflow(page);
      await page.screenshot({ path: screenshotPath('join-with-plex-code-1-join-phone'), fullPage: true });
      await page.getByRole('button', { name: 'Continue with Plex' }).click();
      await signInAsFriend(page, 'join-with-plex-code-2-plex-phone');
      await expectYoureIn(page, ['Start watching', 'House rules']);
      await expectNoHorizontalOverflow(page);
      expect(problems).toEqual([]);
      await page.screenshot({ path: screenshotPath('join-with-plex-code-3-youre-in-phone'), fullPage: true });
      expectSharedAndAcceptedOnce();

      // The owner, in the same browser, then on a computer.
      await adminSeesAccepted(page, 'join-with-plex-code-4-admin-phone');
      const desktop = await newPage({ viewport: VIEWPORTS.desktop });
      await adminSeesAccepted(desktop.page, 'join-with-plex-code-5-admin-desktop');
      expect([...problems, ...desktop.problems]).toEqual([]);
    });

    it('on a computer: the same through the popup', async () => {
      await startHelpr({ defaultGuide: true });
      const code = await server!.deps.services.codes.createCode({ libraries: ['Movies'] });
      const { page, problems } = await newPage({ viewport: VIEWPORTS.desktop });
      await page.goto(`${server!.url}/join/${code.code}`);
      const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Continue with Plex' }).click()]);
      await signInAsFriend(popup, 'join-with-plex-code-popup-desktop');
      await expectYoureIn(page, ['Start watching', 'House rules']);
      if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 });
      await page.screenshot({ path: screenshotPath('join-with-plex-code-youre-in-desktop'), fullPage: true });
      expectSharedAndAcceptedOnce();
      await adminSeesAccepted(page, 'join-with-plex-code-admin-desktop-popup');
      expect(problems).toEqual([]);
    });
  });

  it('on a computer: a popup signs in, this page goes on to "You\'re in" with the guide', async () => {
    const { page, problems } = await open({ viewport: VIEWPORTS.desktop });
    await page.goto(`${server!.url}/`);
    await page.screenshot({ path: screenshotPath('join-with-plex-desktop'), fullPage: true });
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Continue with Plex' }).click()]);
    await popup.waitForURL(onPlexPage);
    await expect(squash(await page.locator('[data-join-message]').textContent())).toContain('Sign in to Plex in the window that opened');
    await signInAsFriend(popup);
    await expectYoureIn(page);
    // Plex's window closed once the sign-in was over.
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 });
    expect(problems).toEqual([]);
    await page.screenshot({ path: screenshotPath('join-with-plex-youre-in-desktop'), fullPage: true });
    // The share exists for the friend's account (the default libraries) and is accepted.
    const shares = plex.sim.control.state().shares.filter((share) => share.invitedId === FRIEND.id);
    expect(shares.map((share) => ({ accepted: share.accepted, libraryIds: share.libraryIds }))).toEqual([{ accepted: true, libraryIds: [MOVIES, TV_SHOWS] }]);
  });

  it('on a computer: closing the popup says so, and Try again opens Plex again', async () => {
    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await page.goto(`${server!.url}/`);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.getByRole('button', { name: 'Continue with Plex' }).click()]);
    await popup.waitForURL(onPlexPage);
    await popup.close();
    await page.locator('[data-join-message]', { hasText: CLOSED }).waitFor({ timeout: 10_000 });
    const retry = page.getByRole('button', { name: 'Try again' });
    await expect(retry.isVisible()).resolves.toBe(true);
    const [again] = await Promise.all([page.waitForEvent('popup'), retry.click()]);
    await again.waitForURL(onPlexPage);
    expect(pinCodeOf(again.url())).not.toBe(pinCodeOf(popup.url()));
  });

  it('with pop-ups blocked: the whole tab goes to Plex and comes back', async () => {
    const { page } = await open({ viewport: VIEWPORTS.desktop });
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await page.goto(`${server!.url}/`);
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await signInAsFriend(page);
    await expectYoureIn(page);
  });

  it('on a phone (390 px), from the public page: the tab goes to Plex and comes back to "You\'re in"', async () => {
    const { page, problems } = await open({ viewport: VIEWPORTS.phone, isMobile: true, hasTouch: true });
    await page.goto(`${server!.url}/`);
    await expectNoHorizontalOverflow(page);
    await page.screenshot({ path: screenshotPath('join-with-plex-phone'), fullPage: true });
    await page.getByRole('button', { name: 'Continue with Plex' }).click();
    await signInAsFriend(page);
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
    // Plex's page needs JavaScript (the real one does too): the PIN is approved as if signed in
    // elsewhere, and the tab follows forwardUrl back as Plex would send it.
    await page.waitForURL(onPlexPage);
    const url = page.url();
    plex.sim.control.approvePin({ code: pinCodeOf(url) }, FRIEND.username);
    await page.goto(decodeURIComponent(/[?&]forwardUrl=([^&]+)/.exec(url)![1]!));
    await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
    await expect(squash(await page.locator('h1').textContent())).toMatch(/You're in|Setting up your access/);
  });
});
