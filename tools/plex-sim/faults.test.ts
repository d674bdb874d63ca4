import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { jsonBody, plexHeaders, plexTv, send, sendJson } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const user = () => plexTv(sim, '/api/v2/user');

describe('fault injection', () => {
  it('answers a 5xx for the given number of matching requests, then recovers', async () => {
    sim.control.addFault({ kind: 'status', status: 503, path: '/api/v2/user', times: 2 });
    const first = await user();
    expect(first.status).toBe(503);
    expect(first.text).toContain('503 Service Unavailable');
    expect((await user()).status).toBe(503);
    expect((await user()).status).toBe(200);
    expect(sim.control.listFaults()).toMatchObject([{ kind: 'status', remaining: 0, hits: 2 }]);
  });

  it('matches on method and regex, leaving other requests alone', async () => {
    const answer = { status: 502, body: '{"x":1}', contentType: 'application/json' };
    sim.control.addFault({ kind: 'status', method: 'POST', pathRegex: '^/api/v2/pins$', ...answer });
    expect((await user()).status).toBe(200);
    const res = await plexTv(sim, '/api/v2/pins', { method: 'POST' });
    expect(res.status).toBe(502);
    expect(res.json()).toEqual({ x: 1 });
    expect((await plexTv(sim, '/api/v2/pins/1')).status).toBe(404);
  });

  it('answers 429 with Retry-After', async () => {
    sim.control.addFault({ kind: 'rate-limit', retryAfterSeconds: 7, times: 1 });
    const limited = await user();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await user()).status).toBe(200);
  });

  it('resets the connection', async () => {
    sim.control.addFault({ kind: 'reset', path: '/api/v2/user', times: 1 });
    await expect(user()).rejects.toThrow(/fetch failed/);
    expect((await user()).status).toBe(200);
    expect(sim.control.requestLog({ path: '/api/v2/user' }).map((entry) => entry.fault)).toEqual(['reset', undefined]);
  });

  it("resets the connection for 'reset-connection' too, the same as 'reset' over HTTP/1.1", async () => {
    sim.control.addFault({ kind: 'reset-connection', path: '/api/v2/user', times: 1 });
    await expect(user()).rejects.toThrow(/fetch failed/);
    expect((await user()).status).toBe(200);
    expect(sim.control.counters().plexTv.inFlight).toBe(0);
  });

  it('hangs until the client gives up', async () => {
    sim.control.addFault({ kind: 'hang', path: '/api/v2/resources' });
    const hung = plexTv(sim, '/api/v2/resources', { signal: AbortSignal.timeout(100) });
    await expect(hung).rejects.toThrow(/aborted|timeout/i);
    expect((await user()).status).toBe(200);
  });

  it('makes the media server hang while /identity on another path still answers', async () => {
    sim.control.addFault({ kind: 'hang', target: 'pms', path: '/library' });
    await expect(send(`${sim.pmsUrl}/library/sections`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect((await send(`${sim.pmsUrl}/identity`)).status).toBe(200);
  });

  it('clears faults by id', async () => {
    const id = sim.control.addFault({ kind: 'status', status: 500 });
    expect((await user()).status).toBe(500);
    expect(sim.control.removeRule(id)).toBe(true);
    expect((await user()).status).toBe(200);
  });
});

