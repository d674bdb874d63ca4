import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from '../../../tools/plex-sim/index.js';
import { testConfig } from '../../../test/helpers/app.js';
import { fixedClock } from '../../clock.js';
import { migrateToLatest } from '../../db/migrate.js';
import { createDeps, type Deps } from '../../deps.js';
import { createDiagnostics } from './diagnostics.service.js';

describe('Plex connection diagnostics against the simulator', () => {
  let sim: PlexSimulator;
  const opened: Deps[] = [];

  beforeAll(async () => {
    sim = await startPlexSimulator();
  });
  afterEach(() => sim.control.reset());
  afterAll(async () => {
    for (const deps of opened) await deps.close();
    await sim.close();
  });

  async function diagnosticsFor(env: Record<string, string> = {}, options: { probeTimeoutMs?: number; selected?: string[] } = {}) {
    const deps = await createDeps(
      testConfig({ PLEX_TOKEN: sim.ownerToken, PLEX_SERVER_ID: sim.machineIdentifier, PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.plexTvUrl, ...env }),
      { logger: pino({ level: 'silent' }) },
    );
    opened.push(deps);
    await migrateToLatest(deps.database);
    return createDiagnostics({
      connection: deps.services.plexConnection,
      mapping: deps.services.libraryMapping,
      clock: fixedClock('2026-11-24T12:00:00Z'),
      probeTimeoutMs: options.probeTimeoutMs ?? 2000,
      selectedLibraries: async () => options.selected ?? [],
    });
  }

  it('passes every step on a healthy setup and says what it found', async () => {
    const seen: string[] = [];
    const report = await (await diagnosticsFor({}, { selected: ['1', '3'] })).run((step) => seen.push(step.name));
    expect(report.ok).toBe(true);
    expect(seen).toEqual(['token', 'server', 'reachable', 'libraries', 'mapping']);
    expect(report.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const [token, server, reachable, libraries, mapping] = report.steps;
    expect(token!.detail).toBe('Signed in as owner (owner@example.com)');
    expect(server!.detail).toContain('Home PMS');
    expect(reachable!.detail).toMatch(new RegExp(`Answered at ${sim.pmsUrl.replace(/[.]/g, '\\.')}.* \\(local\\) in \\d+ ms`));
    expect(libraries!.detail).toBe('3 libraries: Movies, TV Shows, Music');
    expect(mapping!.detail).toBe('3 of 3 libraries ready to share');
  });

  it('counts libraries, not names, when the selection uses titles', async () => {
    const report = await (await diagnosticsFor({}, { selected: ['Movies', 'TV Shows'] })).run();
    expect(report.steps[4]).toMatchObject({ status: 'ok', detail: '3 of 3 libraries ready to share' });
  });

  it('stops at the first step with a plain fix when the token was revoked', async () => {
    sim.control.revokeToken(sim.ownerToken);
    const report = await (await diagnosticsFor()).run();
    expect(report.ok).toBe(false);
    expect(report.steps[0]).toMatchObject({ name: 'token', status: 'failed', hint: 'This token was revoked: sign in with Plex again.' });
    expect(report.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);
  });

  it('explains a missing token and a wrong token', async () => {
    const none = await (await diagnosticsFor({ PLEX_TOKEN: '' })).run();
    expect(none.steps[0]).toMatchObject({ status: 'failed', detail: 'No Plex token is set.' });
    const wrong = await (await diagnosticsFor({ PLEX_TOKEN: 'not-a-token' })).run();
    expect(wrong.steps[0]!.hint).toBe('Plex does not accept this token: sign in with Plex again (or check PLEX_TOKEN).');
  });

  it('names the owned servers when the chosen one is not among them', async () => {
    const report = await (await diagnosticsFor({ PLEX_SERVER_ID: 'ffffffffffffffffffffffffffffffffffffffff' })).run();
    expect(report.steps[1]).toMatchObject({ name: 'server', status: 'failed' });
    expect(report.steps[1]!.hint).toContain(`Home PMS (${sim.machineIdentifier})`);
  });

  it('reports a hanging media server as unreachable within the timeout', async () => {
    sim.control.addFault({ kind: 'hang', target: 'pms' });
    const started = performance.now();
    const report = await (await diagnosticsFor({}, { probeTimeoutMs: 300 })).run();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(report.steps[2]).toMatchObject({ name: 'reachable', status: 'failed' });
    expect(report.steps[2]!.hint).toContain('did not answer on any of its addresses within 0.3 s');
  });

  it('flags a selected library that no longer exists', async () => {
    const report = await (await diagnosticsFor({}, { selected: ['1', '7'] })).run();
    expect(report.steps[4]).toMatchObject({ name: 'mapping', status: 'failed', detail: 'plex.tv does not list library 7 yet, so it cannot be shared.' });
    expect(report.steps[4]!.hint).toContain('Selected library 7 no longer exists: choose the libraries');
  });
});
