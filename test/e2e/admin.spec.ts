/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharedLibraryIds } from '../helpers/public-requests.js';

const PASSWORD = 'a long enough password';
const FRIEND = 'friend@example.com';
/** The simulator's plex.tv section ids (tools/plex-sim/seed.ts) of Movies (key 1) and Music (key 3). */
const MOVIES_AND_MUSIC = [35723967, 35723970];

/** Text as a person reads it: whitespace collapsed. */
const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * What the page-wide overflow check cannot see: a table that scrolls sideways inside its
 * .table-responsive box (columns and buttons hidden past the edge), and, on a phone, the admin
 * navigation scrolled so the current section is out of sight.
 */
async function expectNothingHiddenSideways(page: Page): Promise<void> {
  const hidden = await page.evaluate(() => {
    const found: string[] = [];
    for (const box of Array.from(document.querySelectorAll<HTMLElement>('.table-responsive'))) {
      // Inside a closed <details> a table is not on screen (the dashboard's per-day numbers).
      if (box.checkVisibility() && box.scrollWidth > box.clientWidth + 1) found.push(`a table scrolls by ${box.scrollWidth - box.clientWidth}px`);
    }
    const nav = document.querySelector<HTMLElement>('.admin-nav');
    const current = nav?.querySelector<HTMLElement>('[aria-current="page"]');
    if (nav && current) {
      const outer = nav.getBoundingClientRect();
      const inner = current.getBoundingClientRect();
      if (inner.left < outer.left - 1 || inner.right > outer.right + 1) found.push(`the current section "${current.textContent}" is scrolled out of the navigation`);
    }
    return found;
  });
  expect(hidden, `hidden sideways on ${page.url()}`).toEqual([]);
}

