import { afterEach, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { isAppError } from '../../errors.js';
import { createAdminsRepository } from '../admins/admins.repository.js';
import { createAdminsService, type AdminsService } from '../admins/admins.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { createSetupWizard } from './setup.service.js';

const PASSWORD = 'a long enough password';

describeDialects('the first admin on %s', (dialect) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  // hasAdmin always says "none", as it does for every request that checked before the first
  // insert: only the transaction stands between two forms and two admins.
  let recorded: string[] = [];
  async function wizard() {
    recorded = [];
    database = await createTestDatabase(dialect);
    const clock = fixedClock('2026-11-24T12:00:00Z');
    const admins = { hasAdmin: async () => false } as unknown as AdminsService;
    const service = createSetupWizard({
      db: database.db,
      clock,
      admins,
      connection: {} as PlexConnection,
      // Every admin made is audited: one entry per admin that exists.
      audit: { record: async (_actor, action: string, target: string | null) => void recorded.push(`${action} ${target}`) } as AuditService,
      settings: { update: async () => ({}) as never },
      onComplete: () => undefined,
    });
    return { service, repository: createAdminsRepository(database.db), clock };
  }

  const closedOrCreated = (results: PromiseSettledResult<unknown>[]) =>
    results.map((r) => (r.status === 'fulfilled' ? 'created' : isAppError(r.reason) ? r.reason.code : String(r.reason)));

  it('creates exactly one admin when several forms arrive at once', async () => {
    const { service, repository } = await wizard();
    const results = await Promise.allSettled(
      ['ann', 'ben', 'cat', 'dan', 'eve'].map((username) => service.createFirstAdmin({ username, password: PASSWORD, repeat: PASSWORD })),
    );
    const outcomes = closedOrCreated(results);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'setup.closed')).toHaveLength(4);
    expect(await repository.count()).toBe(1);
    const winner = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))[0]!;
    expect(recorded).toEqual([`setup.admin ${winner.username}`]);
  });

  it('rolls the claim back when the admin cannot be created, so the next try works', async () => {
    const { service, repository } = await wizard();
    await expect(service.createFirstAdmin({ username: 'no spaces allowed', password: PASSWORD, repeat: PASSWORD })).rejects.toMatchObject({
      code: 'admin.invalid_username',
      fields: { username: expect.any(String) },
    });
    const admin = await service.createFirstAdmin({ username: 'owner', password: PASSWORD, repeat: PASSWORD });
    expect(admin.username).toBe('owner');
    expect(await repository.count()).toBe(1);
  });

  it('stays closed when an admin was made another way (ADMIN_USERNAME, the CLI)', async () => {
    const { service, repository, clock } = await wizard();
    await createAdminsService({ admins: repository, clock }).createAdmin({ username: 'configured', password: PASSWORD });
    await expect(service.createFirstAdmin({ username: 'owner', password: PASSWORD, repeat: PASSWORD })).rejects.toMatchObject({ code: 'setup.closed' });
    expect(await repository.count()).toBe(1);
  });

  it('checks the password and its repeat before touching the database', async () => {
    const { service, repository } = await wizard();
    await expect(service.createFirstAdmin({ username: 'owner', password: 'short', repeat: 'short' })).rejects.toMatchObject({ fields: { password: 'Use at least 12 characters.' } });
    await expect(service.createFirstAdmin({ username: 'owner', password: PASSWORD, repeat: 'something else!' })).rejects.toMatchObject({
      fields: { repeat: 'The two passwords differ.' },
    });
    expect(await repository.count()).toBe(0);
  });
});
