/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { insertMany, invitationRow } from '../helpers/invitation-rows.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { sharePosts } from '../helpers/public-requests.js';

/**
 * Issue 19's layout points, measured in Chromium at 390 and 1280 px: the admin menu (10), the
 * settings confirmation (11), the dashboard chart on resize (12), the invitations list (13), the
 * friend's submit while Plex is slow (5) and "Sign in with Plex" in one click (6). Each page is
 * also saved as a screenshot (test-results/screenshots/layout-*) to look at.
 */
const PASSWORD = 'a long enough password';
const MENU = ['Dashboard', 'Invitations', 'Users', 'Invite codes', 'Libraries', 'Plex', 'Settings', 'Notifications', 'Audit log'];
const OTHER_SIZE = { phone: VIEWPORTS.desktop, desktop: VIEWPORTS.phone } as const;
const SERVER_OPTIONS = { retryWorker: false, announce: false, overload: { armAfterMs: 2_000_000_000 } };

/** Every admin menu item is on screen, whole, and the topmost thing at its centre (nothing clipped or scrolled away). */
async function expectWholeMenu(page: Page): Promise<void> {
  const items = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLAnchorElement>('nav[aria-label="Admin"] a')).map((link) => {
      const box = link.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      const shown = link.checkVisibility() && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth && link.contains(hit);
      return { label: link.textContent?.trim(), shown };
    }),
  );
  expect(items.map((item) => item.label)).toEqual(MENU);
  expect(items.filter((item) => !item.shown).map((item) => item.label), `menu items out of sight on ${page.url()}`).toEqual([]);
  // 14: even spacing: the same room between the words of neighbours on a line.
  const gaps = await page.evaluate(() => {
    const words = Array.from(document.querySelectorAll('nav[aria-label="Admin"] a')).map((link) => {
      const range = document.createRange();
      range.selectNodeContents(link);
      return range.getBoundingClientRect();
    });
    return words.slice(1).flatMap((box, i) => (Math.abs(box.top - words[i]!.top) < 2 ? [Math.round(box.left - words[i]!.right)] : []));
  });
  expect(Math.max(...gaps) - Math.min(...gaps), `space between menu items: ${gaps.join(', ')} px`).toBeLessThanOrEqual(1);
}

/** The canvas fills its box (Chart.js followed the last resize). */
async function chartWidths(page: Page): Promise<{ canvas: number; box: number }> {
  return page.locator('#requests-chart').evaluate((canvas: HTMLCanvasElement) => ({
    canvas: Math.round(canvas.getBoundingClientRect().width),
    box: Math.round(canvas.parentElement!.getBoundingClientRect().width),
  }));
}

async function expectChartFills(page: Page): Promise<number> {
  let width = 0;
  await vi.waitFor(
    async () => {
      const { canvas, box } = await chartWidths(page);
      expect(Math.abs(canvas - box), `canvas ${canvas}px in a box of ${box}px`).toBeLessThanOrEqual(1);
      width = canvas;
    },
    { timeout: 5_000, interval: 50 },
  );
  return width;
}

