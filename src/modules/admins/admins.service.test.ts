import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { verifyPassword } from '../../security/password.js';
import { createAdminsRepository } from './admins.repository.js';
import { createAdminsService, type AdminsService } from './admins.service.js';

describeDialects('admins on %s', (dialect) => {
  let database: TestDatabase;
  let service: AdminsService;
  let repository: ReturnType<typeof createAdminsRepository>;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    repository = createAdminsRepository(database.db);
    service = createAdminsService({ admins: repository, clock: fixedClock('2026-01-01T00:00:00Z') });
  });
  afterAll(() => database.close());

  it('creates an admin with an argon2id hash', async () => {
    expect(await service.hasAdmin()).toBe(false);
    const admin = await service.createAdmin({ username: ' Owner ', password: 'a long enough password' });
    expect(admin.username).toBe('Owner');
    const stored = await repository.findByUsername('owner');
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
    expect(stored?.password_hash).not.toContain('a long enough password');
    expect(await verifyPassword(stored!.password_hash, 'a long enough password')).toBe(true);
    expect(await service.hasAdmin()).toBe(true);
  });

  it('refuses a duplicate username in any case', async () => {
    await expect(service.createAdmin({ username: 'OWNER', password: 'another long password' })).rejects.toMatchObject({
      code: 'admin.duplicate_username',
      status: 409,
    });
  });

  it('refuses weak passwords and odd usernames', async () => {
    await expect(service.createAdmin({ username: 'bob', password: 'short' })).rejects.toMatchObject({ code: 'admin.weak_password' });
    await expect(service.createAdmin({ username: 'b b', password: 'a long enough password' })).rejects.toMatchObject({
      code: 'admin.invalid_username',
    });
  });

  it('resets a password and refuses an unknown user', async () => {
    await service.resetPassword({ username: 'owner', password: 'a brand new password' });
    const stored = await repository.findByUsername('owner');
    expect(await verifyPassword(stored!.password_hash, 'a brand new password')).toBe(true);
    expect(await verifyPassword(stored!.password_hash, 'a long enough password')).toBe(false);
    await expect(service.resetPassword({ username: 'nobody', password: 'a brand new password' })).rejects.toMatchObject({
      code: 'admin.not_found',
      status: 404,
    });
  });

  it('creates the configured admin only while there is none', async () => {
    expect(await service.ensureConfiguredAdmin({ username: 'second', password: 'a long enough password' })).toBeUndefined();
    expect(await repository.count()).toBe(1);
  });
});
