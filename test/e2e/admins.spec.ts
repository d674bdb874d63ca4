/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { useAdminBrowser } from '../helpers/admin-browser.js';
import { chromiumAvailable, screenshotPath, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { useSimulator } from '../helpers/plex-sim.js';

const PASSWORD = 'a long enough password';
const VIEWER_PASSWORD = 'the viewer’s own password';

/**
 * Issue 17 at phone and desktop sizes: the owner adds a viewer under Settings > Admins; the viewer
 * signs in, looks around, is told plainly when they try to change something, and signs their own
 * other browser out under Settings > Sessions.
 */
describe.runIf(chromiumAvailable())('admins and sessions in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      const admin = useAdminBrowser({ chromium, size, viewport, prefix: 'admins', password: PASSWORD });

      it('adds a viewer who can look but not change, and who signs their other browser out', async () => {
        const server = await admin.start(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1' }));
        const { page, problems } = await admin.signIn(server);
        await page.goto(`${server.url}/admin/settings`);
        await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Admins' }).click();
        await page.waitForURL(/\/admin\/admins$/);
        await page.getByLabel('Username', { exact: true }).fill('sam');
        await page.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
        await page.getByLabel('Viewer: looks, changes nothing').check();
        await page.getByRole('button', { name: 'Add admin' }).click();
        await page.getByRole('status').filter({ hasText: 'sam can sign in now, as a viewer.' }).waitFor();
        await expect(page.locator('[data-admin="sam"] [data-role]').textContent()).resolves.toBe('Viewer');
        await admin.check(page, problems, 'list');

        // A second admin by a one-time link, opened in another browser.
        await page.getByLabel('Role', { exact: true }).selectOption('owner');
        await page.getByRole('button', { name: 'Make a link' }).click();
        const link = await page.locator('#created-admin-link').inputValue();
        await admin.check(page, problems, 'link');
        const invited = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        try {
          const joinPage = await invited.newPage();
          await joinPage.goto(link);
          await joinPage.getByLabel('Username').fill('kim');
          await joinPage.getByLabel('Password', { exact: true }).fill(VIEWER_PASSWORD);
          await joinPage.getByLabel('Password again').fill(VIEWER_PASSWORD);
          await joinPage.screenshot({ path: screenshotPath(`admins-join-${size}`), fullPage: true });
          await joinPage.getByRole('button', { name: 'Create my admin account' }).click();
          await joinPage.waitForURL(/\/admin$/);
          await joinPage.getByRole('status').filter({ hasText: 'Welcome, kim. You are an owner of this Helpr.' }).waitFor();
        } finally {
          await invited.close();
        }

        // The viewer, in two browsers.
        const other = await chromium.browser.newContext({ viewport });
        const otherPage = await other.newPage();
        const viewer = await chromium.browser.newContext({ viewport, colorScheme: 'light' });
        const viewerPage = await viewer.newPage();
        try {
          for (const p of [otherPage, viewerPage]) {
            await p.goto(`${server.url}/admin/login`);
            await p.getByLabel('Username').fill('sam');
            await p.getByLabel('Password').fill(VIEWER_PASSWORD);
            await p.getByRole('button', { name: 'Sign in' }).click();
            await p.waitForURL(/\/admin$/);
          }
          await expect(viewerPage.locator('.viewer-note').textContent()).resolves.toContain('You are signed in as a viewer');
          await viewerPage.goto(`${server.url}/admin/codes`);
          await viewerPage.getByRole('button', { name: 'Create code' }).click();
          await expect(viewerPage.locator('main').textContent()).resolves.toContain('can look at everything here but not change it');
          await viewerPage.goto(`${server.url}/admin/settings#sessions`);
          const sessions = viewerPage.locator('#sessions');
          expect(await sessions.locator('[data-session]').count()).toBe(2);
          await sessions.getByRole('button', { name: 'Sign out everywhere else' }).click();
          await viewerPage.getByRole('status').filter({ hasText: 'One other browser is signed out.' }).waitFor();
          expect(await sessions.locator('[data-session]').count()).toBe(1);
          await admin.check(viewerPage, [], 'viewer-sessions');
          await otherPage.goto(`${server.url}/admin`);
          await otherPage.waitForURL(/\/admin\/login/);
        } finally {
          await other.close();
          await viewer.close();
        }
      });
    });
  }
});
