/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { useAdminBrowser } from '../helpers/admin-browser.js';
import { chromiumAvailable, setUpByEnvironment, useChromium, VIEWPORTS } from '../helpers/browser.js';
import { useSimulator } from '../helpers/plex-sim.js';

const PASSWORD = 'a long enough password';
const squash = (text: string | null): string => (text ?? '').replace(/\s+/g, ' ').trim();

/** The owner's Users page (issue 13) at phone and desktop sizes: sync, read, change libraries, remove, give back. */
describe.runIf(chromiumAvailable())('the Users page in Chromium', () => {
  const plex = useSimulator();
  const chromium = useChromium();

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    describe(`at ${size} size`, () => {
      const admin = useAdminBrowser({ chromium, size, viewport, prefix: 'users', password: PASSWORD });
      const check = admin.check;

      it('syncs with Plex, lists who has access, changes libraries, removes and gives access back', async () => {
        const sim = plex.sim;
        const server = await admin.start(setUpByEnvironment(sim, PASSWORD, { PLEX_LIBRARIES: '1' }));
        // bob was given access in Plex itself; alice was invited through Helpr's admin area.
        const sharing = server.deps.services;
        await sharing.adminInvitations.invite({ email: 'alice@example.com' }, { name: 'owner', type: 'admin', ip: null }, 'admin');
        const client = (await sharing.plexConnection.client()).sharing;
        await client.inviteFriend(sim.ownerToken, { machineIdentifier: sim.machineIdentifier, invitee: 'bob', librarySectionIds: [35723967], sharing: { allowSync: false, allowCameraUpload: false, allowChannels: false } });
        await client.acceptInvite('bob-token', 'owner');

        const { page, problems } = await admin.signIn(server);

        await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
        await page.waitForURL(/\/admin\/users$/);
        await expect(page.locator('.sync-line').textContent().then(squash)).resolves.toContain('Helpr has not read who has access from Plex yet.');
        await page.getByRole('button', { name: 'Sync now' }).click();
        await page.getByRole('status').filter({ hasText: 'Synced with Plex: 2 people found.' }).waitFor();
        const bobRow = page.locator('tr[data-source="plex"]');
        await expect(bobRow.textContent().then(squash)).resolves.toMatch(/bob.*added in Plex.*Active.*Movies/);
        await expect(page.locator('tr[data-state="pending"]').textContent().then(squash)).resolves.toMatch(/alice.*Invited.*Movies/);
        await check(page, problems, 'list');

        // bob's page: TV Shows added to his share in place.
        await bobRow.getByRole('link', { name: 'bob' }).click();
        await page.waitForURL(/\/admin\/users\/[\w-]+$/);
        await page.getByLabel('TV Shows').check();
        await page.getByRole('button', { name: 'Save libraries' }).click();
        await page.getByRole('status').filter({ hasText: 'libraries were changed in Plex' }).waitFor();
        const bobShares = () => sim.control.state().shares.filter((share) => share.invitedUsername === 'bob');
        expect(bobShares()).toEqual([expect.objectContaining({ accepted: true, libraryIds: [35723967, 35723968] })]);
        await check(page, problems, 'person');

        await page.getByRole('button', { name: 'Remove access' }).click();
        await page.getByRole('status').filter({ hasText: 'access was removed in Plex' }).waitFor();
        expect(bobShares()).toEqual([]);
        await page.getByRole('button', { name: 'Give access back' }).click();
        await page.getByRole('status').filter({ hasText: 'bob was invited again.' }).waitFor();
        expect(bobShares()).toEqual([expect.objectContaining({ accepted: false })]);
        await check(page, problems, 'person-restored');
      });
    });
  }
});
