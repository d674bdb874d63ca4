/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { sharePosts } from '../helpers/public-requests.js';

const PASSWORD = 'correct horse battery staple';
/** See setup-wizard.spec.ts: overload shedding stays disarmed on this shared machine. */
const SERVER_OPTIONS = { retryWorker: false, overload: { armAfterMs: 2_000_000_000 } };
/** The friend's page asks every 4 s; a decision shows within two rounds. */
const AUTO_UPDATE_MS = 12_000;

const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

describe.runIf(chromiumAvailable())('who may join, in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      let server: RunningServer | undefined;
      const contexts: BrowserContext[] = [];
      afterEach(async () => {
        await Promise.all(contexts.splice(0).map((context) => context.close()));
        await server?.close();
        server = undefined;
      });

      async function open(browser: Browser, width = viewport, colorScheme: 'light' | 'dark' = 'light'): Promise<{ page: Page; problems: string[] }> {
        const context = await browser.newContext({ viewport: width, colorScheme });
        contexts.push(context);
        const page = await context.newPage();
        return { page, problems: watchProblems(page) };
      }

      async function check(page: Page, problems: string[], name: string): Promise<void> {
        await page.waitForLoadState('load');
        expect(problems, `problems on ${page.url()}`).toEqual([]);
        await expectNoHorizontalOverflow(page);
        await page.screenshot({ path: screenshotPath(`join-${name}`), fullPage: true, animations: 'disabled' });
      }

      async function signIn(page: Page): Promise<void> {
        await page.goto(`${server!.url}/admin/login`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);
      }

      /** A friend asks on the public page and lands on their request's page. */
      async function friendAsks(email: string): Promise<{ page: Page; problems: string[] }> {
        const friend = await open(chromium.browser);
        await friend.page.goto(`${server!.url}/`);
        await expect(friend.page.getByText('The owner looks at each request before an invite is sent.').isVisible()).resolves.toBe(true);
        await friend.page.getByLabel('Plex email or username').fill(email);
        await friend.page.getByRole('button', { name: 'Ask for access' }).click();
        await friend.page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
        return friend;
      }

      /** The friend's page changes by itself (request-status.js reloads it): the test never reloads it. */
      const statusShown = (page: Page, status: string) =>
        page.waitForFunction((wanted) => document.querySelector('[data-status]')?.getAttribute('data-status') === wanted, status, { timeout: AUTO_UPDATE_MS });

      it('setup asks how friends get in, spelling out each choice, with invite codes suggested', async () => {
        const sim = plex.sim;
        // Plex comes from the environment, so the wizard goes from the admin account to the libraries.
        server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', ...simulatorEnv(sim) }), SERVER_OPTIONS);
        const { page, problems } = await open(chromium.browser);
        await page.goto(`${server.url}/setup`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create the admin account' }).click();
        await page.waitForURL(/\/admin\/setup\/libraries$/);
        await page.getByLabel(/Movies/).check();
        await page.getByRole('button', { name: 'Save and continue' }).click();
        await page.waitForURL(/\/admin\/setup\/done$/);

        const question = page.getByRole('group', { name: 'How do friends get in?' });
        await expect(question.isVisible()).resolves.toBe(true);
        await expect(page.getByLabel(/Only with an invite code \(suggested\)/).isChecked()).resolves.toBe(true);
        const words = squash(await question.textContent());
        expect(words).toContain('Anyone who finds this address gets your libraries at once, without asking you.');
        expect(words).toContain('Friends need a code or an invite link from you.');
        expect(words).toContain('Nothing is shared until you approve the request on the dashboard');
        await check(page, problems, `setup-mode-${size}`);

        await page.getByRole('radio', { name: /^You approve each request/ }).check();
        await page.getByRole('button', { name: 'Finish and open the dashboard' }).click();
        await page.waitForURL(/\/admin$/);
        await expect(page.locator('#join-mode').textContent().then(squash)).resolves.toBe('Who may join: You approve each request Change');
        expect((await server.deps.services.settings.get()).joinMode).toBe('approval');

        // "Change" leads to the same question in Settings; anyone-with-the-address makes codes optional.
        await page.locator('#join-mode').getByRole('link', { name: 'Change' }).click();
        await page.waitForURL(/\/admin\/settings#invites$/);
        await expect(page.getByRole('radio', { name: /^You approve each request/ }).isChecked()).resolves.toBe(true);
        await page.getByRole('radio', { name: /^Anyone with the address/ }).check();
        await page.getByRole('button', { name: 'Save invites' }).click();
        await page.waitForURL(/\/admin\/settings#invites$/);
        await expect(page.getByRole('radio', { name: /^Anyone with the address/ }).isChecked()).resolves.toBe(true);
        await check(page, problems, `settings-mode-${size}`);
        await page.goto(`${server.url}/admin/codes`);
        const warning = page.locator('#codes-optional');
        await expect(warning.textContent().then(squash)).resolves.toMatch(/^Codes are optional right now\. Anyone with the public address can ask for access without one/);
        await expect(warning.getByRole('link', { name: 'Change who may join' }).getAttribute('href')).resolves.toBe('/admin/settings#invites');
        await check(page, problems, `codes-optional-${size}`);
      });

      it('approval: a friend asks, the owner approves on a phone, Plex has the invite and the friend sees it', async () => {
        const sim = plex.sim;
        server = await startServer(setUpByEnvironment(sim, PASSWORD, { PLEX_LIBRARIES: '1,2' }), SERVER_OPTIONS);
        await server.deps.services.settings.update({ joinMode: 'approval' });

        const friend = await friendAsks('friend@example.com');
        await expect(friend.page.locator('h1').textContent()).resolves.toBe('Waiting for the owner');
        await expect(friend.page.getByText('The owner of this server will look at it.').isVisible()).resolves.toBe(true);
        await expect(friend.page.getByRole('link', { name: 'Check again' }).isVisible()).resolves.toBe(true);
        await check(friend.page, friend.problems, `friend-waiting-${size}`);
        expect(sharePosts(sim)).toHaveLength(0);

        // The owner, on a phone: the dashboard's card, then Approve.
        const owner = await open(chromium.browser, VIEWPORTS.phone);
        await signIn(owner.page);
        const card = owner.page.locator('#awaiting-approval');
        await expect(card.getByRole('heading').textContent().then(squash)).resolves.toBe('Waiting for your approval 1');
        await expect(card.locator('li .fw-semibold').allTextContents()).resolves.toEqual(['friend@example.com']);
        await check(owner.page, owner.problems, 'dashboard-approval-card-phone');
        await card.getByRole('button', { name: 'Approve friend@example.com' }).click();
        await owner.page.waitForURL(/\/admin$/);
        await expect(owner.page.getByRole('status').first().textContent()).resolves.toBe('Approved. Invitation sent to friend@example.com.');
        await expect(owner.page.locator('#awaiting-approval').count()).resolves.toBe(0);

        // Plex got exactly one invite, for this friend.
        expect(sharePosts(sim)).toHaveLength(1);
        expect(sim.control.state().pending.map((share) => share.invitedUsername)).toEqual(['friend']);

        // The friend's page, left open, shows it by itself.
        await statusShown(friend.page, 'sent');
        await expect(friend.page.getByRole('status').first().textContent().then(squash)).resolves.toBe('Invite sent Invite sent to friend@example.com.');
        await check(friend.page, friend.problems, `friend-approved-${size}`);
      });

      it('a declined request is never sent, and the friend is told so kindly', async () => {
        const sim = plex.sim;
        server = await startServer(setUpByEnvironment(sim, PASSWORD, { PLEX_LIBRARIES: '1,2' }), SERVER_OPTIONS);
        await server.deps.services.settings.update({ joinMode: 'approval' });
        const friend = await friendAsks('stranger@example.com');

        // In the dark theme too: the new badges and the approval card must stay readable.
        const owner = await open(chromium.browser, viewport, 'dark');
        await signIn(owner.page);
        await check(owner.page, owner.problems, `dashboard-approval-dark-${size}`);
        // From the invitations list this time, filtered to the requests waiting.
        await owner.page.goto(`${server.url}/admin/invitations?status=awaiting_approval`);
        const row = owner.page.locator('tr[data-status="awaiting_approval"]');
        await expect(row.count()).resolves.toBe(1);
        await check(owner.page, owner.problems, `invitations-awaiting-${size}`);
        await row.getByRole('button', { name: 'Decline stranger@example.com' }).click();
        await owner.page.waitForURL(/\/admin\/invitations\?status=awaiting_approval$/);
        await expect(owner.page.getByRole('status').first().textContent()).resolves.toBe('The request of stranger@example.com was declined: nothing was sent.');

        await statusShown(friend.page, 'declined');
        await expect(friend.page.locator('h1').textContent()).resolves.toBe('Request not accepted');
        await expect(friend.page.getByText('Nothing was shared with this account, and no invite will be sent.').isVisible()).resolves.toBe(true);
        await check(friend.page, friend.problems, `friend-declined-${size}`);

        // Nothing ever reached Plex, not even later: the retry worker leaves a declined request alone.
        expect(await server.deps.services.retryWorker.runOnce()).toBe(0);
        expect(sharePosts(sim)).toHaveLength(0);
        expect(sim.control.state().pending).toEqual([]);
        expect(sim.control.state().shares).toEqual([]);
      });
    });
  }
});
