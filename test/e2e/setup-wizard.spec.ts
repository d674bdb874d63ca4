/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

const PASSWORD = 'correct horse battery staple';
/**
 * Overload shedding stays disarmed here: with under-pressure sampling the loop as often as it reads
 * it, an idle process now and then has a window without a sample, which reads as an infinite delay
 * and answers 503 (reported to the lead; see src/plugins/overload.ts).
 */
const SERVER_OPTIONS = { retryWorker: false, overload: { armAfterMs: 2_000_000_000 } };

/**
 * Like page-checks' expectTapTargets, but for this page's own content (<main>): the admin header
 * belongs to the layout. A radio or checkbox counts by its label, which is the whole option card.
 */
async function expectMainTapTargets(page: Page): Promise<void> {
  const small = await page.evaluate(() => {
    const main = document.querySelector('main')!;
    const controls = Array.from(main.querySelectorAll<HTMLElement>('input:not([type="hidden"]), button, select, textarea, summary')).map((element) =>
      element instanceof HTMLInputElement && (element.type === 'radio' || element.type === 'checkbox') ? (element.closest('.form-check') as HTMLElement) : element,
    );
    const links = Array.from(main.querySelectorAll<HTMLElement>('a[href]')).filter((link) => link.parentElement?.textContent?.trim() === link.textContent?.trim());
    return [...controls, ...links]
      // What the page hides until later (the sign-in button once Plex is open) is not aimed at.
      .filter((element) => element.checkVisibility())
      .map((element) => ({ element, box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.height < 44 || box.width < 44)
      .map(({ element, box }) => `${element.outerHTML.slice(0, 80)}: ${Math.round(box.width)}x${Math.round(box.height)}`);
  });
  expect(small, `small tap targets on ${page.url()}`).toEqual([]);
}

describe.runIf(chromiumAvailable())('first-run setup in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      let server: RunningServer | undefined;
      let context: BrowserContext | undefined;
      afterEach(async () => {
        await context?.close();
        await server?.close();
        context = server = undefined;
      });

      async function step(page: Page, problems: string[], name: string): Promise<void> {
        await page.waitForLoadState('load');
        expect(problems).toEqual([]);
        await expectNoHorizontalOverflow(page);
        await expectMainTapTargets(page);
        await page.screenshot({ path: screenshotPath(`setup-${name}-${size}`), fullPage: true });
      }

      it('sets Helpr up from nothing: admin, Sign in with Plex (continues by itself), server, libraries', async () => {
        // A brand-new installation: no admin, no Plex token; plex.tv and the server are the simulator.
        const sim = plex.sim;
        server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl }), SERVER_OPTIONS);
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        // app.plex.tv is not reachable offline: the new tab gets a stand-in page.
        await context.route('https://app.plex.tv/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Plex</title><p>Plex sign-in (stand-in)</p>' }));
        const page = await context.newPage();
        const problems = watchProblems(page);

        await page.goto(`${server.url}/`);
        await page.getByRole('link', { name: 'Open the admin area' }).click();
        await page.waitForURL(/\/setup$/);
        await expect(page.getByText('Step 1 of 5: Admin account').isVisible()).resolves.toBe(true);
        await step(page, problems, '1-admin');

        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(`${PASSWORD} typo`);
        // The answer is the same address (400 with the form again): wait for that page itself.
        await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()), page.getByRole('button', { name: 'Create the admin account' }).click()]);
        await page.waitForLoadState('load');
        await expect(page.locator('#repeat-error').textContent()).resolves.toBe('The two passwords differ.');
        await expect(page.getByLabel('Username').inputValue()).resolves.toBe('owner');
        await step(page, problems, '1-admin-mistake');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create the admin account' }).click();
        await page.waitForURL(/\/admin\/setup\/plex$/);
        await step(page, problems, '2-plex');

        // One click opens Plex in its own window, and this page waits.
        const [plexTab] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Sign in with Plex' }).click()]);
        await plexTab.waitForURL(/^https:\/\/app\.plex\.tv\//);
        await expect(page.locator('#plex-wait-status').textContent()).resolves.toContain('Waiting for you to allow Helpr');
        await step(page, problems, '2-plex-waiting');
        const authUrl = new URL(plexTab.url());
        expect(authUrl.origin).toBe('https://app.plex.tv');
        const code = new URLSearchParams(authUrl.hash.replace(/^#\??/, '')).get('code')!;
        // What the owner does on app.plex.tv: allow Helpr. The waiting page notices by itself.
        sim.control.approvePin({ code });
        await plexTab.close();
        await page.waitForURL(/\/admin\/setup\/server$/, { timeout: 15_000 });
        await expect(page.getByText('Signed in to Plex as owner.').isVisible()).resolves.toBe(true);
        await expect(page.getByText(/Reachable at http:\/\/127\.0\.0\.1:\d+ \(local, \d+ ms\)/).isVisible()).resolves.toBe(true);
        await step(page, problems, '3-server');

        await page.getByRole('button', { name: 'Use this server and continue' }).click();
        await page.waitForURL(/\/admin\/setup\/libraries$/);
        await page.getByLabel(/Movies/).check();
        await page.getByLabel(/TV Shows/).check();
        await step(page, problems, '4-libraries');
        await page.getByRole('button', { name: 'Save and continue' }).click();
        await page.waitForURL(/\/admin\/setup\/done$/);
        await expect(page.getByText('Movies, TV Shows').isVisible()).resolves.toBe(true);
        await expect(page.getByText('Step 5 of 5: Who may join, and where friends go').isVisible()).resolves.toBe(true);
        await step(page, problems, '5-done');

        await page.getByRole('button', { name: 'Finish and open the dashboard' }).click();
        await page.waitForURL(/\/admin$/);
        await expect(page.getByText('Helpr is set up.').isVisible()).resolves.toBe(true);
        await page.waitForLoadState('load');
        await page.screenshot({ path: screenshotPath(`setup-6-dashboard-${size}`), fullPage: true });

        // The public page is open now, and /setup is closed.
        const publicPage = await context.newPage();
        await publicPage.goto(`${server.url}/`);
        await expect(publicPage.getByLabel('Plex email or username').isVisible()).resolves.toBe(true);
        await publicPage.goto(`${server.url}/setup`);
        expect(new URL(publicPage.url()).pathname).toBe('/admin');
        await publicPage.close();

        // Sign out, then back in with the new password.
        await page.getByRole('button', { name: /Sign out/ }).click();
        await page.waitForURL(/\/admin\/login\?signedOut=1$/);
        await expect(page.getByRole('status').textContent()).resolves.toBe('You are signed out.');
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);
        expect(problems).toEqual([]);
      });

      it('works without JavaScript: a wrong token, then "I have signed in, continue"', async () => {
        const sim = plex.sim;
        server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl }), SERVER_OPTIONS);
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light', javaScriptEnabled: false });
        const page = await context.newPage();
        const problems = watchProblems(page);
        await page.goto(`${server.url}/setup`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create the admin account' }).click();
        await page.waitForURL(/\/admin\/setup\/plex$/);

        await page.getByText('Paste a Plex token instead').click();
        await page.getByLabel('Plex token').fill('not-a-real-token');
        await page.getByRole('button', { name: 'Use this token' }).click();
        await page.waitForURL(/\/admin\/setup\/plex\/token$/);
        await expect(page.locator('#token-error').textContent()).resolves.toContain('Plex does not accept this token');
        await expect(page.getByLabel('Plex token').inputValue()).resolves.toBe('');
        await step(page, problems, '2-plex-token-refused');

        await page.getByRole('button', { name: 'Sign in with Plex' }).click();
        await page.waitForURL(/\/admin\/setup\/plex\/wait$/);
        await expect(page.getByText('Waiting for Plex…').isVisible()).resolves.toBe(false);
        await page.getByRole('button', { name: 'I have signed in, continue' }).click();
        await page.getByText('Plex has not confirmed the sign-in yet').waitFor();
        await step(page, problems, '2-plex-not-yet');
        const [pin] = sim.control.state().pins;
        sim.control.approvePin({ id: pin!.id });
        await page.getByRole('button', { name: 'I have signed in, continue' }).click();
        await page.waitForURL(/\/admin\/setup\/server$/);
        await expect(page.getByText('Home PMS').isVisible()).resolves.toBe(true);
      });

      it('shows each connection-test step live on /admin/plex', async () => {
        const sim = plex.sim;
        server = await startServer(setUpByEnvironment(sim, PASSWORD), SERVER_OPTIONS);
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        const page = await context.newPage();
        const problems = watchProblems(page);
        await page.goto(`${server.url}/admin/login?next=/admin/plex`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin\/plex$/);
        await step(page, problems, '7-plex-status-empty');

        sim.control.revokeToken(sim.ownerToken);
        const streamed = page.waitForResponse((r) => r.url().endsWith('/admin/plex/test/stream'));
        await page.getByRole('button', { name: 'Test now' }).click();
        expect((await streamed).headers()['content-type']).toContain('application/x-ndjson');
        await page.getByText('Just now: a check failed').waitFor();
        // No page load happened: the script filled in the steps.
        expect(new URL(page.url()).pathname).toBe('/admin/plex');
        await expect(page.locator('[data-step="token"] [data-field="hint"]').textContent()).resolves.toBe('→ This token was revoked: sign in with Plex again.');
        await expect(page.locator('[data-step="mapping"] [data-field="status"]').textContent()).resolves.toBe('Skipped');
        await step(page, problems, '7-plex-status-revoked');

        sim.control.restoreToken(sim.ownerToken);
        await page.getByRole('button', { name: 'Test now' }).click();
        await page.getByText('Just now: every check passed.').waitFor();
        await expect(page.locator('[data-field="status"]').allTextContents()).resolves.toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
        await step(page, problems, '7-plex-status-ok');
      });
    });
  }
});