describe('latency', () => {
  it('delays every plex.tv answer by the base latency', async () => {
    sim.control.setLatency(150);
    const started = performance.now();
    expect((await user()).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('applies a per-path latency instead of the base one, and not to other paths', async () => {
    sim.control.addLatency({ path: '/api/v2/resources', ms: 400 });
    let started = performance.now();
    await plexTv(sim, '/api/v2/resources');
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
    started = performance.now();
    await user();
    // Generous bound: the point is "not delayed by 400 ms", not a speed test.
    expect(performance.now() - started).toBeLessThan(300);
  });

  it("'answer' stage: handles the request at once and delays only its answer", async () => {
    sim.control.addLatency({ method: 'POST', path: '/api/servers/', ms: 400, stage: 'answer' });
    const body = { server_id: sim.machineIdentifier, shared_server: { library_section_ids: [35723967], invited_email: 'slow@example.com' } };
    const started = performance.now();
    const invite = sendJson(sim, 'POST', `/api/servers/${sim.machineIdentifier}/shared_servers`, body);
    expect((await invite).status).toBe(200);
    // Only a lower bound: how much sooner the share was made is the hold tests' business (no clock race).
    expect(performance.now() - started).toBeGreaterThanOrEqual(395);
    expect(sim.control.state().pending.map((share) => share.invitedEmail)).toEqual(['slow@example.com']);
  });

  it('is set from the start option', async () => {
    const slow = await startPlexSimulator({ latencyMs: 120 });
    try {
      const started = performance.now();
      await plexTv(slow, '/api/v2/user');
      expect(performance.now() - started).toBeGreaterThanOrEqual(115);
    } finally {
      await slow.close();
    }
  });
});

describe('holds', () => {
  const inviteBody = (email: string) => ({ server_id: sim.machineIdentifier, shared_server: { library_section_ids: [35723967], invited_email: email } });
  const invitePath = () => `/api/servers/${sim.machineIdentifier}/shared_servers`;
  const heldBy = (id: string) => sim.control.listHolds().find((rule) => rule.id === id)?.held;
  /** Whether a request has its answer yet: read after polling simulator state, never timed. */
  const tracked = (promise: Promise<unknown>) => {
    const seen = { answered: false };
    promise.then(
      () => (seen.answered = true),
      () => (seen.answered = true),
    );
    return seen;
  };

  it("'answer' stage: the share is made while its answer waits for the release", async () => {
    const hold = sim.control.hold({ method: 'POST', path: '/api/servers/', stage: 'answer' });
    const invite = sendJson(sim, 'POST', invitePath(), inviteBody('slow@example.com'));
    const answer = tracked(invite);
    await expect.poll(() => heldBy(hold)).toBe(1);
    // The share exists while the answer is held back: a client that dies now never learns of it.
    expect(sim.control.state().pending.map((share) => share.invitedEmail)).toEqual(['slow@example.com']);
    expect(answer.answered).toBe(false);
    expect(sim.control.counters().plexTv.inFlight).toBe(1);
    expect(sim.control.release(hold)).toBe(1);
    expect((await invite).status).toBe(200);
    // Released rules hold nothing more.
    expect((await sendJson(sim, 'POST', invitePath(), inviteBody('next@example.com'))).status).toBe(200);
    expect(sim.control.listHolds()).toEqual([]);
  });

  it("'request' stage (default): nothing happens until the release, `times` limits what is held", async () => {
    const hold = sim.control.hold({ method: 'POST', path: '/api/servers/', times: 1 });
    const first = sendJson(sim, 'POST', invitePath(), inviteBody('first@example.com'));
    const answer = tracked(first);
    await expect.poll(() => heldBy(hold)).toBe(1);
    expect((await sendJson(sim, 'POST', invitePath(), inviteBody('second@example.com'))).status).toBe(200);
    expect(sim.control.state().pending.map((share) => share.invitedEmail)).toEqual(['second@example.com']);
    expect(answer.answered).toBe(false);
    expect(sim.control.removeRule(hold)).toBe(true);
    expect((await first).status).toBe(200);
    expect(sim.control.state().pending.map((share) => share.invitedEmail).sort()).toEqual(['first@example.com', 'second@example.com']);
  });

  it('a client that gives up: a held answer is lost and the share stays; a held request is never handled', async () => {
    const answers = sim.control.hold({ method: 'POST', path: '/api/servers/', stage: 'answer', times: 1 });
    const gone = new AbortController();
    const invite = plexTv(sim, invitePath(), { method: 'POST', ...jsonBody(inviteBody('gone@example.com'), plexHeaders(sim.ownerToken)), signal: gone.signal });
    await expect.poll(() => heldBy(answers)).toBe(1);
    gone.abort();
    await expect(invite).rejects.toThrow(/abort/i);
    await expect.poll(() => heldBy(answers)).toBe(0);
    expect(sim.control.state().pending.map((share) => share.invitedEmail)).toEqual(['gone@example.com']);

    const requests = sim.control.hold({ method: 'POST', path: '/api/servers/' });
    const never = new AbortController();
    const stalled = plexTv(sim, invitePath(), { method: 'POST', ...jsonBody(inviteBody('never@example.com'), plexHeaders(sim.ownerToken)), signal: never.signal });
    await expect.poll(() => heldBy(requests)).toBe(1);
    never.abort();
    await expect(stalled).rejects.toThrow(/abort/i);
    await expect.poll(() => heldBy(requests)).toBe(0);
    expect(sim.control.release(requests)).toBe(0);
    await expect.poll(() => sim.control.counters().plexTv.inFlight).toBe(0);
    expect(sim.control.state().pending.map((share) => share.invitedEmail)).toEqual(['gone@example.com']);
  });

  it('reset lets held requests go', async () => {
    sim.control.hold({ path: '/api/v2/user' });
    const held = user();
    await expect.poll(() => sim.control.listHolds()[0]?.held).toBe(1);
    sim.control.reset();
    expect((await held).status).toBe(200);
    expect(sim.control.listHolds()).toEqual([]);
    expect(() => sim.control.release('plex-tv-hold-999')).toThrow(/no hold rule/);
  });
});

describe('close', () => {
  it('closes promptly while requests hang and while latency is pending', async () => {
    const other = await startPlexSimulator({ latencyMs: 60_000 });
    other.control.addFault({ kind: 'hang', target: 'pms' });
    const outcome = (request: Promise<unknown>) => request.then(() => 'answered', () => 'failed');
    const hungPms = outcome(send(`${other.pmsUrl}/identity`));
    const slowPlexTv = outcome(plexTv(other, '/api/v2/user'));
    // Wait until both requests reached the simulator, so close() really has to cut them.
    await expect.poll(() => other.control.counters().plexTv.total + other.control.counters().pms.total).toBe(2);
    const started = performance.now();
    await other.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await hungPms).toBe('failed');
    expect(await slowPlexTv).toBe('failed');
  });
});
