import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { startPlexSimulator } from '../tools/plex-sim/index.js';
import { startHelpr } from './lib/helpr-process.js';
import { readyEnv } from './lib/sim-env.js';

export interface InviteBurstResult {
  invites: number;
  redirects: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
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

/**
 * 500 friends asking at once while plex.tv takes 250 ms per answer: end-to-end latency of each
 * submission (POST / until its redirect), plex.tv requests per invite, TCP connections opened
 * towards plex.tv, and the resident memory of the Helpr process afterwards. plex.tv is HTTPS with
 * HTTP/2, as the real one; Helpr trusts the simulator's certificate through NODE_EXTRA_CA_CERTS,
 * as a deployment would trust a private CA.
 */
export async function benchInviteBurst({ invites = 500, plexLatencyMs = 250, tls = true } = {}): Promise<InviteBurstResult> {
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
    sim.control.clearLog();

    const cpuBefore = helpr.cpuMs();
    const results = await Promise.all(Array.from({ length: options.invites }, (_, i) => submit(`burst-friend-${i}@example.com`)));
    const cpuMsPerInvite = (helpr.cpuMs() - cpuBefore) / options.invites;
    const times = results.map((r) => r.ms).sort((a, b) => a - b);
    const counters = sim.control.counters().plexTv;
    return {
      invites: options.invites,
      redirects: results.filter((r) => r.status === 303).length,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      maxMs: times.at(-1)!,
      plexRequestsPerInvite: counters.total / options.invites,
      plexConnectionsOpened: counters.connectionsOpened,
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
