import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from '../../tools/plex-sim/index.js';
import { tempDir, TEST_SECRET } from '../helpers/app.js';
import { runEntry } from '../helpers/process.js';
import { simulatorEnv } from '../helpers/plex-sim.js';

/** `npx helpr plex test` as an owner runs it, against the simulator. */
describe('helpr plex test', () => {
  let sim: PlexSimulator;
  beforeAll(async () => {
    sim = await startPlexSimulator();
  });
  afterEach(() => sim.control.reset());
  afterAll(() => sim.close());

  const run = () =>
    runEntry(
      'src/cli/main.ts',
      {
        DATA_DIR: tempDir(),
        SECRET_KEY: TEST_SECRET,
        ...simulatorEnv(sim),
      },
      ['plex', 'test'],
    ).exited;

  it('passes and exits 0 when everything works', async () => {
    const { code, stdout, stderr } = await run();
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('[ok  ] Plex token is valid      Signed in as owner (owner@example.com)');
    expect(stdout).toContain('[ok  ] Libraries ready to share');
    expect(stdout).toContain('All 5 checks passed.');
  });

  it('fails at the first step with the hint when the token was revoked', async () => {
    sim.control.revokeToken(sim.ownerToken);
    const { code, stdout, stderr } = await run();
    expect(code).toBe(1);
    expect(stdout).toMatch(/\[FAIL\] Plex token is valid .*422/);
    expect(stdout).toContain('→ This token was revoked: sign in with Plex again.');
    expect(stdout).toContain('[skip] Server found and owned');
    expect(stderr).toBe('helpr: The Plex connection test failed at "Plex token is valid".\n');
  });

  it('reports a hanging media server unreachable within the 5 s timeout, and exits', async () => {
    sim.control.addFault({ kind: 'hang', target: 'pms' });
    const started = Date.now();
    const { code, stdout } = await run();
    const elapsed = Date.now() - started;
    expect(code).toBe(1);
    expect(stdout).toContain('[FAIL] Server reachable');
    expect(stdout).toContain('The server did not answer on any of its addresses within 5 s');
    // 5 s probe plus process start; the process must not hang on the open connection.
    expect(elapsed).toBeLessThan(12_000);
  }, 20_000);
});
