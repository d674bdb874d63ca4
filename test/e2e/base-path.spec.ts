/// <reference lib="dom" />
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, screenshotPath, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { nginxAvailable, startNginx } from '../helpers/nginx.js';
import { expectUsablePage, watchProblems } from '../helpers/page-checks.js';
import { useSimulator } from '../helpers/plex-sim.js';

/**
 * Issue 15: Helpr under https://example.com/helpr, behind a real nginx on 127.0.0.1, in both ways a
 * proxy is written (README "Under a path"): passing the path as it came, and stripping the prefix.
 * A friend asks for access and an owner signs in, moves around and signs out; every request the
 * browser makes stays under /helpr and works.
 */
const PASSWORD = 'a long enough password';
const HEADERS = 'proxy_set_header Host $http_host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme;';
const VARIANTS = [
  { name: 'as-it-came', location: `location /helpr { proxy_pass UPSTREAM; ${HEADERS} }` },
  { name: 'stripped', location: `location /helpr/ { proxy_pass UPSTREAM/; ${HEADERS} }` },
];

describe.runIf(chromiumAvailable() && nginxAvailable())('Helpr under /helpr behind nginx, in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let helpr: RunningServer;
  let proxy: Awaited<ReturnType<typeof startNginx>>;
  beforeAll(async () => {
    helpr = await startServer(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1,2', BASE_PATH: '/helpr', TRUST_PROXY: '127.0.0.1' }), { announce: false });
    proxy = await startNginx(helpr.url, VARIANTS);
  });
  afterAll(async () => {
    await proxy?.stop();
    await helpr?.close();
  });

  let context: BrowserContext | undefined;
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  /** A page whose every request to the proxy is recorded, to show none left /helpr. */
  async function open(viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[]; paths: string[] }> {
    context = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
    const page = await context.newPage();
    const problems = watchProblems(page);
    const paths: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.hostname === '127.0.0.1') paths.push(url.pathname);
    });
    return { page, problems, paths };
  }

  for (const variant of VARIANTS) {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      it(`serves a friend and the owner, the path ${variant.name}, at ${size} size`, async () => {
        const site = `${proxy.urls[variant.name]}/helpr`;
        const { page, problems, paths } = await open(viewport);

        await page.goto(`${site}/`);
        await expect(page.locator('h1').textContent()).resolves.toBe('Plex invites');
        await page.getByLabel('Plex email or username').fill(`friend-${variant.name}-${size}@example.com`);
        await page.getByRole('button', { name: 'Ask for access' }).click();
        await page.waitForURL(/\/helpr\/requests\/[A-Za-z0-9_-]{22}$/);
        await expect(page.getByRole('status').textContent()).resolves.toMatch(/Invite sent/);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`base-path-${variant.name}-friend-${size}`), fullPage: true });

        // The owner: sent to the sign-in page under /helpr, back to where they were going after it.
        await page.goto(`${site}/admin/codes`);
        await page.waitForURL(/\/helpr\/admin\/login\?next=%2Fadmin%2Fcodes$/);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(/\/helpr\/admin\/codes$/);
        await page.getByRole('button', { name: 'Create code' }).click();
        await page.waitForURL(/\/helpr\/admin\/codes/);
        // The new code's link is under /helpr on the proxy's address (TRUST_PROXY: the forwarded name).
        const link = await page.locator('#created-link').inputValue();
        expect(link).toMatch(new RegExp(`^${site.replace(/[.]/g, '\\.')}/join/[A-Z0-9]+$`));
        // The link opens the friend's form with the code in it.
        const code = link.split('/').pop()!;
        await page.goto(link);
        await expect(page.getByLabel(/code/i).inputValue()).resolves.toBe(code);
        await page.goBack();
        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Invitations' }).click();
        await page.waitForURL(/\/helpr\/admin\/invitations$/);
        await expect(page.getByText(`friend-${variant.name}-${size}@example.com`).first().isVisible()).resolves.toBe(true);
        await expectUsablePage(page, problems);
        await page.screenshot({ path: screenshotPath(`base-path-${variant.name}-admin-${size}`), fullPage: true });
        await page.getByRole('button', { name: /^Sign out/ }).click();
        await page.waitForURL(/\/helpr\/admin\/login\?signedOut=1$/);

        expect(paths.length).toBeGreaterThan(10);
        expect(paths.filter((path) => path !== '/helpr' && !path.startsWith('/helpr/'))).toEqual([]);
        expect(problems).toEqual([]);
      });
    }
  }

  for (const variant of VARIANTS) {
    it(`sets a new Helpr up from nothing under /helpr, the path ${variant.name}, at phone size`, async () => {
      const sim = plex.sim;
      const fresh = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1', PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl, BASE_PATH: '/helpr', TRUST_PROXY: '127.0.0.1' }), { announce: false, retryWorker: false });
      const freshProxy = await startNginx(fresh.url, [variant]);
      try {
        const site = `${freshProxy.urls[variant.name]}/helpr`;
        const { page, problems, paths } = await open(VIEWPORTS.phone);
        // app.plex.tv is not reachable offline: the new tab gets a stand-in page.
        await context!.route('https://app.plex.tv/**', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Plex</title><p>Plex sign-in (stand-in)</p>' }));
        await page.goto(`${site}/`);
        await page.getByRole('link', { name: 'Open the admin area' }).click();
        await page.waitForURL(/\/helpr\/setup$/);
        await page.getByLabel('Username').fill('owner');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByLabel('Password again').fill(PASSWORD);
        await page.getByRole('button', { name: 'Create the admin account' }).click();
        await page.waitForURL(/\/helpr\/admin\/setup\/plex$/);
        const [plexTab] = await Promise.all([context!.waitForEvent('page'), page.getByRole('button', { name: 'Sign in with Plex' }).click()]);
        await plexTab.waitForURL(/^https:\/\/app\.plex\.tv\//);
        const auth = new URL(plexTab.url());
        sim.control.approvePin({ code: new URLSearchParams(auth.hash.replace(/^#\??/, '')).get('code')! });
        await plexTab.close();
        await page.waitForURL(/\/helpr\/admin\/setup\/server$/, { timeout: 15_000 });
        await page.getByRole('button', { name: 'Use this server and continue' }).click();
        await page.waitForURL(/\/helpr\/admin\/setup\/libraries$/);
        await page.getByLabel(/Movies/).check();
        await page.getByRole('button', { name: 'Save and continue' }).click();
        await page.waitForURL(/\/helpr\/admin\/setup\/done$/);
        await page.getByRole('button', { name: 'Finish and open the dashboard' }).click();
        await page.waitForURL(/\/helpr\/admin$/);
        await expect(page.getByText('Helpr is set up.').isVisible()).resolves.toBe(true);
        await page.screenshot({ path: screenshotPath(`base-path-${variant.name}-setup-done-phone`), fullPage: true });
        expect(paths.filter((path) => path !== '/helpr' && !path.startsWith('/helpr/'))).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await freshProxy.stop();
        await fresh.close();
      }
    });
  }
});
