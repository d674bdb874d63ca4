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
  rssAfterBurstBytes: number;
  startToReadyMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * 500 friends asking at once while plex.tv takes 250 ms per answer: end-to-end latency of each
 * submission (POST / until its redirect), plex.tv requests per invite, TCP connections opened
 * towards plex.tv, and the resident memory of the Helpr process afterwards.
 */
export async function benchInviteBurst(options = { invites: 500, plexLatencyMs: 250 }): Promise<InviteBurstResult> {
  const sim = await startPlexSimulator({ latencyMs: options.plexLatencyMs });
  const helpr = await startHelpr(readyEnv(sim, { INVITE_RATE_LIMIT: '1000000/1m' }));
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
    await submit('warm-up@example.com');
    sim.control.clearLog();

    const results = await Promise.all(Array.from({ length: options.invites }, (_, i) => submit(`burst-friend-${i}@example.com`)));
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
      rssAfterBurstBytes: helpr.rssBytes(),
      startToReadyMs: helpr.startToReadyMs,
    };
  } finally {
    await client.close();
    await helpr.stop();
    await sim.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchInviteBurst());
}
