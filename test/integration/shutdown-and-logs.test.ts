import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createDeps } from '../../src/deps.js';
import { loggerOptions } from '../../src/logger.js';
import { testConfig } from '../helpers/app.js';

function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(loggerOptions({ logLevel: 'trace' }) as object, stream), lines };
}

describe('graceful shutdown', () => {
  it('finishes requests in flight, then refuses new connections and closes the database', async () => {
    const deps = await createDeps(testConfig(), { logger: pino({ level: 'silent' }) });
    await migrateToLatest(deps.database);
    const app = await buildApp(deps);
    let release!: () => void;
    const started = new Promise<void>((resolve) => {
      app.get('/test/slow', async () => {
        resolve();
        await new Promise<void>((r) => (release = r));
        return { finished: true };
      });
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });

    const inFlight = fetch(`${address}/test/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await started;
    const closing = app.close().then(() => deps.close());
    release();
    expect(await inFlight).toEqual({ status: 200, body: { finished: true } });
    await closing;
    await expect(fetch(`${address}/healthz`)).rejects.toThrow();
    await expect(deps.database.ping()).rejects.toThrow();
  });
});

describe('logs', () => {
  it('never contain tokens, cookies, passwords or authorization headers', async () => {
    const { logger, lines } = capturingLogger();
    const deps = await createDeps(testConfig({ ADMIN_USERNAME: 'owner', ADMIN_PASSWORD: 'hunter2hunter2' }), { logger });
    await migrateToLatest(deps.database);
    const app = await buildApp(deps);
    app.post('/test/echo', async (request) => {
      request.log.info({ body: request.body }, 'echo');
      return {};
    });
    await app.inject({
      url: '/?X-Plex-Token=plex-secret-1&_csrf=csrf-secret-2',
      headers: { authorization: 'Bearer api-secret-3', cookie: 'helpr_session=cookie-secret-4', 'x-plex-token': 'plex-secret-5' },
    });
    await app.inject({ method: 'POST', url: '/test/echo', payload: { password: 'password-secret-6', token: 'token-secret-7' } });
    await app.close();
    await deps.close();
    const output = lines.join('');
    expect(output).toContain('"url":"/?X-Plex-Token=[redacted]&_csrf=[redacted]"');
    for (const secret of ['plex-secret-1', 'csrf-secret-2', 'api-secret-3', 'cookie-secret-4', 'plex-secret-5', 'password-secret-6', 'token-secret-7', 'hunter2hunter2']) {
      expect(output).not.toContain(secret);
    }
  });
});