describe.runIf(chromiumAvailable())('the owner in the admin area in Chromium', () => {
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

      async function newPage(): Promise<{ page: Page; problems: string[] }> {
        const context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        contexts.push(context);
        const page = await context.newPage();
        return { page, problems: watchProblems(page) };
      }

      /** Every page: fully loaded, no console or page errors, nothing sideways, and a screenshot to look at. */
      async function check(page: Page, problems: string[], name: string): Promise<void> {
        await page.waitForLoadState('load');
        expect(problems, `problems on ${page.url()}`).toEqual([]);
        await expectNoHorizontalOverflow(page);
        await expectNothingHiddenSideways(page);
        // Transitions finished: a button just clicked shows its settled colours.
        await page.screenshot({ path: screenshotPath(`admin-${name}-${size}`), fullPage: true, animations: 'disabled' });
      }

      it('chooses libraries, makes an invite code a friend redeems, and finds the request on every page', async () => {
        // An installation set up through environment variables: admin, Plex token and server, no libraries yet.
        const sim = plex.sim;
        server = await startServer(setUpByEnvironment(sim, PASSWORD));
        const { page, problems } = await newPage();
        // The copy button writes to the clipboard; reading it back proves what the owner would paste.
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });

        // Sign in.
        await page.goto(`${server.url}/admin/login`);
        await check(page, problems, 'login');
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);

        // Libraries: Movies and Music for new friends.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Libraries' }).click();
        await page.waitForURL(/\/admin\/libraries$/);
        await expect(page.getByRole('checkbox', { checked: true }).count()).resolves.toBe(0);
        await page.getByLabel('Movies').check();
        await page.getByLabel('Music').check();
        await page.getByRole('button', { name: 'Save', exact: true }).click();
        // The answer redirects back to the same address: the flash marks the new page.
        await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
        await expect(page.getByLabel('Movies').isChecked()).resolves.toBe(true);
        await expect(page.getByLabel('TV Shows').isChecked()).resolves.toBe(false);
        await expect(page.getByLabel('Music').isChecked()).resolves.toBe(true);
        await check(page, problems, 'libraries');

        // An invite code for two friends: its link (copied) and its QR code.
        await page.goto(`${server.url}/admin/codes`);
        await page.getByLabel(/^Label/).fill(`Cousins (${size})`);
        await page.getByLabel(/^Maximum uses/).fill('2');
        await page.getByRole('button', { name: 'Create code' }).click();
        await page.waitForURL(/\/admin\/codes\?created=/);
        const codeId = new URL(page.url()).searchParams.get('created')!;
        const created = page.locator('section[data-created-code]');
        await expect(created.getByRole('status').textContent()).resolves.toBe('New invite code created');
        const code = (await created.getAttribute('data-created-code'))!;
        expect(code).toMatch(/^[A-Z2-9]{8}$/);
        expect(squash(await created.textContent())).toContain(`Cousins (${size}) 2 uses · never expires · default libraries`);
        const link = await page.locator('#created-link').inputValue();
        expect(link).toBe(`${server.url}/join/${code}`);
        await page.waitForLoadState('load');
        const qr = created.locator('img.qr-code');
        await expect(qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
        await created.getByRole('button', { name: 'Copy link' }).click();
        await created.getByRole('button', { name: 'Copied' }).waitFor();
        await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(link);
        const row = page.locator(`tr[data-code-id]`).filter({ hasText: code });
        await expect(row.locator('td').allTextContents()).resolves.toEqual(expect.arrayContaining(['0', '2']));
        await check(page, problems, 'codes');

        // The friend opens the link in their own browser.
        const friend = await newPage();
        await friend.page.goto(link);
        await expect(friend.page.getByLabel('Invite code').inputValue()).resolves.toBe(code);
        await check(friend.page, friend.problems, 'join');
        await friend.page.getByLabel('Plex email or username').fill(FRIEND);
        await friend.page.getByRole('button', { name: 'Ask for access' }).click();
        await friend.page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
        await expect(friend.page.getByRole('status').textContent()).resolves.toMatch(new RegExp(`Invite sent\\s+Invite sent to ${FRIEND}\\.`));
        await check(friend.page, friend.problems, 'friend-result');

        // Plex got exactly one invite, for the libraries ticked above.
        const invites = sim.control.requestLog({ target: 'plex-tv', method: 'POST' }).filter((entry) => /\/shared_servers$/.test(entry.path));
        expect(invites).toHaveLength(1);
        expect(sharedLibraryIds(invites[0]!)?.toSorted((a, b) => a - b)).toEqual(MOVIES_AND_MUSIC);

        // Dashboard: the chart is drawn (its script hid the no-JS table) and the request is listed.
        await page.goto(`${server.url}/admin`);
        await page.waitForLoadState('load');
        // All time, not Today: the count must not depend on the test running before midnight UTC.
        await expect(page.locator('tr[data-status="sent"] td').last().textContent()).resolves.toBe('1');
        await expect(page.locator('#per-day-details').evaluate((details: HTMLDetailsElement) => details.open)).resolves.toBe(false);
        const chart = await page.locator('#requests-chart').evaluate((canvas: HTMLCanvasElement) => {
          const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let painted = 0;
          for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
          return { width: canvas.clientWidth, height: canvas.clientHeight, painted };
        });
        expect(chart.width).toBeGreaterThan(0);
        expect(chart.height).toBeGreaterThan(0);
        expect(chart.painted).toBeGreaterThan(0);
        const latest = page.locator('.latest-requests li');
        await expect(latest.count()).resolves.toBe(1);
        expect(squash(await latest.textContent())).toMatch(new RegExp(`^${FRIEND} Sent `));
        await check(page, problems, 'dashboard');

        // Invitations: the friend's request, sent, with the code and the libraries it carried.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Invitations' }).click();
        await page.waitForURL(/\/admin\/invitations$/);
        const invitation = page.locator('tbody tr').filter({ hasText: FRIEND });
        await expect(invitation.count()).resolves.toBe(1);
        await expect(invitation.getAttribute('data-status')).resolves.toBe('sent');
        await expect(invitation.locator('[data-label="Status"]').textContent()).resolves.toBe('Sent');
        await expect(invitation.locator('[data-label="Code"]').textContent()).resolves.toBe(code);
        await expect(invitation.locator('[data-label="Libraries"]').textContent()).resolves.toBe('Movies, Music');
        await check(page, problems, 'invitations');

        // Audit log: the sign-in, the library change and the new code, newest first.
        await page.goto(`${server.url}/admin/audit`);
        const entries = page.locator(size === 'phone' ? 'ol[aria-label="Audit entries"] > li' : 'table.audit-log tbody tr');
        await expect(entries.first().isVisible()).resolves.toBe(true);
        const actions = (await entries.allTextContents()).map(squash);
        expect(actions).toHaveLength(3);
        expect(actions[0]).toMatch(/Created an invite code/);
        // The entry names the code by its id (not the code itself) and keeps the label.
        expect(actions[0]).toContain(codeId);
        // In words: the code by its label, its uses and expiry (the raw fields are folded away).
        expect(actions[0]).toContain(`invite code “Cousins (${size})”`);
        expect(actions[0]).toContain('2 uses; never expires');
        expect(actions[1]).toMatch(/Changed the libraries for new friends/);
        expect(actions[2]).toMatch(/Signed in/);
        expect(actions.every((entry) => entry.includes('owner'))).toBe(true);
        await check(page, problems, 'audit');
      });
    });
  }
});
