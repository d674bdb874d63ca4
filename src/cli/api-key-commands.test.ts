import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { tempDir, testConfig, TEST_SECRET } from '../../test/helpers/app.js';
import { createTestDatabase, describeDialects } from '../../test/helpers/database.js';
import { TEST_DATABASE_URL } from '../../test/helpers/services.js';
import { createDeps } from '../deps.js';
import { EXIT } from './cli-io.js';
import { runCli } from './index.js';

async function run(argv: string[], env: Record<string, string>) {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdin.end();
  const code = await runCli(argv, { stdin, stdout, stderr, env: { SECRET_KEY: TEST_SECRET, ...env } });
  return { code, stdout: stdout.read()?.toString() ?? '', stderr: stderr.read()?.toString() ?? '' };
}

const sqliteEnv = () => {
  const dir = tempDir();
  return { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}` };
};

describeDialects('helpr api-key create on %s', (dialect) => {
  it('prints a working key once, alone on stdout, and audits it', async () => {
    let env = sqliteEnv();
    // PostgreSQL: a schema of its own, reached through the URL's search_path option.
    const database = dialect === 'postgres' ? await createTestDatabase('postgres', { migrate: false }) : undefined;
    if (database) {
      const url = new URL(TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${database.schema}`);
      env = { DATA_DIR: tempDir(), DATABASE_URL: url.toString() };
    }
    const result = await run(['api-key', 'create', '--name', 'Home Assistant'], env);
    expect(result.code).toBe(EXIT.ok);
    expect(result.stdout).toMatch(/^hk_[A-Za-z0-9_-]{43}\n$/);
    expect(result.stderr).toBe('API key "Home Assistant" created. Copy it now: it is shown only this once.\n');

    const deps = await createDeps(testConfig(env), { connectRedis: false });
    try {
      const key = result.stdout.trim();
      await expect(deps.services.apiKeys.verify(key)).resolves.toMatchObject({ name: 'Home Assistant', prefix: key.slice(0, 10) });
      const stored = await deps.repositories.apiKeys.list();
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(stored)).not.toContain(key);
      const audit = await deps.services.audit.list({ page: 1, perPage: 10, action: 'apikey' });
      expect(audit.entries).toMatchObject([{ action: 'apikey.create', actor: 'cli', actorType: 'system', target: 'Home Assistant' }]);
    } finally {
      await deps.close();
      await database?.close();
    }
  });
});

describe('helpr api-key create usage', () => {

  it('explains usage mistakes with exit code 2 and refuses a bad name with exit code 3', async () => {
    const env = sqliteEnv();
    const missing = await run(['api-key', 'create'], env);
    expect(missing).toMatchObject({ code: EXIT.usage, stdout: '', stderr: 'helpr: Usage: helpr api-key create --name NAME\n' });
    expect((await run(['api-key', 'create', '--name', '  '], env)).code).toBe(EXIT.usage);
    expect((await run(['api-key', 'create', '--name', 'x', '--bogus'], env)).code).toBe(EXIT.usage);
    const tooLong = await run(['api-key', 'create', '--name', 'x'.repeat(101)], env);
    expect(tooLong).toMatchObject({ code: EXIT.invalid, stdout: '', stderr: 'helpr: Give the key a name of 1 to 100 characters.\n' });
    expect((await run(['help'], env)).stdout).toContain('api-key create --name NAME');
  });
});
