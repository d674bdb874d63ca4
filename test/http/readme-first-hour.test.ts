import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { PROJECT_ROOT } from '../../src/paths.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const README = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const PACKAGE = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
};

/** What a newcomer reads in the README points at things that exist, and does no harm. */
describe('README for a newcomer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('names the API docs at /api/docs, which answer', async () => {
    expect(README).toContain('`/api/docs`');
    expect((await t.app.inject('/api/docs')).statusCode).toBe(200);
  });

  it('names --password-stdin for scripts, which the CLI has', async () => {
    expect(README).toContain('--password-stdin');
    const stdout = new PassThrough();
    await runCli(['help'], { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {} });
    expect(String(stdout.read())).toContain('--password-stdin');
  });

  it('runs the tests on Redis database 15, not database 0', () => {
    const command = README.split('\n').find((line) => line.includes('TEST_REDIS_URL=') && line.includes('npm test'))!;
    expect(command).toMatch(/TEST_REDIS_URL=redis:\/\/127\.0\.0\.1:6379\/15 /);
    expect(README).toMatch(/database 15/);
  });

  it('starts through the launcher that `npm start` runs, and has no dependency on itself', () => {
    expect(PACKAGE.scripts.start).toBe('node bin/helpr.js serve');
    expect(README).toContain('`npm start` runs `node bin/helpr.js serve`');
    expect(PACKAGE.dependencies).not.toHaveProperty('helpr');
  });
});
