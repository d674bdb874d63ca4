import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { createTestDatabase, describeDialects } from '../helpers/database.js';
import { runEntry } from '../helpers/process.js';
import { TEST_DATABASE_URL } from '../helpers/services.js';

const MAIN = 'src/main.ts';

describe('bad configuration', () => {
  it.each([
    [{ PORT: 'abc' }, 'helpr: Invalid configuration: PORT must be a port number between 0 and 65535 (got "abc")'],
    [{ DATABASE_URL: 'mysql://db/helpr' }, 'helpr: Invalid configuration: DATABASE_URL must start with sqlite: or postgres:// (see README)'],
    [{ SECRET_KEY: 'too-short' }, 'helpr: Invalid configuration: SECRET_KEY must be at least 32 characters (got 9)'],
    [
      { DATABASE_URL: 'postgres://helpr:hunter2@127.0.0.1:1/helpr' },
      'helpr: Cannot reach the PostgreSQL database at postgres://helpr:***@127.0.0.1:1/helpr (ECONNREFUSED): check DATABASE_URL and that the server is running',
    ],
    // A Redis that is down does not stop the start (test/integration/fault-redis-start.test.ts); a bad URL does.
    [{ REDIS_URL: 'redis://127.0.0.1:99999' }, 'helpr: Invalid configuration: REDIS_URL must be a redis:// or rediss:// URL'],
  ])('%j stops the process with one line and a non-zero exit', async (env, line) => {
    const run = runEntry(MAIN, { DATA_DIR: tempDir(), LOG_LEVEL: 'silent', ...env });
    const { code, stderr, stdout } = await run.exited;
    expect(code).toBe(1);
    expect(stderr).toBe(`${line}\n`);
    expect(stdout).toBe('');
  });
});

describeDialects('npm start on %s', (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  async function env(): Promise<Record<string, string>> {
    const dataDir = tempDir();
    if (dialect === 'sqlite') return { DATA_DIR: dataDir };
    const database = await createTestDatabase('postgres', { migrate: false });
    cleanups.push(() => database.close());
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${database.schema}`);
    return { DATA_DIR: dataDir, DATABASE_URL: url.toString() };
  }

  it('migrates once, keeps its secret, serves, and stops cleanly on SIGTERM', async () => {
    const base: Record<string, string> = { ...(await env()), PORT: '0', HOST: '127.0.0.1' };
    const starts: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const run = runEntry(MAIN, base);
      const listening = await run.waitFor(/Server listening at/);
      const url = /"(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)?.[1] ?? /(http:\/\/127\.0\.0\.1:\d+)/.exec(listening)![1]!;
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Helpr is not set up yet');
      starts.push(run.output());
      run.child.kill('SIGTERM');
      const { code, stdout } = await run.exited;
      expect(code).toBe(0);
      expect(stdout).toContain('"signal":"SIGTERM"');
    }
    expect(starts[0]).toContain('database migrated');
    expect(starts[1]).not.toContain('database migrated');
    const secret = path.join(base.DATA_DIR!, 'secret.key');
    expect(fs.statSync(secret).mode & 0o777).toBe(0o600);
    if (dialect === 'sqlite') expect(fs.existsSync(path.join(base.DATA_DIR!, 'helpr.db'))).toBe(true);
  });

  it('creates the admin from ADMIN_USERNAME and ADMIN_PASSWORD', async () => {
    const run = runEntry(MAIN, { ...(await env()), PORT: '0', HOST: '127.0.0.1', ADMIN_USERNAME: 'owner', ADMIN_PASSWORD: 'a long enough password' });
    await run.waitFor(/Server listening at/);
    expect(run.output()).toContain('admin created from ADMIN_USERNAME');
    expect(run.output()).not.toContain('a long enough password');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
  });
});
