import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { startPlexSimulator, type PlexSimulator } from '../tools/plex-sim/index.js';
import { startHelpr, type HelprProcess } from './lib/helpr-process.js';
import { joinBurstRows } from './lib/join-rows.js';
import { classifyRequests, REQUEST_KINDS, stepGaps, type ClassifiedRequests, type RequestKind, type StepGap } from './lib/plex-requests.js';
import { readyEnv } from './lib/sim-env.js';

/** The pages' scripts: join-with-plex.js asks every second, request-status.js every 4 s. */
const JOIN_POLL_MS = 1000;
const REQUEST_POLL_MS = 4000;
/** A friend still not in after this counts as not accepted (the phase stays bounded). */
const FRIEND_DEADLINE_MS = 60_000;

export interface PhaseResult {
  friends: number;
  /** Friends whose page reached the end state (`accepted`, or `sent` for email) and the simulator agrees. */
  succeeded: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** plex.tv requests of the phase by kind, per friend. */
  plexPerFriend: Record<RequestKind, number>;
  /** Requests counted as `other`, by route, in total. */
  plexOther: Record<string, number>;
  /** CPU (user + system, ms) of the Helpr process and of the benchmark process during the phase. */
  helprCpuMs: number;
  benchCpuMs: number;
  /** The most accepts plex.tv got with one friend's token (1 when nothing was accepted twice). */
  maxAcceptsPerFriend: number;
  /** Friends whose request page still said `pending` at its first look (they waited for its 4 s poll). */
  pendingAtFirstLook: number;
  /** What went wrong for friends who did not succeed (first few). */
  failures: string[];
  /** Parts of the friend's wait as the browser saw them (ms, p50 and p95), e.g. the POST's answer. */
  parts: Record<string, { p50Ms: number; p95Ms: number }>;
  /** Join only: time between consecutive plex.tv requests of one join, as they reached plex.tv. */
  stepGaps?: StepGap[];
}

export interface JoinBurstResult {
  join: PhaseResult;
  email: PhaseResult;
  /** Simulator state at the end: Plex-joined accounts with an accepted share, most shares for one account, email invites pending. */
  simulator: { acceptedShares: number; maxSharesPerAccount: number; withDefaultLibraries: number; pendingEmailShares: number };
  plexLatencyMs: number;
}

