/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useAdminBrowser } from '../helpers/admin-browser.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { startReceiver } from '../helpers/receiver.js';

const PASSWORD = 'a long enough password';

/** The owner's Notifications page (issue 14) at phone and desktop sizes: add a webhook, test it, read the messages. */
describe.runIf(chromiumAvailable())('the Notifications page in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      const admin = useAdminBrowser({ chromium, size, viewport, prefix: 'notifications', password: PASSWORD });
      const check = admin.check;

      it('adds a webhook, shows its secret once, sends a test, and lists a friend’s request as delivered', async () => {
        receiver.reset();
        const server = await admin.start(setUpByEnvironment(plex.sim, PASSWORD, { PLEX_LIBRARIES: '1' }));
        const { page, problems } = await admin.signIn(server);

        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Notifications' }).click();
        await page.waitForURL(/\/admin\/notifications$/);
        await check(page, problems, 'empty');
        await page.getByRole('link', { name: 'Webhook' }).click();
        await page.getByLabel('Name').fill('Home automation');
        await page.getByLabel('URL').fill(`${receiver.url}/helpr`);
        await check(page, problems, 'new');
        await page.getByRole('button', { name: 'Add Webhook' }).click();
        const secret = await page.getByLabel('Signing secret of Home automation').inputValue();
        expect(secret).toMatch(/^[0-9a-f]{64}$/);
        await check(page, problems, 'secret');
        await page.getByRole('link', { name: 'Done' }).click();

        await page.getByRole('button', { name: 'Send a test' }).click();
        await page.getByRole('status').filter({ hasText: 'Test sent' }).waitFor();
        expect(receiver.state.received).toHaveLength(1);

        await server.deps.services.invitations.submit({ email: 'friend@example.com', clientIp: '198.51.100.7', userAgent: undefined });
        await server.deps.services.notificationsPass();
        await page.reload();
        await expect(page.locator('.deliveries li').first().textContent()).resolves.toContain('friend@example.com asked for access');
        await check(page, problems, 'list');
      });
    });
  }
});
