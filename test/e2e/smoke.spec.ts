/// <reference lib="dom" />
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/app.js';
import { chromiumAvailable, launchChromium, screenshotPath, VIEWPORTS } from '../helpers/browser.js';

describe.runIf(chromiumAvailable())('home page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer(testConfig({ PORT: '0', HOST: '127.0.0.1' }));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`shows the placeholder at ${name} size in ${colorScheme} mode`, async () => {
        const context = await browser.newContext({ viewport, colorScheme });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));

        const response = await page.goto(`${server.url}/`);
        expect(response?.status()).toBe(200);
        await expect(page.locator('h1').textContent()).resolves.toBe('Helpr is not set up yet');
        // The stylesheet loaded under the CSP, and the theme follows the system.
        await expect(page.locator('html').getAttribute('data-bs-theme')).resolves.toBe(colorScheme);
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === 'dark' ? 'rgb(33, 37, 41)' : 'rgb(255, 255, 255)');
        // Nothing overflows sideways on a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow).toBeLessThanOrEqual(0);
        // The admin link is a large enough touch target.
        const link = page.getByRole('link', { name: 'Open the admin area' });
        const box = await link.boundingBox();
        expect(box!.height).toBeGreaterThanOrEqual(44);
        await page.screenshot({ path: screenshotPath(`home-${name}-${colorScheme}`), fullPage: true });
        expect(problems).toEqual([]);
        await context.close();
      });
    }
  }
});
