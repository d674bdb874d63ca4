import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { serviceAvailable } from './services.js';
import { testConfig } from './app.js';
import { simulatorEnv } from './plex-sim.js';
import type { PlexSimulator } from '../../tools/plex-sim/index.js';
import type { Config } from '../../src/config.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'screenshots');

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

export const chromiumAvailable = (): boolean => serviceAvailable('Chromium', fs.existsSync(CHROMIUM_PATH));

/** Debian's Chromium, headless, with no background traffic (this machine has no internet). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

export function screenshotPath(name: string): string {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/** One Chromium for the test file: launched before its tests, closed after. */
export function useChromium(): { readonly browser: Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    get browser(): Browser {
      if (!browser) throw new Error('Chromium is not launched yet');
      return browser;
    },
  };
}

/**
 * A server as an owner sets one up through environment variables, against the simulator: the admin
 * `owner`, the Plex token and server; listening on a free port of 127.0.0.1.
 */
export function setUpByEnvironment(sim: PlexSimulator, adminPassword: string, env: Record<string, string> = {}): Config {
  return testConfig({ PORT: '0', HOST: '127.0.0.1', ...simulatorEnv(sim), ADMIN_USERNAME: 'owner', ADMIN_PASSWORD: adminPassword, ...env });
}
