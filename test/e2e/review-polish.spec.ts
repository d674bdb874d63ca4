/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

// Issue 19 review polish: readable outline buttons in dark mode, and the friend's "too many requests" page.
const PASSWORD = 'correct horse battery staple';
const SITE_TITLE = 'Movie Night at Sam’s';
const SERVER_OPTIONS = { retryWorker: false, overload: { armAfterMs: 2_000_000_000 } };

/**
 * WCAG contrast of an element's text against what is behind it: its own background, or the first
 * ancestor's that is not transparent. The border is measured against the same background.
 */
function contrastOf(page: Page, selector: string): Promise<{ text: number; border: number; colors: string[] }> {
  return page.locator(selector).first().evaluate((element) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const linear = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r!) + 0.7152 * linear(g!) + 0.0722 * linear(b!);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    let behind: Element | null = element;
    let background = [255, 255, 255];
    while (behind) {
      const color = rgb(getComputedStyle(behind).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] === 1)) {
        background = color.slice(0, 3);
        break;
      }
      behind = behind.parentElement;
    }
    const style = getComputedStyle(element);
    const text = rgb(style.color).slice(0, 3);
    const border = rgb(style.borderTopColor).slice(0, 3);
    return { text: ratio(text, background), border: ratio(border, background), colors: [style.color, style.borderTopColor, `rgb(${background.join(', ')})`] };
  });
}

describe.runIf(chromiumAvailable())('review polish, in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let server: RunningServer;

  beforeAll(async () => {
    // One request per 15 minutes from an address: the second is refused.
    server = await startServer(setUpByEnvironment(plex.sim, PASSWORD, { INVITE_RATE_LIMIT: '1/15m' }), SERVER_OPTIONS);
    await server.deps.services.settings.update({ siteTitle: SITE_TITLE, joinMode: 'open' });
  });
  afterAll(() => server?.close());

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size (${viewport.width} px)`, () => {
      it('dark mode: Sign out and Download CSV read as buttons (text and border >= 4.5:1)', async () => {
        const context = await chromium.browser.newContext({ viewport, colorScheme: 'dark' });
        try {
          const page = await context.newPage();
          const problems = watchProblems(page);
          await page.goto(`${server.url}/admin/login`);
          await page.getByLabel('Username').fill('owner');
          await page.getByLabel('Password').fill(PASSWORD);
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.waitForURL(/\/admin$/);
          await expect(page.evaluate(() => document.documentElement.getAttribute('data-bs-theme'))).resolves.toBe('dark');
          const signOut = await contrastOf(page, 'button:has-text("Sign out")');
          expect(signOut.text, `Sign out text ${JSON.stringify(signOut.colors)}`).toBeGreaterThanOrEqual(4.5);
          expect(signOut.border, `Sign out border ${JSON.stringify(signOut.colors)}`).toBeGreaterThanOrEqual(4.5);
          await page.screenshot({ path: screenshotPath(`review-polish-dark-dashboard-${size}`), animations: 'disabled' });

          await page.goto(`${server.url}/admin/invitations`);
          const csv = await contrastOf(page, 'a:has-text("Download CSV")');
          expect(csv.text, `Download CSV text ${JSON.stringify(csv.colors)}`).toBeGreaterThanOrEqual(4.5);
          expect(csv.border, `Download CSV border ${JSON.stringify(csv.colors)}`).toBeGreaterThanOrEqual(4.5);
          await page.screenshot({ path: screenshotPath(`review-polish-dark-invitations-${size}`), animations: 'disabled' });
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      });

      it("a friend who asked too often reads the site's title and what to do, not '429'", async () => {
        const context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        try {
          const page = await context.newPage();
          const problems = watchProblems(page);
          // The first request of the window may get through (the other size may have used it): ask until refused.
          let status = 0;
          for (let attempt = 0; attempt < 2 && status !== 429; attempt += 1) {
            await page.goto(`${server.url}/`);
            await page.getByLabel('Plex email or username').fill(`friend-${size}-${attempt}@example.com`);
            const [response] = await Promise.all([
              page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
              page.getByRole('button', { name: 'Ask for access' }).click(),
            ]);
            status = response.status();
            if (status === 429) expect(Number(await response.headerValue('retry-after'))).toBeGreaterThan(0);
            await page.waitForLoadState('load');
          }
          expect(status).toBe(429);
          await expect(page.locator('h1').textContent()).resolves.toMatch(/^Too many requests from your network, wait 1[45] minutes and try again\.$/);
          await expect(page.locator('header').textContent()).resolves.toContain(SITE_TITLE);
          const words = (await page.locator('body').innerText()).replace(/Helpr \d+\.\d+\.\d+/, '');
          expect(words).not.toMatch(/\b429\b|Slow down|Helpr/);
          await expectNoHorizontalOverflow(page);
          await page.screenshot({ path: screenshotPath(`review-polish-too-many-${size}`), fullPage: true, animations: 'disabled' });
          expect(problems).toEqual([]);
        } finally {
          await context.close();
        }
      });
    });
  }
});
