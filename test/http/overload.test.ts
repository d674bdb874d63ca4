import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { testConfig } from '../helpers/app.js';

/** Blocks the event loop the way an overloaded process would, then lets the lag be sampled. */
async function lagEventLoop(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: this is the overload under test
  }
  // Let the overdue lag sample run (it fires first), then ask.
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('overload protection', () => {
  let deps: Deps;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    deps = await createDeps(testConfig(), { logger: pino({ level: 'silent' }) });
    await migrateToLatest(deps.database);
    app = await buildApp(deps, { overload: { maxEventLoopDelayMs: 50, retryAfterSeconds: 7, armAfterMs: 0 } });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await deps.close();
  });

  it('answers 503 with Retry-After while the event loop lags, and health endpoints keep answering', async () => {
    expect((await app.inject('/')).statusCode).toBe(200);
    await lagEventLoop(1000);
    const page = await app.inject('/');
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toBe('7');
    expect(page.body).toContain('Helpr is very busy right now');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });
});
