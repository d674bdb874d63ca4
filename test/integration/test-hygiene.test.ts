import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/paths.js';
import { tempDir } from '../helpers/temp-dirs.js';

/** A few real test files, run by a Vitest of their own as `npm test` runs them, without PostgreSQL. */
const FILES = ['src/security/secret-key.test.ts', 'test/http/api-docs.test.ts', 'src/db/migrate.test.ts'];

interface JsonReport {
  success: boolean;
  testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
}

function runVitest(env: NodeJS.ProcessEnv, outputFile: string): Promise<number | null> {
  const vitest = path.join(PROJECT_ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(process.execPath, [vitest, 'run', ...FILES, '--reporter=json', `--outputFile=${outputFile}`], { cwd: PROJECT_ROOT, env, stdio: 'ignore' });
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('a test run', () => {
  it('leaves nothing in the temp folder and counts the PostgreSQL tests it cannot run as skipped', async () => {
    const tmp = tempDir('helpr-hygiene-tmp-');
    const report = path.join(tempDir('helpr-hygiene-report-'), 'report.json');
    const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
    for (const name of ['TEST_DATABASE_URL', 'TEST_REDIS_URL', 'CI', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) delete env[name];

    expect(await runVitest(env, report)).toBe(0);
    expect(fs.readdirSync(tmp)).toEqual([]);

    const results = (JSON.parse(fs.readFileSync(report, 'utf8')) as JsonReport).testResults.find((file) => file.name.endsWith('src/db/migrate.test.ts'))!.assertionResults;
    const onSqlite = results.filter((test) => test.fullName.startsWith('migrations on sqlite'));
    const onPostgres = results.filter((test) => test.fullName.startsWith('migrations on postgres'));
    expect(onSqlite.length).toBeGreaterThan(0);
    expect(onSqlite.every((test) => test.status === 'passed')).toBe(true);
    expect(onPostgres.map((test) => test.status)).toEqual(onSqlite.map(() => 'skipped'));
  }, 60_000);
});
