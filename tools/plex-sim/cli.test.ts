import { describe, expect, it } from 'vitest';
import { describeSimulator, readCliSettings } from './cli.js';
import { startPlexSimulator } from './index.js';

describe('plex-sim CLI settings', () => {
  it('defaults to the real Plex ports on loopback', () => {
    expect(readCliSettings([], {})).toEqual({
      host: '127.0.0.1',
      plexTvPort: 32401,
      pmsPort: 32400,
      latencyMs: 0,
      unreachableConnection: false,
    });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PLEX_SIM_PLEX_TV_PORT: '4000', PLEX_SIM_PMS_PORT: '4001', PLEX_SIM_LATENCY_MS: '250' };
    expect(readCliSettings([], env)).toMatchObject({ plexTvPort: 4000, pmsPort: 4001, latencyMs: 250 });
    expect(readCliSettings(['--plex-tv-port', '5000', '--unreachable-connection'], env)).toMatchObject({
      plexTvPort: 5000,
      pmsPort: 4001,
      unreachableConnection: true,
    });
  });

  it('rejects bad numbers and unknown flags, and returns null for --help', () => {
    expect(() => readCliSettings(['--pms-port', '70000'], {})).toThrow(/PMS port/);
    expect(() => readCliSettings(['--latency-ms', 'soon'], {})).toThrow(/latency/);
    expect(() => readCliSettings(['--bogus'], {})).toThrow();
    expect(readCliSettings(['--help'], {})).toBeNull();
  });

  it('prints the URLs, owner token and machine id', async () => {
    const sim = await startPlexSimulator();
    try {
      const text = describeSimulator(sim);
      expect(text).toContain(sim.plexTvUrl);
      expect(text).toContain(sim.pmsUrl);
      expect(text).toContain('owner-token');
      expect(text).toContain(sim.machineIdentifier);
    } finally {
      await sim.close();
    }
  });
});
