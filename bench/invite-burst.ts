import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { startPlexSimulator } from '../tools/plex-sim/index.js';
import { startHelpr } from './lib/helpr-process.js';
import { readyEnv } from './lib/sim-env.js';

interface Wave {
  redirects: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface InviteBurstResult extends Wave {
  invites: number;
  /** The first wave after start, on code V8 has not compiled yet (for reading). */
  firstWave: Wave;
  /** Waves of 500 before the measured one (the first included). */
  warmUpWaves: number;
  /** When plex.tv received the burst's invites, in ms after the burst began: first, median, last. */
  plexArrivalsMs: { first: number; median: number; last: number };
  plexRequestsPerInvite: number;
  plexConnectionsOpened: number;
  /** Most plex.tv requests in flight at once during the burst. */
  plexMaxInFlight: number;
  /** plex.tv requests of the burst by HTTP version (`2.0` when multiplexed). */
  plexHttpVersions: Record<string, number>;
  rssAfterBurstBytes: number;
  /** CPU time the Helpr process spent on the burst (all its threads), per invite. */
  helprCpuMsPerInvite: number;
  startToReadyMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const waveOf = (results: Array<{ ms: number; status: number }>): Wave => {
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return { redirects: results.filter((r) => r.status === 303).length, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), maxMs: times.at(-1)! };
};

/**
 * 500 friends asking at once while plex.tv takes 250 ms per answer: end-to-end latency of each
 * submission (POST / until its redirect), plex.tv requests per invite, TCP connections opened
 * towards plex.tv, and the resident memory of the Helpr process afterwards. plex.tv is HTTPS with
 * HTTP/2, as the real one; Helpr trusts the simulator's certificate through NODE_EXTRA_CA_CERTS,
 * as a deployment would trust a private CA.
 *
 * Waves of 500 different friends: the first right after start (reported, for reading), two more
 * while V8 compiles the hot code (Helpr's CPU per wave roughly halves over the first waves), then
 * the measured one, as on a server that has been up for a while. Connections to plex.tv are counted
 * over all waves.
 */
export async function benchInviteBurst({ invites = 500, plexLatencyMs = 250, tls = true, warmUpWaves = 3 } = {}): Promise<InviteBurstResult> {
  const options = { invites, plexLatencyMs };
  const sim = await startPlexSimulator({ latencyMs: plexLatencyMs, tls });
  const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bench-ca-'));
  const caFile = path.join(caDir, 'plex-sim-ca.pem');
  if (sim.tlsCaPem) fs.writeFileSync(caFile, sim.tlsCaPem);
  const trust: Record<string, string> = sim.tlsCaPem ? { NODE_EXTRA_CA_CERTS: caFile } : {};
  const helpr = await startHelpr(readyEnv(sim, { INVITE_RATE_LIMIT: '1000000/1m', ...trust })).catch(async (error: unknown) => {
    await sim.close();
    fs.rmSync(caDir, { recursive: true, force: true });
    throw error;
  });
  const client = new Agent({ connections: options.invites, keepAliveTimeout: 30_000 });
  try {
    const form = await request(`${helpr.url}/`, { dispatcher: client });
    const html = await form.body.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const setCookie = [form.headers['set-cookie']].flat().filter(Boolean) as string[];
    const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    if (!token || !cookie) throw new Error('no CSRF token on GET /');
    const submit = async (email: string) => {
      const started = performance.now();
      const response = await request(`${helpr.url}/`, {
        dispatcher: client,
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, _csrf: token }).toString(),
      });
      await response.body.dump();
      return { ms: performance.now() - started, status: response.statusCode };
    };
    // Warm: the library mapping and plex.tv connections, as after any first invite.
    const warm = await submit('warm-up@example.com');
    const [warmInvite] = sim.control.requestLog({ method: 'POST', path: '/api/servers/' });
    if (warm.status !== 303 || warmInvite?.status !== 200) throw new Error('the warm-up invite did not reach plex.tv: is NODE_EXTRA_CA_CERTS honoured?');
    const wave = (name: string) => Promise.all(Array.from({ length: options.invites }, (_, i) => submit(`${name}-${i}@example.com`)));
    const firstWave = waveOf(await wave('wave-1-friend'));
    for (let w = 2; w <= warmUpWaves; w++) await wave(`wave-${w}-friend`);
    const connectionsBefore = sim.control.counters().plexTv.connectionsOpened;
    sim.control.clearLog();

    const cpuBefore = helpr.cpuMs();
    const burstStartedAt = Date.now();
    const results = await wave('burst-friend');
    const cpuMsPerInvite = (helpr.cpuMs() - cpuBefore) / options.invites;
    const counters = sim.control.counters().plexTv;
    const arrivals = sim.control
      .requestLog({ method: 'POST', path: '/api/servers/' })
      .map((logged) => new Date(logged.at).getTime() - burstStartedAt)
      .sort((a, b) => a - b);
    return {
      invites: options.invites,
      ...waveOf(results),
      firstWave,
      warmUpWaves,
      plexArrivalsMs: { first: arrivals[0] ?? Number.NaN, median: percentile(arrivals, 50), last: arrivals.at(-1) ?? Number.NaN },
      plexRequestsPerInvite: counters.total / options.invites,
      plexConnectionsOpened: connectionsBefore + counters.connectionsOpened,
      plexMaxInFlight: counters.maxInFlight,
      plexHttpVersions: counters.byHttpVersion,
      rssAfterBurstBytes: helpr.rssBytes(),
      helprCpuMsPerInvite: cpuMsPerInvite,
      startToReadyMs: helpr.startToReadyMs,
    };
  } finally {
    await client.close();
    await helpr.stop();
    await sim.close();
    fs.rmSync(caDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchInviteBurst());
}