interface FriendRun {
  ms: number;
  ok: boolean;
  pendingAtFirstLook: boolean;
  failure?: string;
  parts?: Record<string, number>;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const benchCpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** One visitor's session with Helpr: the form's CSRF cookie and token, and an address of its own (via TRUST_PROXY). */
function browser(helpr: HelprProcess, client: Agent, csrf: { cookie: string; token: string }) {
  return (ip: string) => {
    const headers = { cookie: csrf.cookie, 'x-forwarded-for': ip };
    return {
      async getJson<T>(url: string): Promise<{ status: number; body: T }> {
        const response = await request(`${helpr.url}${url}`, { dispatcher: client, headers: { ...headers, accept: 'application/json' } });
        return { status: response.statusCode, body: (await response.body.json()) as T };
      },
      async postForm(url: string, form: Record<string, string>, accept = 'text/html') {
        const body = new URLSearchParams({ ...form, _csrf: csrf.token }).toString();
        return request(`${helpr.url}${url}`, { dispatcher: client, method: 'POST', headers: { ...headers, accept, 'content-type': 'application/x-www-form-urlencoded' }, body });
      },
    };
  };
}
type Browser = ReturnType<ReturnType<typeof browser>>;

/** The request page: its first look, then request-status.js every 4 s while it waits. */
async function waitForRequest(page: Browser, id: string, wanted: string, deadline: number): Promise<{ status: string; pendingAtFirstLook: boolean }> {
  let answer = await page.getJson<{ status: string }>(`/requests/${id}/status`);
  const pendingAtFirstLook = answer.body.status === 'pending';
  while (answer.body.status === 'pending' && Date.now() < deadline) {
    await sleep(REQUEST_POLL_MS);
    answer = await page.getJson<{ status: string }>(`/requests/${id}/status`);
  }
  return { status: answer.body.status === wanted ? wanted : `${answer.body.status} (HTTP ${answer.status})`, pendingAtFirstLook };
}

/**
 * One friend continuing with Plex as join-with-plex.js does: POST /join-with-plex for JSON, the
 * popup goes to the auth URL where the friend approves at once (the simulator's control API, as
 * app.plex.tv would), the page polls the status URL every second until `done`, then the request
 * page shows the status, looking again every 4 s while it is pending, until "You're in" (`accepted`).
 */
async function joinWithPlex(sim: PlexSimulator, page: Browser, accountId: number, tokens: Map<number, string>): Promise<FriendRun & { invitationId?: string }> {
  const started = performance.now();
  const deadline = Date.now() + FRIEND_DEADLINE_MS;
  const fail = (failure: string) => ({ ms: performance.now() - started, ok: false, pendingAtFirstLook: false, failure });
  const response = await page.postForm('/join-with-plex', {}, 'application/json');
  const parts: Record<string, number> = { 'POST /join-with-plex answered': performance.now() - started };
  if (response.statusCode !== 201) return fail(`POST /join-with-plex answered ${response.statusCode}: ${(await response.body.text()).slice(0, 200)}`);
  const join = (await response.body.json()) as { authUrl: string; statusUrl: string };
  const code = new URLSearchParams(join.authUrl.slice(join.authUrl.indexOf('#?') + 2)).get('code');
  if (!code) return fail(`no PIN code in ${join.authUrl}`);
  tokens.set(accountId, sim.control.approvePin({ code }, accountId).authToken);
  let state: { state: string; redirect?: string; message?: string } = { state: 'waiting' };
  while (state.state === 'waiting' && Date.now() < deadline) {
    await sleep(JOIN_POLL_MS);
    const asked = performance.now();
    const answer = await page.getJson<typeof state>(join.statusUrl);
    parts['the status poll that said done'] = performance.now() - asked;
    // As the script: a JSON state is read (404 comes with `expired`); anything else is polled again.
    if (typeof answer.body?.state === 'string') state = answer.body;
  }
  if (state.state !== 'done' || !state.redirect) return fail(`sign-in ended ${state.state}: ${state.message ?? ''}`);
  const invitationId = state.redirect.split('/').pop()!;
  const end = await waitForRequest(page, invitationId, 'accepted', deadline);
  const ms = performance.now() - started;
  return { ms, ok: end.status === 'accepted', pendingAtFirstLook: end.pendingAtFirstLook, invitationId, parts, ...(end.status === 'accepted' ? {} : { failure: `request ${end.status}` }) };
}

/** One friend typing an email on the form: POST / until its redirect, then the request page says `sent`. */
async function joinByEmail(page: Browser, email: string): Promise<FriendRun> {
  const started = performance.now();
  const response = await page.postForm('/', { email });
  await response.body.dump();
  const location = String(response.headers.location ?? '');
  if (response.statusCode !== 303 || !location.startsWith('/requests/')) return { ms: performance.now() - started, ok: false, pendingAtFirstLook: false, failure: `POST / answered ${response.statusCode}` };
  const end = await waitForRequest(page, location.split('/').pop()!, 'sent', Date.now() + FRIEND_DEADLINE_MS);
  return { ms: performance.now() - started, ok: end.status === 'sent', pendingAtFirstLook: end.pendingAtFirstLook, ...(end.status === 'sent' ? {} : { failure: `request ${end.status}` }) };
}

/** Runs `friends` at once; the plex.tv log, CPU and latencies of just that phase. */
async function phase(
  sim: PlexSimulator,
  helpr: HelprProcess,
  runs: () => Array<Promise<FriendRun>>,
  friendTokens: () => ReadonlySet<string>,
  confirmed: (runs: FriendRun[]) => boolean[],
  gaps?: (sorted: ClassifiedRequests['sorted']) => StepGap[],
): Promise<PhaseResult> {
  sim.control.clearLog();
  const helprBefore = helpr.cpuMs();
  const benchBefore = benchCpuMs();
  const results = await Promise.all(runs());
  const helprCpuMs = helpr.cpuMs() - helprBefore;
  const benchMs = benchCpuMs() - benchBefore;
  const entries = sim.control.requestLog({ target: 'plex-tv' });
  if (entries.length !== sim.control.counters().plexTv.total) throw new Error('the simulator trimmed its request log: raise requestLogLimit');
  const { byKind, other, acceptsByToken, sorted } = classifyRequests(entries, friendTokens());
  const partNames = [...new Set(results.flatMap((r) => Object.keys(r.parts ?? {})))];
  const partOf = (name: string) => results.flatMap((r) => (r.parts?.[name] === undefined ? [] : [r.parts[name]])).sort((a, b) => a - b);
  const agreed = confirmed(results);
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  return {
    friends: results.length,
    succeeded: results.filter((r, i) => r.ok && agreed[i]).length,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    maxMs: times.at(-1) ?? Number.NaN,
    plexPerFriend: Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, byKind[kind] / results.length])) as Record<RequestKind, number>,
    plexOther: other,
    helprCpuMs,
    benchCpuMs: benchMs,
    maxAcceptsPerFriend: Math.max(0, ...acceptsByToken.values()),
    pendingAtFirstLook: results.filter((r) => r.pendingAtFirstLook).length,
    parts: Object.fromEntries(partNames.map((name) => [name, { p50Ms: percentile(partOf(name), 50), p95Ms: percentile(partOf(name), 95) }])),
    ...(gaps ? { stepGaps: gaps(sorted) } : {}),
    failures: [...new Set(results.flatMap((r, i) => (r.failure ? [r.failure] : r.ok && !agreed[i] ? ['Helpr said done but the simulator disagrees'] : [])))].slice(0, 5),
  };
}

