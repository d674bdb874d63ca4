/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { createDeps } from '../../src/deps.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';
import { expectNoHorizontalOverflow, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

/**
 * Issue 19, point 8, in Chromium at 390 and 1280 px, in a browser set to New York time: setup and
 * settings start from the browser's zone, and an invite code's expiry (a preset or a typed local
 * time) is stored as the right instant and shown back in New York time. Screenshots:
 * test-results/screenshots/timezone-*.
 */
const PASSWORD = 'a long enough password';
const ZONE = 'America/New_York';
/** How the pages write it. */
const ZONE_LABEL = 'America/New York';
const DAY_MS = 86_400_000;
const SERVER_OPTIONS = { retryWorker: false, announce: false, overload: { armAfterMs: 2_000_000_000 } };

const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** How New York's clocks show an instant ("2026-12-01 07:00 EST"), worked out by the browser itself. */
function newYorkTime(page: Page, iso: string): Promise<string> {
  return page.evaluate(
    ([at, zone]) => {
      const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).formatToParts(new Date(at));
      const part = (type: string) => parts.find((p) => p.type === type)!.value;
      return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
    },
    [iso, ZONE] as const,
  );
}

describe.runIf(chromiumAvailable())('time zones in Chromium (browser in New York)', () => {
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

      async function newPage(): Promise<{ page: Page; problems: string[] }> {
        context = await chromium.browser.newContext({ viewport, colorScheme: 'light', timezoneId: ZONE });
        const page = await context.newPage();
        return { page, problems: watchProblems(page) };
      }

      async function check(page: Page, problems: string[], name: string): Promise<void> {
        await page.waitForLoadState('load');
        expect(problems, `problems on ${page.url()}`).toEqual([]);
        await expectNoHorizontalOverflow(page);
        await page.screenshot({ path: screenshotPath(`timezone-${name}-${size}`), fullPage: true, animations: 'disabled' });
      }

      it('setup starts from the browser\'s zone and stores it with the admin account', async () => {
        const sim = plex.sim;
        server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl }), SERVER_OPTIONS);
        const { page, problems } = await newPage();
        await page.goto(`${server.url}/setup`);
        await expect(page.getByLabel('Your time zone').inputValue()).resolves.toBe(ZONE);
        await expect(page.getByText(`This browser is set to ${ZONE_LABEL}.`).isVisible()).resolves.toBe(true);
        await check(page, problems, 'setup');

        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create the admin account' }).click();
        await page.waitForURL(/\/admin\/setup\/plex$/);
        await expect(server.deps.services.settings.get()).resolves.toMatchObject({ timeZone: ZONE });

        // Settings shows what is stored (the page no longer guesses from the browser).
        await page.goto(`${server.url}/admin/settings#time`);
        await expect(page.getByLabel('Your time zone').inputValue()).resolves.toBe(ZONE);
        await expect(page.locator('select[data-browser-time-zone]').count()).resolves.toBe(0);
      });

      it('settings start from the browser\'s zone; codes expire at a preset or a New York time, shown in New York time', async () => {
        const sim = plex.sim;
        const config = setUpByEnvironment(sim, PASSWORD);
        // A clock that stands still: the presets' expiry is exactly now + N days.
        const clock = fixedClock(new Date());
        server = await startServer(config, { ...SERVER_OPTIONS, deps: await createDeps(config, { clock }) });
        const { page, problems } = await newPage();
        await page.goto(`${server.url}/admin/login`);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/admin$/);

        // No zone stored yet: the dashboard says times are UTC and leads to the setting.
        await expect(page.locator('#time-zone-prompt').textContent()).resolves.toContain('Times are shown in UTC');
        await page.getByRole('link', { name: 'Choose your time zone' }).click();
        await page.waitForURL(/\/admin\/settings#time$/);
        await expect(page.getByLabel('Your time zone').inputValue()).resolves.toBe(ZONE);
        await check(page, problems, 'settings');
        await page.getByRole('button', { name: 'Save time zone' }).click();
        // The page comes back with the zone stored: no longer guessed from the browser.
        await page.locator('select#timeZone:not([data-browser-time-zone])').waitFor();
        await expect(server.deps.services.settings.get()).resolves.toMatchObject({ timeZone: ZONE });

        // A preset: 7 days from now.
        await page.goto(`${server.url}/admin/codes`);
        await expect(page.getByText(`The date is read as ${ZONE_LABEL} time.`).isVisible()).resolves.toBe(true);
        await page.getByLabel(/^Label/).fill('A week');
        await page.getByLabel('7 days').check();
        await page.getByRole('button', { name: 'Create code' }).click();
        await page.waitForURL(/\/admin\/codes\?created=/);
        const weekId = new URL(page.url()).searchParams.get('created')!;
        const weekExpiry = new Date(clock.now().getTime() + 7 * DAY_MS).toISOString();
        await expect(server.deps.services.codes.getCode(weekId)).resolves.toMatchObject({ expiresAt: weekExpiry });
        expect(squash(await page.locator('section[data-created-code]').textContent())).toContain(`expires ${await newYorkTime(page, weekExpiry)}`);

        // A time typed in New York, on the night its clocks skip 02:00-03:00: 02:30 is read as 03:30 EDT.
        // Typing a date ticks "On a date"; picking a preset afterwards clears the date again.
        await page.getByLabel(/^Label/).fill('Spring night');
        const date = page.getByLabel(/^Expiry date and time/);
        await date.fill('2027-01-05T09:00');
        await expect(page.getByLabel('On a date').isChecked()).resolves.toBe(true);
        await page.getByLabel('1 day').check();
        await expect(date.inputValue()).resolves.toBe('');
        await date.fill('2027-03-14T02:30');
        await expect(page.getByLabel('On a date').isChecked()).resolves.toBe(true);
        await page.locator('form[action="/admin/codes"]').screenshot({ path: screenshotPath(`timezone-code-form-${size}`), animations: 'disabled' });
        await page.getByRole('button', { name: 'Create code' }).click();
        await page.waitForURL(/\/admin\/codes\?created=/);
        const springId = new URL(page.url()).searchParams.get('created')!;
        await expect(server.deps.services.codes.getCode(springId)).resolves.toMatchObject({ expiresAt: '2027-03-14T07:30:00.000Z' });
        expect(squash(await page.locator('section[data-created-code]').textContent())).toContain('expires 2027-03-14 03:30 EDT');

        // The list: each code's expiry in New York time.
        const expiryOf = (id: string) => page.locator(`tr[data-code-id="${id}"] td[data-label="Expires"]`).textContent();
        await expect(expiryOf(springId).then(squash)).resolves.toBe('2027-03-14 03:30 EDT');
        await expect(expiryOf(weekId).then(squash)).resolves.toBe(await newYorkTime(page, weekExpiry));
        await check(page, problems, 'codes');
      });
    });
  }
});
