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
      tls: false,
    });
  });

  it('serves plex.tv over TLS with --tls or PLEX_SIM_TLS=1', () => {
    expect(readCliSettings(['--tls'], {})).toMatchObject({ tls: true });
    expect(readCliSettings([], { PLEX_SIM_TLS: '1' })).toMatchObject({ tls: true });
    expect(readCliSettings([], { PLEX_SIM_TLS: '0' })).toMatchObject({ tls: false });
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
      expect(text).toContain(`app.plex.tv sign-in page   ${sim.plexTvUrl}/auth  (PLEX_APP_URL=${sim.plexTvUrl})`);
      expect(text).toContain('owner-token');
      expect(text).toContain(sim.machineIdentifier);
      expect(text).not.toContain('certificate');
    } finally {
      await sim.close();
    }
  });

  it('prints the https URL and where the certificate to trust is', async () => {
    const sim = await startPlexSimulator({ tls: true });
    try {
      const text = describeSimulator(sim, '/tmp/plex-sim-ca/plex-sim-ca.pem');
      expect(text).toContain(`plex.tv                    ${sim.plexTvUrl}`);
      expect(text).toContain(`clients.plex.tv            ${sim.plexTvUrl}/clients.plex.tv`);
      expect(sim.plexTvUrl).toMatch(/^https:/);
      expect(text).toContain('NODE_EXTRA_CA_CERTS=/tmp/plex-sim-ca/plex-sim-ca.pem');
    } finally {
      await sim.close();
    }
  });
});
