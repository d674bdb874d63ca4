import fs from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { tempDir } from '../helpers/app.js';
import { cookiesOf, postForm } from '../helpers/browser-form.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { sharePosts } from '../helpers/public-requests.js';
import { ownRedisServer } from '../helpers/redis-server.js';
import { programInstalled, serviceAvailable } from '../helpers/services.js';

const available = serviceAvailable('redis-server', programInstalled('redis-server'));

/**
 * Fault suite: Redis down and back under a real Helpr process. Its own redis-server is killed
 * while friends keep submitting, and started again on the same port: no request is lost or
 * answered 5xx, the owner can sign in, /readyz stays 200 reporting Redis, and once Redis is back
 * the limits are counted there again.
 */
describe.runIf(available)('Redis down and back (real process, own redis-server)', () => {
  const ctx = useSimulator();
  let redisServer: Awaited<ReturnType<typeof ownRedisServer>>;
  let helpr: RunningProcess;
  let base: string;
  let dataDir: string;
  const statuses: number[] = [];
  let submitted = 0;
  /** The emails plex.tv (the simulator) was asked to invite, gathered before its log is reset. */
  const invited: Array<string | undefined> = [];
  afterEach(() => {
    for (const entry of sharePosts(ctx.sim)) {
      const body = entry.body as { shared_server?: { invited_email?: string }; invitedEmail?: string };
      invited.push(body.shared_server?.invited_email ?? body.invitedEmail);
    }
  });

  let answered = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  /** Resolves once `count` requests have been answered in all. */
  const answeredAtLeast = (count: number) => new Promise<void>((resolve) => (answered >= count ? resolve() : waiters.push({ count, resolve })));

  /** One friend's request; every answer is recorded (a 5xx or a lost request fails the suite). */
  async function submit(label: string): Promise<void> {
    submitted += 1;
    const email = `${label}-${submitted}@example.com`;
    const result = await postForm(base, '/', { email });
    statuses.push(result.pageStatus, result.status);
    answered += 1;
    for (const waiter of waiters.filter((w) => answered >= w.count)) waiter.resolve();
    expect(result.status, `${email}: ${result.status}`).toBe(303);
    expect(result.location).toMatch(/^\/requests\/[A-Za-z0-9_-]{22}$/);
  }

  async function signInStatus(): Promise<number> {
    const jar = new Map<string, string>();
    const login = await postForm(base, '/admin/login', { username: 'owner', password: ADMIN_PASSWORD, next: '/admin' }, jar);
    statuses.push(login.pageStatus, login.status);
    if (login.status !== 303) return login.status;
    const admin = await fetch(`${base}/admin`, { headers: { cookie: cookiesOf(new Response(), jar) }, redirect: 'manual' });
    await admin.arrayBuffer();
    statuses.push(admin.status);
    return admin.status;
  }

  async function readiness(): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
    const response = await fetch(`${base}/readyz`);
    statuses.push(response.status);
    return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
  }

  /** The invite counter for this client's address, read straight from the own Redis. */
  async function inviteCountInRedis(): Promise<number> {
    const client = new Redis(redisServer.url, { maxRetriesPerRequest: 0, lazyConnect: true });
    try {
      await client.connect();
      const keys = await client.keys('*invite:127.0.0.1');
      return keys.length === 0 ? 0 : Number(await client.get(keys[0]!));
    } finally {
      client.disconnect();
    }
  }

  beforeAll(async () => {
    redisServer = await ownRedisServer();
    dataDir = tempDir('helpr-fault-redis-');
    helpr = runEntry('src/main.ts', {
      ...simulatorEnv(ctx.sim),
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redisServer.url,
      ADMIN_USERNAME: 'owner',
      ADMIN_PASSWORD,
      PLEX_LIBRARIES: '1,2',
      // Every request here comes from 127.0.0.1: a limit high enough for the run, still counted.
      INVITE_RATE_LIMIT: '1000/15m',
      // Two shared cores: a slow moment must not turn into an overload 503.
      MAX_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'info',
    });
    const listening = await helpr.waitFor(/Server listening at/, 30_000);
    base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!;
  }, 60_000);

  afterAll(async () => {
    if (helpr && helpr.child.exitCode === null) {
      helpr.child.kill('SIGTERM');
      await helpr.exited;
    }
    await redisServer?.kill();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts in Redis while it is up', async () => {
    for (let i = 0; i < 3; i += 1) await submit('before');
    expect(await inviteCountInRedis()).toBe(3);
    expect((await readiness()).body).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok', redis: 'ok' } });
  });

  it('keeps accepting and sending invites, and signing the owner in, while Redis is down', async () => {
    // Friends keep submitting (4 at a time) while Redis is killed under them.
    let stop = false;
    const friends = Array.from({ length: 4 }, async (_, n) => {
      while (!stop) await submit(`during${n}`);
    });
    const allFriends = Promise.all(friends); // rejects at the first wrong answer
    await Promise.race([answeredAtLeast(answered + 8), allFriends]);
    await redisServer.kill(); // requests are in flight as it dies
    await Promise.race([answeredAtLeast(answered + 20), allFriends]);
    stop = true;
    await allFriends;

    expect(await signInStatus()).toBe(200);
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
    expect(ready.body.checks.database).toBe('ok');
    expect(ready.body.checks.redis).toMatch(/^degraded: /);
    // One warning for the outage, not one per request.
    expect(helpr.output().split('\n').filter((line) => line.includes('rate-limit counters unavailable'))).toHaveLength(1);
  });

  it('counts in Redis again once it is back on the same port', async () => {
    await redisServer.start(); // empty: nothing was saved
    // Helpr reconnects on its own (within ~2 s) and tries Redis again each second.
    const deadline = Date.now() + 15_000;
    let counted = 0;
    while (counted === 0 && Date.now() < deadline) {
      await submit('after');
      counted = await inviteCountInRedis();
    }
    expect(counted).toBeGreaterThan(0);
    await submit('after');
    expect(await inviteCountInRedis()).toBe(counted + 1);
    expect((await readiness()).body.checks.redis).toBe('ok');
    expect(helpr.output()).toContain('rate-limit counters are shared again');
  }, 30_000);

  it('lost no request and answered no 5xx', async () => {
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(submitted).toBeGreaterThan(30);
    expect(new Set(invited).size).toBe(submitted); // every friend's invite sent...
    expect(invited).toHaveLength(submitted); // ...once
  });
});