/**
 * 200 friends continue with Plex at once while plex.tv answers 250 ms late, then (same run, same
 * Helpr) 200 friends use the email form at once: time from the first POST to "You're in" (request
 * `accepted`) or to `sent`, plex.tv requests per friend by kind from the simulator's log, the CPU
 * of Helpr and of this process (load and simulator) side by side, and the simulator's own state at
 * the end, so no join counts as accepted unless plex.tv holds that account's share, accepted.
 * Every friend comes from an address of its own (X-Forwarded-For, TRUST_PROXY=127.0.0.1), as
 * behind a reverse proxy, so the per-address limits apply as for real visitors.
 */
export async function benchJoinBurst({ friends = 200, plexLatencyMs = 250 } = {}): Promise<JoinBurstResult> {
  const sim = await startPlexSimulator({ latencyMs: plexLatencyMs, tls: true, requestLogLimit: 100_000 });
  const caDir = fs.mkdtempSync(path.join(os.tmpdir(), 'helpr-bench-ca-'));
  const caFile = path.join(caDir, 'plex-sim-ca.pem');
  fs.writeFileSync(caFile, sim.tlsCaPem!);
  const env = readyEnv(sim, { NODE_EXTRA_CA_CERTS: caFile, TRUST_PROXY: '127.0.0.1' });
  const helpr = await startHelpr(env).catch(async (error: unknown) => {
    await sim.close();
    fs.rmSync(caDir, { recursive: true, force: true });
    throw error;
  });
  const client = new Agent({ connections: 2 * friends, keepAliveTimeout: 30_000 });
  try {
    const form = await request(`${helpr.url}/`, { dispatcher: client });
    const token = /name="_csrf" value="([^"]+)"/.exec(await form.body.text())?.[1];
    const cookie = ([form.headers['set-cookie']].flat().filter(Boolean) as string[]).map((c) => c.split(';')[0]).join('; ');
    if (!token || !cookie) throw new Error('no CSRF token on GET /');
    const visitor = browser(helpr, client, { cookie, token });
    const accounts = Array.from({ length: friends + 1 }, (_, i) => sim.control.addAccount({ username: `bench-friend-${i}`, email: `bench-friend-${i}@example.com` }).id);
    const tokens = new Map<number, string>();
    // Warm-up, one of each: the owner's account read and the library mapping, as after any first join.
    const warm = [await joinWithPlex(sim, visitor('10.9.0.1'), accounts[friends]!, tokens), await joinByEmail(visitor('10.9.0.2'), 'warm-up@example.com')];
    if (!warm.every((run) => run.ok)) throw new Error(`the warm-up did not go through: ${warm.map((run) => run.failure).join('; ')}`);
    const ip = (net: number, i: number) => `10.${net}.${i >> 8}.${(i & 255) + 1}`;

    const joinAccounts = accounts.slice(0, friends);
    const joinedAccepted = () => {
      const view = sim.control.state();
      return new Set(view.shares.filter((s) => s.accepted && s.machineIdentifier === sim.machineIdentifier && s.invitedId !== null).map((s) => s.invitedId!));
    };
    const join = await phase(
      sim,
      helpr,
      () => joinAccounts.map((id, i) => joinWithPlex(sim, visitor(ip(1, i)), id, tokens)),
      () => new Set(joinAccounts.map((id) => tokens.get(id)).filter((t): t is string => t !== undefined)),
      () => {
        const accepted = joinedAccepted();
        return joinAccounts.map((id) => accepted.has(id));
      },
      (sorted) => {
        // Which join a request belongs to: the PIN by id, the friend's calls by token, the share by account id.
        const pinAccount = new Map(sim.control.state().pins.map((pin) => [String(pin.id), pin.approvedFor ?? undefined]));
        const tokenAccount = new Map([...tokens].map(([id, token]) => [token, id]));
        return stepGaps(sorted, (entry, kind) => {
          if (kind === 'PIN poll') return pinAccount.get(entry.path.split('/').pop()!);
          const body = entry.body as { invitedId?: number; shared_server?: { invited_id?: number } } | undefined;
          if (kind === 'share') return body?.invitedId ?? body?.shared_server?.invited_id;
          return tokenAccount.get(entry.headers['x-plex-token'] ?? '');
        });
      },
    );

    const emails = Array.from({ length: friends }, (_, i) => `bench-email-${i}@example.com`);
    const email = await phase(
      sim,
      helpr,
      () => emails.map((address, i) => joinByEmail(visitor(ip(2, i)), address)),
      () => new Set(),
      () => {
        const invited = new Set(sim.control.state().shares.map((s) => s.invitedEmail));
        return emails.map((address) => invited.has(address));
      },
    );

    const view = sim.control.state();
    const sharesPerAccount = joinAccounts.map((id) => view.shares.filter((s) => s.invitedId === id).length);
    // PLEX_LIBRARIES=1,2 (sim-env.ts): the share must give exactly those, by their plex.tv ids.
    const defaults = sim.libraries.filter((lib) => [1, 2].includes(lib.key)).map((lib) => lib.id).sort().join(',');
    return {
      join,
      email,
      simulator: {
        acceptedShares: joinAccounts.filter((id) => view.shares.some((s) => s.invitedId === id && s.accepted)).length,
        maxSharesPerAccount: Math.max(...sharesPerAccount),
        withDefaultLibraries: joinAccounts.filter((id) => view.shares.some((s) => s.invitedId === id && [...s.libraryIds].sort().join(',') === defaults)).length,
        pendingEmailShares: view.shares.filter((s) => !s.accepted && s.invitedEmail?.startsWith('bench-email-')).length,
      },
      plexLatencyMs,
    };
  } finally {
    await client.close();
    await helpr.stop();
    await sim.close();
    fs.rmSync(caDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchJoinBurst();
  const rows = joinBurstRows(result);
  const width = Math.max(...rows.map((row) => row.figure.length));
  console.log(`\nJoin with Plex burst, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}\n`);
  for (const row of rows) console.log(`${row.info ? 'info  ' : row.met ? 'met   ' : 'MISSED'}  ${row.figure.padEnd(width)}  ${row.value}  target ${row.target}`);
  for (const failure of [...result.join.failures, ...result.email.failures]) console.log(`failure: ${failure}`);
  if (rows.some((row) => !row.met)) process.exitCode = 1;
}
