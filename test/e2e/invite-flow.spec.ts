/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeps, type DepsOverrides } from '../../src/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectUsablePage, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharedLibraryIds, sharePosts } from '../helpers/public-requests.js';

describe.runIf(chromiumAvailable())('a friend asks for access in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      let running: RunningServer | undefined;
      let context: BrowserContext | undefined;
      let page: Page;
      let problems: string[];

      // A real listening server per test, set up as the owner would with environment variables.
      async function open(overrides: DepsOverrides = {}): Promise<RunningServer> {
        const sim = plex.sim;
        const config = setUpByEnvironment(sim, 'a long enough password', { PLEX_LIBRARIES: '1,2' });
        running = await startServer(config, { deps: await createDeps(config, overrides) });
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        page = await context.newPage();
        problems = watchProblems(page);
        return running;
      }
      afterEach(async () => {
        await context?.close();
        await running?.close();
        context = undefined;
        running = undefined;
      });

      /** Clicks the submit button and waits for the answer page to be in place. */
      async function submit(): Promise<number> {
        const [response] = await Promise.all([
          page.waitForResponse((r) => r.request().method() === 'POST'),
          page.getByRole('button', { name: 'Ask for access' }).click(),
        ]);
        await page.waitForLoadState('load');
        return response.status();
      }

      it('sends an invite for an email and shows what happens next', async () => {
        const server = await open();
        await page.goto(`${server.url}/`);
        await expect(page.locator('h1').textContent()).resolves.toBe('Plex invites');
        const field = page.getByLabel('Plex email or username');
        await expect(field.getAttribute('inputmode')).resolves.toBe('email');
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-form-${size}`), fullPage: true });

        await field.fill('Friend@Example.com');
        expect(await submit()).toBe(303);
        await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
        const status = page.getByRole('status');
        await expect(status.textContent()).resolves.toMatch(/Invite sent\s+Invite sent to friend@example\.com\./);
        await expect(page.locator('ol li').allTextContents()).resolves.toHaveLength(3);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-result-${size}`), fullPage: true });

        const posts = sharePosts(plex.sim);
        expect(posts).toHaveLength(1);
        expect(sharedLibraryIds(posts[0]!)).toEqual([35723967, 35723968]);
      });

      it('shows a mistake beside the field and keeps what was typed', async () => {
        const server = await open();
        await page.goto(`${server.url}/`);
        await page.getByLabel('Plex email or username').fill('not an email@');
        expect(await submit()).toBe(400);
        const field = page.locator('#email');
        const error = page.locator('#email-error');
        await expect(field.inputValue()).resolves.toBe('not an email@');
        await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
        await expect(error.textContent()).resolves.toBe('This does not look like an email address. Check it for typos.');
        await expect(error.isVisible()).resolves.toBe(true);
        // Beside the field: right under it, not somewhere else on the page.
        const fieldBox = (await field.boundingBox())!;
        const errorBox = (await error.boundingBox())!;
        expect(errorBox.y).toBeGreaterThanOrEqual(fieldBox.y + fieldBox.height - 1);
        expect(errorBox.y).toBeLessThan(fieldBox.y + fieldBox.height + 16);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-error-${size}`), fullPage: true });
        expect(sharePosts(plex.sim)).toHaveLength(0);
      });

      it('opens an invite link with the code filled in, and explains a used-up link', async () => {
        const server = await open();
        const code = await server.deps.services.codes.createCode({ maxUses: 1, label: 'For Sam' });
        await page.goto(`${server.url}/join/${code.code}`);
        await expect(page.getByLabel('Invite code').inputValue()).resolves.toBe(code.code);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-join-${size}`), fullPage: true });

        await page.getByLabel('Plex email or username').fill('alice');
        expect(await submit()).toBe(303);
        await expect(page.getByRole('status').textContent()).resolves.toContain('Invite sent to alice.');

        const again = await page.goto(`${server.url}/join/${code.code}`);
        expect(again?.status()).toBe(410);
        await expect(page.locator('h1').textContent()).resolves.toBe('This invite link does not work');
        await expect(page.locator('p.lead').textContent()).resolves.toBe('This invite code has already been used. Ask for a new one.');
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-code-problem-${size}`), fullPage: true });
      });

      it('says "Request saved" while Plex is slow, and "Check again" shows the invite once it went out', async () => {
        const server = await open({ sendTimeoutMs: 300 });
        plex.sim.control.addLatency({ method: 'POST', pathRegex: '/shared_servers$', ms: 2000 });
        await page.goto(`${server.url}/`);
        await page.getByLabel('Plex email or username').fill('bob@example.com');
        expect(await submit()).toBe(303);
        await expect(page.getByRole('status').textContent()).resolves.toMatch(/Request saved\s+Your request for bob@example\.com is saved\./);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-pending-${size}`), fullPage: true });

        const id = /\/requests\/([A-Za-z0-9_-]+)$/.exec(page.url())![1]!;
        const invitations = server.deps.repositories.invitations;
        await vi.waitFor(async () => expect((await invitations.findById(id))?.status).toBe('sent'), { timeout: 10_000, interval: 50 });
        await page.getByRole('link', { name: 'Check again' }).click();
        await page.waitForLoadState('load');
        await expect(page.getByRole('status').textContent()).resolves.toContain('Invite sent to bob@example.com.');
        expect(page.url()).toBe(`${server.url}/requests/${id}`);
      });

      it('explains a username Plex does not know in plain words', async () => {
        const server = await open();
        await page.goto(`${server.url}/`);
        await page.getByLabel('Plex email or username').fill('nobody-here');
        expect(await submit()).toBe(303);
        const status = await page.getByRole('status').textContent();
        expect(status).toContain('The invite could not be sent');
        await expect(page.locator('main').textContent()).resolves.toContain('nobody-here');
        await expect(page.locator('.request-explanation').textContent()).resolves.toContain('Check the spelling');
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-failed-${size}`), fullPage: true });
      });

      it('keeps a long email address inside the screen', async () => {
        const server = await open();
        const email = `${'someone.with.a.rather.long.name'.repeat(2)}@a-family-domain-that-is-long.example.com`;
        await page.goto(`${server.url}/`);
        await page.getByLabel('Plex email or username').fill(email);
        expect(await submit()).toBe(303);
        await expect(page.getByRole('status').textContent()).resolves.toContain(`Invite sent to ${email}.`);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`invite-long-email-${size}`), fullPage: true });
      });
    });
  }
});
