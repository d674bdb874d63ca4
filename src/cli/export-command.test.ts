import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers/app.js';
import { runHelpr } from '../../test/helpers/cli.js';
import { loadConfig } from '../config.js';
import { migrateToLatest } from '../db/migrate.js';
import { createDeps } from '../deps.js';
import { EXIT } from './cli-io.js';

/** `helpr export`: what the owner has, as JSON or one table as CSV, without secrets. */
describe('helpr export', () => {
  async function withData() {
    const dir = tempDir();
    const env = { DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'helpr.db')}`, SECRET_KEY: 's'.repeat(40) };
    const deps = await createDeps(loadConfig(env), { connectRedis: false });
    await migrateToLatest(deps.database);
    await deps.services.codes.createCode({ code: 'FAMILY-2026', label: 'Family, "close"', maxUses: 5 });
    // Not connected to Plex: the request waits, and is exported as it stands.
    await deps.services.invitations.submit({ email: 'alice@example.com', clientIp: '198.51.100.7', userAgent: undefined });
    await deps.close();
    return env;
  }

  it('prints the invitations, users and codes as one JSON document', async () => {
    const env = await withData();
    const result = await runHelpr(['export'], env);
    expect(result).toMatchObject({ code: EXIT.ok, stderr: '' });
    const document = JSON.parse(result.stdout) as Record<string, unknown[]>;
    expect(Object.keys(document)).toEqual(['exportedAt', 'invitations', 'users', 'codes']);
    expect(document.invitations).toEqual([expect.objectContaining({ identifier: 'alice@example.com', clientIp: '198.51.100.7' })]);
    expect(document.users).toEqual([]);
    expect(document.codes).toEqual([expect.objectContaining({ code: 'FAMILY-2026', label: 'Family, "close"', maxUses: 5, uses: 0 })]);
    expect(result.stdout).not.toMatch(/secret|token|hash/i);
    expect(Object.keys(JSON.parse((await runHelpr(['export', '--only', 'codes'], env)).stdout) as object)).toEqual(['exportedAt', 'codes']);
  });

  it('prints one table as CSV, quoted where needed', async () => {
    const env = await withData();
    const codes = await runHelpr(['export', '--format', 'csv', '--only', 'codes'], env);
    expect(codes.code).toBe(EXIT.ok);
    const [header, row] = codes.stdout.split('\r\n');
    expect(header!.replaceAll('"', '')).toBe('id,code,label,created_at,expires_at,max_uses,uses,state,revoked_at,libraries,access_days,access_starts_on,created_by');
    expect(row).toContain(',"FAMILY-2026","Family, ""close""",');
    const invitations = await runHelpr(['export', '--format', 'csv', '--only', 'invitations'], env);
    expect(invitations.stdout.split('\r\n')[0]!.replaceAll('"', '')).toMatch(/^id,created_at,identifier,identifier_kind,status,/);
    expect(invitations.stdout).toContain('alice@example.com');
    expect((await runHelpr(['export', '--format', 'csv', '--only', 'users'], env)).code).toBe(EXIT.ok);
  });

  it('says how to use it when the options do not fit', async () => {
    const env = await withData();
    for (const args of [['--format', 'csv'], ['--format', 'xml'], ['--only', 'passwords']]) {
      expect(await runHelpr(['export', ...args], env)).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('Usage: helpr export') });
    }
  });
});
