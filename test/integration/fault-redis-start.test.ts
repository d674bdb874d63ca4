import fs from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/admin-session.js';
import { tempDir } from '../helpers/app.js';
import { postForm } from '../helpers/browser-form.js';
import { simulatorEnv, useSimulator } from '../helpers/plex-sim.js';
import { runEntry, type RunningProcess } from '../helpers/process.js';
import { ownRedisServer } from '../helpers/redis-server.js';
import { programInstalled, serviceAvailable } from '../helpers/services.js';

const available = serviceAvailable('redis-server', programInstalled('redis-server'));

/**
 * Fault suite: Helpr (re)started while Redis is down, as a restart or a new instance during an
 * outage. It must start and serve with its limits in memory, report Redis degraded, and move its
 * limits to Redis once Redis answers, without a restart.
 */
describe.runIf(available)('Helpr started while Redis is down (real process, own redis-server)', () => {
  const ctx = useSimulator();
  let redisServer: Awaited<ReturnType<typeof ownRedisServer>>;
  let helpr: RunningProcess;
  let base: string;
  let dataDir: string;
  const statuses: number[] = [];
  let submitted = 0;

  async function submit(): Promise<void> {
    submitted += 1;
    const result = await postForm(base, '/', { email: `friend-${submitted}@example.com` });
    statuses.push(result.pageStatus, result.status);
    expect(result.status).toBe(303);
    expect(result.location).toMatch(/^\/requests\/[A-Za-z0-9_-]{22}$/);
  }

  async function readiness(): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
    const response = await fetch(`${base}/readyz`);
    statuses.push(response.status);
    return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
  }

  /** The invite counter for this client's address in the own Redis (0 when it is not there). */
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
    await redisServer.kill(); // its port, with nothing listening: Redis is down
    dataDir = tempDir('helpr-fault-redis-start-');
    helpr = runEntry('src/main.ts', {
      ...simulatorEnv(ctx.sim),
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: redisServer.url,
      ADMIN_USERNAME: 'owner',
      ADMIN_PASSWORD,
      PLEX_LIBRARIES: '1,2',
      INVITE_RATE_LIMIT: '1000/15m',
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

  it('starts with a warning, serves with its limits in memory, and reports Redis degraded', async () => {
    expect(helpr.output()).toMatch(/Redis unreachable at start.*counting rate limits in this instance’s memory/);
    for (let i = 0; i < 3; i += 1) await submit();
    const ready = await readiness();
    expect(ready.status).toBe(200);
    expect(ready.body.ready).toBe(true);
    expect(ready.body.checks.redis).toMatch(/^degraded: /);
  });

  it('moves its limits to Redis once Redis answers', async () => {
    await redisServer.start();
    // Helpr connects in the background (within ~2 s) and tries Redis again each second.
    const deadline = Date.now() + 15_000;
    let counted = 0;
    while (counted === 0 && Date.now() < deadline) {
      await submit();
      counted = await inviteCountInRedis();
    }
    expect(counted).toBeGreaterThan(0);
    await submit();
    expect(await inviteCountInRedis()).toBe(counted + 1);
    expect((await readiness()).body.checks.redis).toBe('ok');
    expect(helpr.output()).toContain('rate-limit counters are shared again');
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
  }, 30_000);
});
