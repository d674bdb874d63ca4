/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, screenshotPath, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

const PASSWORD = 'a long enough password';
const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * Issue 19, points 2, 3, 4, 7 and 9 in Chromium: the public address and its warning where links
 * show, Plex's refusals in their own words for the friend and the owner (with only the actions
 * that can work), a pending invite that is not access, what an existing share really gives, and
 * an audit log in names and sentences.
 */
describe.runIf(chromiumAvailable())('what the owner and the friend read, in Chromium', () => {
  // alice has an invite she has not accepted; bob has Movies only (the request asks for Movies and TV Shows).
  const plex = useSimulator({
    seed: {
      shares: [
        { invitee: 'alice', libraryIds: [35723967, 35723968], accepted: false },
        { invitee: 'bob', libraryIds: [35723967], accepted: true },
      ],
    },
  });
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size (${viewport.width} px)`, () => {
      let server: RunningServer | undefined;
      let context: BrowserContext | undefined;
      afterEach(async () => {
        await context?.close();
        await server?.close();
        context = undefined;
        server = undefined;
      });

      async function open(): Promise<{ page: Page; problems: string[]; base: string }> {
        server = await startServer(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1,2' }));
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        const page = await context.newPage();
        return { page, problems: watchProblems(page), base: server.url };
      }

      async function check(page: Page, problems: string[], name: string): Promise<void> {
        await page.waitForLoadState('load');
        expect(problems, `problems on ${page.url()}`).toEqual([]);
        await expectNoHorizontalOverflow(page);
        await page.screenshot({ path: screenshotPath(`words-${name}-${size}`), fullPage: true, animations: 'disabled' });
      }

      /** The friend's form, as a friend fills it in; answers the text of the result page. */
      async function ask(page: Page, base: string, who: string): Promise<string> {
        await page.goto(`${base}/`);
        await page.getByLabel('Plex email or username').fill(who);
        await page.getByRole('button', { name: 'Ask for access' }).click();
        await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
        return squash(await page.locator('main').textContent());
      }

      it("the friend reads why: the owner's own account, and an invite waiting in Plex", async () => {
        const { page, problems, base } = await open();

        const self = await ask(page, base, 'owner@example.com');
        expect(self).toContain('The invite could not be sent');
        expect(self).toContain('"owner@example.com" is the Plex account of this server\'s owner, and Plex does not let an owner invite their own account.');
        expect(self).not.toMatch(/Check the spelling|did not accept|400/);
        await check(page, problems, 'friend-own-account');

        const pending = await ask(page, base, 'alice');
        expect(pending).toContain('Your invite is waiting for you in Plex');
        expect(pending).toContain('Look for the invite email from Plex');
        expect(pending).not.toMatch(/already have access|already has access/);
        await check(page, problems, 'friend-invite-waiting');
      });

      it('the owner reads names, refusals with the right actions, and a warning on the links of a home-network address', async () => {
        const { page, problems, base } = await open();
        for (const who of ['owner@example.com', 'alice', 'bob']) await ask(page, base, who);

        await page.goto(`${base}/admin/login`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);

        // Invitations: each row says what happened, with only the actions that can work.
        await page.goto(`${base}/admin/invitations`);
        const row = (who: string) => page.locator('tr[data-id]').filter({ has: page.locator('th', { hasText: who }) });
        const own = row('owner@example.com');
        expect(squash(await own.textContent())).toContain('This is your own Plex account: Plex does not let a server owner invite themselves.');
        await expect(own.getByRole('button', { name: /Retry now/ }).count()).resolves.toBe(0);
        await expect(own.getByRole('link', { name: /Revoke access/ }).count()).resolves.toBe(0);
        const alice = row('alice');
        expect(squash(await alice.textContent())).toMatch(/Invite waiting.*invited to Movies, TV Shows/);
        await expect(alice.getByRole('link', { name: /Cancel invite/ }).count()).resolves.toBe(1);
        const bob = row('bob');
        expect(squash(await bob.textContent())).toContain('had Movies');
        expect(squash(await bob.textContent())).not.toContain('TV Shows');
        await check(page, problems, 'invitations');

        // Settings: a home-network address is saved and warned about at once.
        await page.goto(`${base}/admin/settings#address`);
        await page.locator('#publicAddress').fill('http://192.168.1.20:8080');
        await page.getByRole('button', { name: 'Save address' }).click();
        await page.getByRole('status').filter({ hasText: 'Public address saved' }).waitFor();
        const warning = 'Friends outside your home network cannot open http://192.168.1.20:8080';
        expect(squash(await page.locator('#address').textContent())).toContain(warning);
        await check(page, problems, 'settings-address');

        // Invite codes: the link uses the address, and the page warns about it.
        await page.goto(`${base}/admin/codes`);
        await page.getByLabel(/^Label/).fill('Book club');
        await page.getByRole('button', { name: 'Create code' }).click();
        await page.waitForURL(/\/admin\/codes\?created=/);
        expect(await page.locator('#created-link').inputValue()).toMatch(/^http:\/\/192\.168\.1\.20:8080\/join\//);
        expect(squash(await page.locator('[data-address-warning]').first().textContent())).toContain(warning);
        await check(page, problems, 'codes-warning');

        // The audit log: names and sentences; what was recorded is folded away.
        await page.goto(`${base}/admin/audit`);
        const shown = squash(await page.locator('main').evaluate((main) => {
          const copy = main.cloneNode(true) as HTMLElement;
          copy.querySelectorAll('details').forEach((details) => details.remove());
          copy.querySelectorAll('.d-none').forEach((hidden) => hidden.remove());
          return copy.textContent;
        }));
        expect(shown).toContain('invite code “Book club”');
        expect(shown).toContain('Public address');
        expect(shown).toContain('Now http://192.168.1.20:8080.');
        expect(shown).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|label: |custom: |maxUses/);
        await check(page, problems, 'audit');
      });
    });
  }
});
