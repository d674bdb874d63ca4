/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { screenshotPath } from './browser.js';
import { expectNoHorizontalOverflow, expectTapTargets, watchProblems } from './page-checks.js';

/**
 * One admin page's browser test at one size: `start` runs Helpr (stopped after each test, with
 * its browser contexts), `signIn` opens a page signed in as the owner, `check` looks at a page as
 * the owner reads it (no console problems, no sideways scrolling, big enough taps on a phone) and
 * keeps a screenshot named `<prefix>-<name>-<size>`.
 */
export function useAdminBrowser(options: { chromium: { readonly browser: Browser }; size: string; viewport: { width: number; height: number }; prefix: string; password: string }) {
  let server: RunningServer | undefined;
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
    await server?.close();
    server = undefined;
  });

  return {
    async start(config: Config): Promise<RunningServer> {
      server = await startServer(config, { retryWorker: false, announce: false });
      return server;
    },

    async signIn(running: RunningServer): Promise<{ page: Page; problems: string[] }> {
      const context = await options.chromium.browser.newContext({ viewport: options.viewport, colorScheme: 'light' });
      contexts.push(context);
      const page = await context.newPage();
      const problems = watchProblems(page);
      await page.goto(`${running.url}/admin/login`);
      await page.getByLabel('Username').fill('owner');
      await page.getByLabel('Password').fill(options.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin$/);
      return { page, problems };
    },

    async check(page: Page, problems: string[], name: string): Promise<void> {
      await page.waitForLoadState('load');
      expect(problems, `problems on ${page.url()}`).toEqual([]);
      await expectNoHorizontalOverflow(page);
      if (options.size === 'phone') await expectTapTargets(page);
      await page.screenshot({ path: screenshotPath(`${options.prefix}-${name}-${options.size}`), fullPage: true, animations: 'disabled' });
    },
  };
}
