/**
 * Notifications (issue 14): does a dead channel slow a friend's request? A Helpr process (as `npm
 * start` runs it) gets waves of concurrent friend submissions (POST / until its redirect), with two
 * webhook channels switched off, then on: one to a receiver that accepts the connection and never
 * answers, one to a receiver that answers 500. Off and on alternate, three rounds each, and the p99
 * of each is compared (the ratio on/off, measured in the same run). The outbox worker runs as in
 * production (every 5 s). Run: `npm run build && npx tsx bench/notifications.ts`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { postForm } from '../test/helpers/browser-form.js';
import { startPlexSimulator } from '../tools/plex-sim/index.js';
import { cpuMsOf, startHelpr } from './lib/helpr-process.js';
import { readyEnv } from './lib/sim-env.js';

const WAVE = Number(process.env.BENCH_WAVE ?? 100);
const ROUNDS = 3;
/** A dead channel may not make the friend's p99 more than this much slower. */
export const NOTIFY_P99_RATIO_TARGET = 1.25;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function receiver(answer: (res: http.ServerResponse) => void): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits += 1;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function benchNotifications() {
  const sim = await startPlexSimulator({ tls: false });
  const hanging = await receiver(() => undefined);
  const failing = await receiver((res) => res.writeHead(500).end('down'));
  const helpr = await startHelpr(readyEnv(sim, { INVITE_RATE_LIMIT: '1000000/1m', MAX_EVENT_LOOP_DELAY_MS: '0' }));
  const client = new Agent({ connections: WAVE, keepAliveTimeout: 30_000 });
  try {
    const jar = new Map<string, string>();
    const login = await postForm(helpr.url, '/admin/login', { username: 'bench', password: 'bench password 123', next: '/admin' }, jar);
    if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`);
    for (const [name, url] of [['hanging', hanging.url], ['failing', failing.url]] as const) {
      const created = await postFormTo(helpr.url, '/admin/notifications/new?type=webhook', '/admin/notifications', { type: 'webhook', name, url: `${url}/hook`, events: 'request.received' }, jar);
      if (created !== 200) throw new Error(`adding the ${name} webhook answered ${created}`);
    }
    const page = await (await fetch(`${helpr.url}/admin/notifications`, { headers: { cookie: cookieHeader(jar) } })).text();
    const ids = [...page.matchAll(/data-channel-id="([^"]+)"/g)].map((m) => m[1]!);
    if (ids.length !== 2) throw new Error('the two channels are not listed');
    const toggle = async (enabled: boolean) => {
      for (const id of ids) await postFormTo(helpr.url, '/admin/notifications', `/admin/notifications/${id}/toggle`, { enabled: enabled ? '1' : '0' }, jar);
    };

    const form = await request(`${helpr.url}/`, { dispatcher: client });
    const html = await form.body.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    const cookie = ([form.headers['set-cookie']].flat().filter(Boolean) as string[]).map((c) => c.split(';')[0]).join('; ');
    if (!token) throw new Error('no CSRF token on GET /');
    let n = 0;
    const submit = async () => {
      const started = performance.now();
      const response = await request(`${helpr.url}/`, { dispatcher: client, method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email: `friend-${n++}@example.com`, _csrf: token }).toString() });
      await response.body.dump();
      if (response.statusCode !== 303) throw new Error(`a submission answered ${response.statusCode}`);
      return performance.now() - started;
    };
    const wave = async () => (await Promise.all(Array.from({ length: WAVE }, submit))).sort((a, b) => a - b);
    // Warm-up: the first waves compile the hot code.
    await toggle(false);
    for (let i = 0; i < 3; i += 1) await wave();
    const p99 = { off: [] as number[], on: [] as number[] };
    const cpu = { helpr: 0, bench: 0 };
    const cpuBefore = { helpr: cpuMsOf(helpr.child.pid!), bench: process.cpuUsage() };
    for (let round = 0; round < ROUNDS; round += 1) {
      await toggle(false);
      p99.off.push(percentile(await wave(), 99));
      await toggle(true);
      p99.on.push(percentile(await wave(), 99));
      // Let the worker meet the dead channels (every 5 s) before the next round.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
    }
    cpu.helpr = cpuMsOf(helpr.child.pid!) - cpuBefore.helpr;
    const used = process.cpuUsage(cpuBefore.bench);
    cpu.bench = (used.user + used.system) / 1000;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    return { wave: WAVE, rounds: ROUNDS, p99Off: p99.off, p99On: p99.on, ratio: median(p99.on) / median(p99.off), hangingHits: hanging.hits(), failingHits: failing.hits(), cpu };
  } finally {
    await client.close();
    await helpr.stop();
    await Promise.all([hanging.close(), failing.close()]);
    await sim.close();
  }
}

const cookieHeader = (jar: Map<string, string>) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

/** Posts a form to `action` with the CSRF token of the page at `page` (signed in through `jar`); answers the status. */
async function postFormTo(base: string, page: string, action: string, form: Record<string, string>, jar: Map<string, string>): Promise<number> {
  const html = await (await fetch(`${base}${page}`, { headers: { cookie: cookieHeader(jar) } })).text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${page}`);
  const response = await fetch(`${base}${action}`, { method: 'POST', redirect: 'manual', headers: { cookie: cookieHeader(jar), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form, _csrf: token }).toString() });
  await response.arrayBuffer();
  return response.status;
}

export function reportNotifications(result: Awaited<ReturnType<typeof benchNotifications>>): boolean {
  const ms = (values: number[]) => values.map((v) => `${v.toFixed(0)} ms`).join(', ');
  const ok = result.ratio <= NOTIFY_P99_RATIO_TARGET;
  console.log(`\n${result.wave} concurrent friend submissions per wave, ${result.rounds} rounds, two webhook channels off then on (one never answers, one answers 500)`);
  console.log(`p99 channels off: ${ms(result.p99Off)}`);
  console.log(`p99 channels on:  ${ms(result.p99On)}`);
  console.log(`median p99 on/off: ${result.ratio.toFixed(2)} (target <= ${NOTIFY_P99_RATIO_TARGET}): ${ok ? 'met' : 'MISSED'}`);
  console.log(`the receivers got ${result.hangingHits} (never answering) and ${result.failingHits} (500) deliveries meanwhile`);
  console.log(`CPU during the rounds: Helpr ${result.cpu.helpr.toFixed(0)} ms, this load generator ${result.cpu.bench.toFixed(0)} ms`);
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ok = reportNotifications(await benchNotifications());
  process.exitCode = ok ? 0 : 1;
}
