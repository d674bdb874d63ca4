/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

// Issue 19 review: the invitations list (errors readable, retry all, dates, cancel invite) and the friend's invite-waiting page.
const PASSWORD = 'correct horse battery staple';
const SERVER_OPTIONS = { retryWorker: false, overload: { armAfterMs: 2_000_000_000 } };
const UNKNOWN = 'Plex refused sending the invite (400: User could not be found)';

describe.runIf(chromiumAvailable())('review fixes on the invitations list, in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let server: RunningServer;
  let waitingId: string;

  beforeAll(async () => {
    server = await startServer(setUpByEnvironment(plex.sim, PASSWORD), SERVER_OPTIONS);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const waiting = invitationRow({ identifier: 'waiting@example.com', status: 'already_invited', created_at: day(0) });
    waitingId = waiting.id;
    await insertMany(server.deps.database.db, [
      waiting,
      invitationRow({ identifier: 'nobody-here', status: 'failed', error_kind: 'unknown_account', last_error: UNKNOWN, attempts: 1, created_at: day(1) }),
      invitationRow({ identifier: 'owner-self@example.com', status: 'failed', error_kind: 'self_share', last_error: 'Plex refused sending the invite (400: You cannot share a server with yourself)', created_at: day(2) }),
      invitationRow({ identifier: 'gave-up@example.com', status: 'failed', error_kind: 'upstream', last_error: 'Gave up after 24 hours: Plex answered 503 while sending the invite', attempts: 9, created_at: day(3) }),
      invitationRow({ identifier: 'shared@example.com', status: 'sent', created_at: day(4) }),
    ]);
  });
  afterAll(() => server?.close());

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size (${viewport.width} px)`, () => {
      let context: BrowserContext;
      let page: Page;
      let problems: string[];
      beforeAll(async () => {
        context = await chromium.browser.newContext({ viewport });
        page = await context.newPage();
        problems = watchProblems(page);
        await page.goto(`${server.url}/admin/login`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);
      });
      afterAll(() => context?.close());
      const shoot = (name: string) => page.screenshot({ path: screenshotPath(`review-fixes-${name}-${size}`), fullPage: true, animations: 'disabled' });

      it('shows "Last error" readably: a few lines a row on a wide screen, left-aligned sentences on a phone (point 3)', async () => {
        await page.goto(`${server.url}/admin/invitations`);
        await shoot('invitations');
        const cells = await page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('.invitations-table .error-cell'))
            .filter((cell) => cell.getClientRects().length > 0 && cell.textContent!.trim() !== '')
            .map((cell) => {
              const style = getComputedStyle(cell);
              const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
              // The owner's words, up to the closed Details disclosure.
              const range = document.createRange();
              range.setStartBefore(cell.firstChild!);
              const details = cell.querySelector('details');
              if (details) range.setEndBefore(details);
              else range.setEndAfter(cell.lastChild!);
              const sentence = (cell.querySelector('.refusal') ?? cell) as HTMLElement;
              return { lines: Math.round(range.getBoundingClientRect().height / lineHeight), align: getComputedStyle(sentence).textAlign };
            }),
        );
        expect(cells.length).toBe(3);
        // The wider error column does not push the actions out of sight: nothing scrolls sideways.
        const sideways = await page.locator('.table-responsive').evaluate((box) => box.scrollWidth - box.clientWidth);
        expect(sideways, 'the table scrolls sideways').toBeLessThanOrEqual(1);
        if (size === 'desktop') expect(Math.max(...cells.map((cell) => cell.lines)), `lines of an error: ${JSON.stringify(cells)}`).toBeLessThanOrEqual(3);
        else expect(cells.map((cell) => cell.align)).toEqual(['left', 'left', 'left']);
        await expectNoHorizontalOverflow(page);
        expect(problems).toEqual([]);
      });

      it('"Cancel invite" on an invite still waiting, "Revoke access" on a share (point 8)', async () => {
        await page.goto(`${server.url}/admin/invitations`);
        await expect(page.locator(`tr[data-id="${waitingId}"]`).getByRole('link', { name: 'Cancel invite for waiting@example.com' }).isVisible()).resolves.toBe(true);
        await expect(page.locator(`tr[data-id="${waitingId}"]`).getByText('Revoke access').count()).resolves.toBe(0);
        await expect(page.locator('tr', { hasText: 'shared@example.com' }).getByRole('link', { name: /Revoke access/ }).isVisible()).resolves.toBe(true);
        const friend = await context.newPage();
        await friend.goto(`${server.url}/requests/${waitingId}`);
        await expect(friend.locator('main ol li').count()).resolves.toBe(2);
        await expect(friend.locator('main ol + p').textContent()).resolves.toBe('Nothing else to do here: no new invite was needed.');
        await friend.screenshot({ path: screenshotPath(`review-fixes-invite-waiting-${size}`), fullPage: true, animations: 'disabled' });
        await friend.close();
      });

      it('a reversed date range keeps both dates and says why under To (point 5)', async () => {
        await page.goto(`${server.url}/admin/invitations?from=2026-11-20&to=2026-11-10`);
        await expect(page.getByLabel('From').inputValue()).resolves.toBe('2026-11-20');
        await expect(page.getByLabel('To', { exact: true }).inputValue()).resolves.toBe('2026-11-10');
        const to = (await page.locator('#filter-to').boundingBox())!;
        const message = (await page.locator('#filter-to-error').boundingBox())!;
        const search = (await page.locator('#filter-q').boundingBox())!;
        expect(message.y).toBeGreaterThanOrEqual(to.y + to.height - 1);
        expect(message.y - (to.y + to.height)).toBeLessThan(24);
        // Under the To field, not under the search box.
        expect(Math.abs(message.x - to.x)).toBeLessThan(2);
        if (size === 'desktop') expect(message.x).toBeGreaterThan(search.x + search.width);
        await expectNoHorizontalOverflow(page);
        await shoot('reversed-dates');
      });

      it('"Retry all failed" queues only what a retry can help and says how many were left; then the button goes (point 1)', async () => {
        await page.goto(`${server.url}/admin/invitations`);
        await page.getByRole('button', { name: 'Retry all failed' }).click();
        await page.waitForURL(/\/admin\/invitations/);
        const flash = await page.getByRole('status').first().textContent();
        expect(flash).toContain('1 failed invitation was queued again');
        expect(flash).toContain('2 failed invitations were left as they are: Plex would refuse them again');
        await expect(page.getByRole('button', { name: 'Retry all failed' }).count()).resolves.toBe(0);
        await shoot('retried');
        // Back to failed for the other size.
        await server.deps.database.db.updateTable('invitations').set({ status: 'failed' }).where('identifier', '=', 'gave-up@example.com').execute();
      });
    });
  }
});