describe.runIf(chromiumAvailable())('layout at phone and desktop width in Chromium (issue 19)', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS) as Array<[keyof typeof VIEWPORTS, (typeof VIEWPORTS)[keyof typeof VIEWPORTS]]>) {
    describe(`at ${size} size (${viewport.width} px)`, () => {
      let server: RunningServer | undefined;
      const contexts: BrowserContext[] = [];
      afterEach(async () => {
        await Promise.all(contexts.splice(0).map((context) => context.close()));
        await server?.close();
        server = undefined;
      });

      async function newPage(options: { colorScheme?: 'light' | 'dark'; javaScriptEnabled?: boolean } = {}): Promise<{ page: Page; problems: string[] }> {
        const context = await chromium.browser.newContext({ viewport, colorScheme: options.colorScheme ?? 'light', javaScriptEnabled: options.javaScriptEnabled ?? true });
        contexts.push(context);
        // app.plex.tv is not reachable offline: Plex's sign-in page is a stand-in.
        await context.route('https://app.plex.tv/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Plex</title><p>Plex sign-in (stand-in)</p>' }));
        const page = await context.newPage();
        return { page, problems: watchProblems(page) };
      }

      async function shoot(page: Page, name: string): Promise<void> {
        await page.waitForLoadState('load');
        await page.screenshot({ path: screenshotPath(`layout-${name}-${size}`), fullPage: true, animations: 'disabled' });
      }

      async function signIn(page: Page, next = '/admin'): Promise<void> {
        await page.goto(`${server!.url}/admin/login?next=${encodeURIComponent(next)}`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await Promise.all([page.waitForURL((url) => url.pathname === next), page.getByRole('button', { name: 'Sign in' }).click()]);
      }

      /** An installation with a few weeks of requests: long names, codes, four libraries, a failure. */
      async function busyServer(): Promise<RunningServer> {
        plex.sim.control.addLibrary({ id: 35723971, key: 4, title: 'Kids Movies', type: 'movie' });
        const running = await startServer(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1,2,3,4' }), SERVER_OPTIONS);
        const code = await running.deps.services.codes.createCode({ maxUses: 10, label: 'Family' });
        const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
        const everything = JSON.stringify(['1', '2', '3', '4']);
        await insertMany(running.deps.database.db, [
          invitationRow({ identifier: 'grandma.with.a.rather.long.address@family-example.com', code_id: code.id, libraries: everything, created_at: day(0) }),
          invitationRow({ identifier: 'cousin_sam', code_id: code.id, libraries: everything, created_at: day(1) }),
          invitationRow({ identifier: 'nobody-here', status: 'failed', error_kind: 'unknown_account', last_error: 'Plex refused sending the invite (400: User could not be found)', attempts: 3, created_at: day(2) }),
          invitationRow({ identifier: 'friend@example.com', status: 'pending', attempts: 1, error_kind: 'timeout', created_at: day(3) }),
          ...Array.from({ length: 12 }, (_, i) => invitationRow({ created_at: day(4 + i), libraries: JSON.stringify(['1', '2']) })),
        ]);
        return running;
      }

      it('shows every menu item, a chart that follows the window, a readable invitations list and "Limits saved." where the owner looks', async () => {
        server = await busyServer();
        const { page, problems } = await newPage();
        await signIn(page);

        // 10: every menu item in sight, at every width.
        await expectWholeMenu(page);
        // 12: the chart fills its box, follows a resize to the other width and back.
        const first = await expectChartFills(page);
        await page.setViewportSize(OTHER_SIZE[size]);
        const other = await expectChartFills(page);
        await page.setViewportSize(viewport);
        await expect(expectChartFills(page)).resolves.toBe(first);
        expect(size === 'phone' ? other > first : other < first).toBe(true);
        // 14: no empty gap in the Plex card: each line follows the one before, the card ends after the last.
        const gaps = await page.locator('#plex-heading').evaluate((heading) => {
          const body = heading.closest('.card-body')!;
          const boxes = Array.from(body.children).map((child) => child.getBoundingClientRect());
          const between = boxes.slice(1).map((box, i) => box.top - boxes[i]!.bottom);
          return [...between, body.getBoundingClientRect().bottom - boxes.at(-1)!.bottom].map(Math.round);
        });
        expect(Math.max(...gaps), `gaps in the Plex card: ${gaps.join(', ')} px`).toBeLessThanOrEqual(24);
        await expectNoHorizontalOverflow(page);
        await shoot(page, 'dashboard');

        // 13: the invitations list: codes whole, library names on at most two lines, nothing sideways.
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Invitations' }).click();
        await page.waitForURL(/\/admin\/invitations$/);
        await expectWholeMenu(page);
        await shoot(page, 'invitations');
        // The unknown account reads as one (not as the server gone).
        await expect(page.locator('tr', { hasText: 'nobody-here' }).textContent()).resolves.toContain('Plex has no account with this name.');
        const cells = await page.evaluate(() => {
          const lines = (element: Element) => {
            const style = getComputedStyle(element);
            const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
            return Math.round(element.getBoundingClientRect().height / lineHeight);
          };
          const table = document.querySelector('.invitations-table')!;
          const box = table.closest('.table-responsive') as HTMLElement;
          return {
            codes: Array.from(table.querySelectorAll('[data-label="Code"] code')).map((code) => ({ text: code.textContent, rects: code.getClientRects().length })),
            libraries: Array.from(table.querySelectorAll('[data-label="Libraries"]')).map((cell) => lines(cell.querySelector('.libraries-list') ?? cell)),
            sideways: box.scrollWidth - box.clientWidth,
          };
        });
        expect(cells.codes.length).toBe(2);
        expect(cells.codes.filter((code) => code.rects !== 1), 'codes broken over lines').toEqual([]);
        expect(Math.max(...cells.libraries), 'lines of library names').toBeLessThanOrEqual(2);
        expect(cells.sideways).toBeLessThanOrEqual(1);
        await expectNoHorizontalOverflow(page);

        // 14: the revoke confirmation's two buttons stand on one line, their words too.
        await page.locator('tbody tr').first().getByRole('link', { name: /Revoke access/ }).click();
        await page.waitForURL(/\/revoke\?/);
        const buttons = await page.locator('form[action$="/revoke"]').evaluate((form) =>
          Array.from(form.querySelectorAll<HTMLElement>('.btn')).map((button) => {
            const box = button.getBoundingClientRect();
            const range = document.createRange();
            range.selectNodeContents(button);
            const words = range.getBoundingClientRect();
            return { top: Math.round(box.top), height: Math.round(box.height), middle: Math.round(words.top + words.height / 2 - box.top) };
          }),
        );
        expect(buttons).toHaveLength(2);
        expect(buttons[1]).toEqual(buttons[0]);
        await shoot(page, 'revoke');

        // 11: saving a section says what was saved, inside that section, on screen.
        await page.goto(`${server.url}/admin/settings`);
        await page.locator('#invitesPerWindow').fill('7');
        await Promise.all([page.waitForURL(/\/admin\/settings#limits$/), page.getByRole('button', { name: 'Save limits' }).click()]);
        await page.waitForLoadState('load');
        const saved = page.locator('#limits').getByRole('status');
        await expect(saved.textContent()).resolves.toBe('Limits saved.');
        // Bootstrap scrolls smoothly to #limits: measured once the scrolling is over.
        await vi.waitFor(
          async () => {
            const onScreen = await saved.evaluate((element) => {
              const box = element.getBoundingClientRect();
              return box.top >= 0 && box.bottom <= window.innerHeight;
            });
            expect(onScreen, '"Limits saved." is on screen').toBe(true);
          },
          { timeout: 5_000, interval: 100 },
        );
        await page.screenshot({ path: screenshotPath(`layout-settings-saved-${size}`), animations: 'disabled' });
        await shoot(page, 'settings');
        expect(problems).toEqual([]);

        // The dashboard in dark mode, for the eyes (the chart's colours come from the theme).
        const dark = await newPage({ colorScheme: 'dark' });
        await dark.page.context().addCookies(await page.context().cookies());
        await dark.page.goto(`${server.url}/admin`);
        await expectChartFills(dark.page);
        await shoot(dark.page, 'dashboard-dark');
        expect(dark.problems).toEqual([]);
      });

      it('keeps the friend informed while Plex is slow, and sends one request for a double tap', async () => {
        server = await startServer(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1,2' }), SERVER_OPTIONS);
        await server.deps.services.settings.update({ welcomeMessage: 'Hi! This is our family server.\nAsk below and Plex sends you an invite.' });
        const { page, problems } = await newPage();
        // While a form's answer is awaited Chromium runs no evaluation for the test (it waits for the
        // next page); the page itself reports what the friend sees, every 50 ms after the submit.
        const seen: Array<{ disabled: boolean; text: string; spinner: boolean; note: boolean }> = [];
        await page.exposeFunction('reportSubmitState', (state: (typeof seen)[number]) => void seen.push(state));
        await page.addInitScript(() => {
          document.addEventListener('submit', () => {
            setInterval(() => {
              const button = document.querySelector<HTMLButtonElement>('form button[type="submit"][data-busy-label]')!;
              const note = document.querySelector<HTMLElement>('[data-busy-note]');
              const report = (window as unknown as { reportSubmitState: (state: unknown) => void }).reportSubmitState;
              report({ disabled: button.disabled, text: button.textContent, spinner: Boolean(button.querySelector('.spinner-border')?.checkVisibility()), note: Boolean(note?.checkVisibility()) });
            }, 50);
          });
        });
        await page.goto(`${server.url}/`);
        // 14: the welcome message keeps its line break.
        await expect(page.locator('.welcome').innerText()).resolves.toBe('Hi! This is our family server.\nAsk below and Plex sends you an invite.');
        await shoot(page, 'friend-form');

        const hold = plex.sim.control.hold({ method: 'POST', pathRegex: 'shared_servers$' });
        const posts: string[] = [];
        page.on('request', (request) => {
          if (request.method() === 'POST') posts.push(request.url());
        });
        await page.getByLabel('Plex email or username').fill('slow@example.com');
        await page.getByRole('button', { name: 'Ask for access' }).dblclick({ noWaitAfter: true });
        // Plex holds its answer: the button says what is going on and cannot be used again.
        await vi.waitFor(() => expect(plex.sim.control.listHolds()[0]?.held).toBe(1), { timeout: 5_000, interval: 20 });
        await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2), { timeout: 5_000, interval: 20 });
        expect(seen.at(-1)).toEqual({ disabled: true, text: 'Sending your request…', spinner: true, note: true });
        plex.sim.control.release(hold);
        await page.waitForURL(/\/requests\/[A-Za-z0-9_-]{22}$/);
        await expect(page.getByRole('status').first().textContent()).resolves.toContain('Invite sent to slow@example.com.');
        expect(posts, 'form posts for a double tap').toEqual([`${server.url}/`]);
        expect(sharePosts(plex.sim)).toHaveLength(1);
        await shoot(page, 'friend-sent');
        expect(problems).toEqual([]);

        // The busy button, to look at: a page whose form goes nowhere.
        const still = await newPage();
        await still.page.addInitScript(() => document.addEventListener('submit', (event) => event.preventDefault(), true));
        await still.page.goto(`${server.url}/`);
        await still.page.getByLabel('Plex email or username').fill('slow@example.com');
        await still.page.getByRole('button', { name: 'Ask for access' }).click();
        await still.page.getByText('Plex can take a few seconds to answer.').waitFor();
        await still.page.screenshot({ path: screenshotPath(`layout-friend-sending-${size}`), animations: 'disabled' });

        // Without JavaScript the form is a plain form and works the same.
        const plain = await newPage({ javaScriptEnabled: false });
        await plain.page.goto(`${server.url}/`);
        await plain.page.getByLabel('Plex email or username').fill('plain@example.com');
        await Promise.all([plain.page.waitForURL(/\/requests\//), plain.page.getByRole('button', { name: 'Ask for access' }).click()]);
        await expect(plain.page.getByRole('status').first().textContent()).resolves.toContain('Invite sent to plain@example.com.');
        expect(sharePosts(plex.sim)).toHaveLength(2);

        // 14: a failure explains in sentences; nothing numbered as if more were to happen.
        await plain.page.goto(`${server.url}/`);
        await plain.page.getByLabel('Plex email or username').fill('nobody-here');
        await Promise.all([plain.page.waitForURL(/\/requests\//), plain.page.getByRole('button', { name: 'Ask for access' }).click()]);
        await expect(plain.page.locator('section[data-status="failed"] ol').count()).resolves.toBe(0);
        await plain.page.screenshot({ path: screenshotPath(`layout-friend-failed-${size}`), fullPage: true });
      });

      it('opens Plex on the first click of "Sign in with Plex" and goes on by itself; without pop-ups the tab goes to Plex and back', async () => {
        const sim = plex.sim;
        const config = testConfig({ PORT: '0', HOST: '127.0.0.1', PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl, ADMIN_USERNAME: 'owner', ADMIN_PASSWORD: PASSWORD });
        server = await startServer(config, SERVER_OPTIONS);
        const { page, problems } = await newPage();
        await signIn(page, '/admin/setup/plex');
        // 10: no admin menu inside the setup wizard.
        await expect(page.getByRole('navigation', { name: 'Admin' }).count()).resolves.toBe(0);
        await shoot(page, 'setup-plex');

        // One click: Plex opens in its own window, this page waits (no second "Sign in with Plex").
        const [plexWindow] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Sign in with Plex' }).click()]);
        await plexWindow.waitForURL(/^https:\/\/app\.plex\.tv\/auth#\?/);
        const code = new URLSearchParams(new URL(plexWindow.url()).hash.replace(/^#\??/, '')).get('code')!;
        await expect(page.locator('#plex-wait-status').isVisible()).resolves.toBe(true);
        await expect(page.getByRole('button', { name: 'Sign in with Plex' }).isVisible()).resolves.toBe(false);
        expect(page.url()).toBe(`${server.url}/admin/setup/plex`);
        await shoot(page, 'setup-plex-waiting');
        sim.control.approvePin({ code });
        await page.waitForURL(/\/admin\/setup\/server$/, { timeout: 15_000 });
        // 14: the notice ("Signed in to Plex as owner.") is as wide as the page's narrow column.
        const widths = await page.evaluate(() => {
          const edges = (selector: string) => {
            const box = document.querySelector(selector)!.getBoundingClientRect();
            return [Math.round(box.left), Math.round(box.right)];
          };
          return { notice: edges('main > .alert'), content: edges('main > .narrow') };
        });
        expect(widths.notice).toEqual(widths.content);
        await expect(page.getByRole('navigation', { name: 'Admin' }).count()).resolves.toBe(0);
        await shoot(page, 'setup-server');
        expect(problems).toEqual([]);

        // Pop-ups blocked: one click still goes to Plex (this tab), which sends the owner back to wait.
        const blocked = await newPage();
        await blocked.page.addInitScript(() => {
          window.open = () => null;
        });
        await blocked.page.context().addCookies(await page.context().cookies());
        await blocked.page.goto(`${server.url}/admin/plex/connect`);
        await Promise.all([blocked.page.waitForURL(/^https:\/\/app\.plex\.tv\/auth#\?/), blocked.page.getByRole('button', { name: 'Sign in with Plex' }).click()]);
        const params = new URLSearchParams(new URL(blocked.page.url()).hash.replace(/^#\??/, ''));
        expect(params.get('forwardUrl')).toBe(`${server.url}/admin/plex/connect/wait?from=plex`);
        sim.control.approvePin({ code: params.get('code')! });
        await blocked.page.goto(params.get('forwardUrl')!);
        await blocked.page.waitForURL(/\/admin\/plex\/server$/, { timeout: 15_000 });
        expect(blocked.problems).toEqual([]);
      });
    });
  }
});
