import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { startPlexSimulator } from '../plex-sim/index.js';

/**
 * `npm run demo`: the Plex simulator and Helpr wired to it, in a fresh data directory, with a demo
 * admin. Everything runs on this machine; nothing talks to the real Plex.
 */
async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-demo-'));
  // 'exit' comes after a normal end, process.exit (signals below, errors) and an uncaught error alike.
  process.on('exit', () => fs.rmSync(dataDir, { recursive: true, force: true }));
  // Filled once started: a signal during start-up (or a second one) ends the demo at once.
  let started: { close(): Promise<void> } | undefined;
  const stop = () => {
    if (!started) process.exit(1);
    const closing = started.close();
    started = undefined;
    void closing.then(() => process.exit(0), () => process.exit(1));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  const sim = await startPlexSimulator();
  // A brand-new Plex account that never confirmed its email: Continue with Plex as it shows the
  // "confirm your email" page, and confirming it (printed below) lets Try again finish the join.
  const newbie = sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
  const password = crypto.randomBytes(9).toString('base64url');
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: `sqlite:${path.join(dataDir, 'helpr.db')}`,
    HOST: process.env.HOST ?? '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    ADMIN_USERNAME: 'demo',
    ADMIN_PASSWORD: password,
    PLEX_TOKEN: sim.ownerToken,
    PLEX_SERVER_ID: sim.machineIdentifier,
    PLEX_TV_URL: sim.plexTvUrl,
    PLEX_CLIENTS_URL: sim.clientsPlexTvUrl,
    // Continue with Plex (and the owner's Sign in with Plex) open the simulator's sign-in page.
    PLEX_APP_URL: sim.plexTvUrl,
    PLEX_LIBRARIES: process.env.PLEX_LIBRARIES ?? 'Movies,TV Shows',
  });
  const server = await startServer(config, { announce: false });
  started = {
    async close() {
      await server.close();
      await sim.close();
    },
  };
  const friends = sim.accounts.friends.map((f) => `${f.username} <${f.email}>`).join(', ');
  const appUrl = server.url.replace('127.0.0.1', 'localhost');
  const confirmNewbie = `curl -X POST -H 'Content-Type: application/json' -d '{"account":"${newbie.username}"}' ${sim.plexTvUrl}/__sim/accounts/confirm`;

  console.log(`
Helpr demo is running (data in ${dataDir}, removed on exit)

  Helpr            ${appUrl}
  Admin            ${appUrl}/admin/login   username: demo   password: ${password}
  Plex simulator   ${sim.plexTvUrl}   (media server ${sim.pmsUrl})
  Plex accounts    owner <${sim.accounts.owner.email}> owns "Home PMS"; friends: ${friends}
                   and ${newbie.username} <${newbie.email}>, whose email is not confirmed yet.
                   Any other email works too: Plex sends an invite email to people without an account.
  Try it           open ${appUrl}, type friend@example.com (or any email) and ask for access.
  Join with Plex   open ${appUrl}, press Continue with Plex and choose a friend (alice, say) on the
                   simulated Plex sign-in page: Helpr shares the libraries and accepts the invite for them.
                   Choose ${newbie.username} to see "confirm your email"; confirm it with
                   ${confirmNewbie}
                   then press Try again.

Plex connection test:`);
  const report = await server.deps.services.diagnostics.run((step) =>
    console.log(`  [${step.status === 'ok' ? 'ok' : step.status}] ${step.label}: ${step.detail}${step.hint ? ` (${step.hint})` : ''}`),
  );
  console.log(report.ok ? '\nPress Ctrl+C to stop.\n' : '\nThe demo could not reach its own simulator; see above.\n');
}

main().catch((error: unknown) => {
  // One line (e.g. "port 8080 is already in use ...; set PORT to another port"); the data goes on exit.
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
