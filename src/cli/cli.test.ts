import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.js';
import { runHelpr } from '../../test/helpers/cli.js';
import { createTestDatabase, describeDialects } from '../../test/helpers/database.js';
import { TEST_DATABASE_URL } from '../../test/helpers/services.js';
import { parseDatabaseUrl } from '../config.js';
import { createDatabase } from '../db/database.js';
import { migrations } from '../db/migrations/index.js';
import { EXIT } from './cli-io.js';

const MIGRATION_NAMES = Object.keys(migrations).join(', ');

const run = runHelpr;

describeDialects('helpr CLI on %s', (dialect) => {
  const envFor = async (): Promise<{ env: Record<string, string>; done: () => Promise<void> }> => {
    if (dialect === 'sqlite') {
      const dir = tempDir();
      return { env: { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'cli.db')}` }, done: async () => undefined };
    }
    // A schema of its own, reached through the URL's search_path option.
    const database = await createTestDatabase('postgres', { migrate: false });
    const url = new URL(TEST_DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${database.schema}`);
    return { env: { DATA_DIR: tempDir(), DATABASE_URL: url.toString() }, done: () => database.close() };
  };

  it('migrates, creates admins, resets passwords, with clear errors and exit codes', async () => {
    const { env, done } = await envFor();
    try {
      expect(await run(['migrate', '--dry-run'], env)).toMatchObject({ code: EXIT.ok, stdout: `Would apply: ${MIGRATION_NAMES}\n` });
      const migrate = await run(['migrate'], env);
      expect(migrate).toMatchObject({ code: EXIT.ok, stdout: `Applied: ${MIGRATION_NAMES}\n` });
      expect((await run(['migrate'], env)).stdout).toBe('The database is up to date.\n');
      expect((await run(['migrate', '--dry-run'], env)).stdout).toBe('The database is up to date: nothing would run.\n');

      const created = await run(['admin', 'create', '--username', 'owner', '--password-stdin'], env, 'a long enough password\n');
      expect(created).toMatchObject({ code: EXIT.ok, stdout: 'Admin "owner" (owner) created. Sign in at /admin/login.\n' });
      const viewer = await run(['admin', 'create', '--username', 'sam', '--role', 'viewer', '--password-stdin'], env, 'a long enough password\n');
      expect(viewer).toMatchObject({ code: EXIT.ok, stdout: 'Admin "sam" (viewer) created. Sign in at /admin/login.\n' });
      expect(await run(['admin', 'create', '--username', 'kim', '--role', 'boss', '--password-stdin'], env, 'a long enough password\n')).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('--role is owner or viewer (got "boss")') });
      const list = await run(['admin', 'list'], env);
      expect(list.code).toBe(EXIT.ok);
      expect(list.stdout.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME')).toBe(['USERNAME  ROLE    CREATED', 'owner     owner   TIME', 'sam       viewer  TIME', ''].join('\n'));

      const duplicate = await run(['admin', 'create', '--username', 'Owner', '--password-stdin'], env, 'a long enough password\n');
      expect(duplicate).toMatchObject({ code: EXIT.conflict, stderr: 'helpr: An admin named "Owner" already exists.\n' });

      const weak = await run(['admin', 'create', '--username', 'bob', '--password-stdin'], env, 'short\n');
      expect(weak.code).toBe(EXIT.invalid);
      expect(weak.stderr).toBe('helpr: Password too weak: Use at least 12 characters.\n');

      const unknown = await run(['admin', 'reset-password', '--username', 'carol', '--password-stdin'], env, 'a long enough password\n');
      expect(unknown).toMatchObject({ code: EXIT.notFound, stderr: 'helpr: No admin named "carol".\n' });

      const reset = await run(['admin', 'reset-password', '--username', 'owner', '--password-stdin'], env, 'another long password\n');
      expect(reset.code).toBe(EXIT.ok);
      expect(reset.stdout).toContain('Password of "owner" changed');
      // The changes made at the command line are in the audit log, with the system user's name.
      const handle = await createDatabase(parseDatabaseUrl(env.DATABASE_URL, env.DATA_DIR!));
      const audit = await handle.db.selectFrom('audit_log').select(['actor', 'actor_type', 'action', 'target']).orderBy('action').orderBy('target').execute();
      await handle.close();
      const user = `${os.userInfo().username} (command line)`;
      expect(audit).toEqual([
        { actor: user, actor_type: 'cli', action: 'admin.create', target: 'owner' },
        { actor: user, actor_type: 'cli', action: 'admin.create', target: 'sam' },
        { actor: user, actor_type: 'cli', action: 'admin.password_reset', target: 'owner' },
      ]);
    } finally {
      await done();
    }
  });
});

describe('helpr CLI usage', () => {
  const env = () => ({ DATA_DIR: tempDir(), DATABASE_URL: 'sqlite::memory:' });

  it('explains usage mistakes with exit code 2', async () => {
    expect((await run(['frobnicate'], env())).code).toBe(EXIT.usage);
    expect((await run(['admin', 'create'], env())).stderr).toContain('Usage: helpr admin create --username NAME');
    expect((await run(['admin', 'create', '--bogus'], env())).code).toBe(EXIT.usage);
    expect((await run([], env())).code).toBe(EXIT.usage);
    expect((await run(['help'], env())).stdout).toContain('admin reset-password');
  });

  it('asks for --password-stdin when there is no terminal', async () => {
    const result = await run(['admin', 'create', '--username', 'owner'], env());
    expect(result).toMatchObject({ code: EXIT.usage, stderr: 'helpr: No terminal to ask for the password: pipe it in with --password-stdin.\n' });
  });

  it('reports bad configuration in one line', async () => {
    const result = await run(['migrate'], { ...env(), DATABASE_URL: 'mysql://nope' });
    expect(result.code).toBe(EXIT.failure);
    expect(result.stderr).toBe('helpr: Invalid configuration: DATABASE_URL must start with sqlite: or postgres:// (see README)\n');
    expect(fs.existsSync(path.join(process.cwd(), 'mysql:'))).toBe(false);
  });
});
