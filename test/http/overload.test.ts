import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps, type Deps } from '../../src/deps.js';
import { testConfig } from '../helpers/app.js';

/** Blocks the event loop the way an overloaded process would. */
function lagEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy: this is the overload under test
  }
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
    // Keep the loop lagging while asking: the lag is sampled once a second, so within a few rounds
    // a sample sees it (bounded: at most 20 rounds, about 6 s).
    let page = await app.inject('/');
    for (let i = 0; i < 20 && page.statusCode !== 503; i += 1) {
      lagEventLoop(300);
      await new Promise((resolve) => setTimeout(resolve, 5));
      page = await app.inject('/');
    }
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toBe('7');
    expect(page.body).toContain('Helpr is very busy right now');
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });
});
