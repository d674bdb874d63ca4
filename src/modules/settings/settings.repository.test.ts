import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { createSettingsRepository } from './settings.repository.js';

describeDialects('settings on %s', (dialect) => {
  let database: TestDatabase;
  let settings: ReturnType<typeof createSettingsRepository>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    settings = createSettingsRepository(database.db);
  });
  afterAll(() => database.close());

  it('stores typed values and overwrites them', async () => {
    expect(await settings.get('siteTitle')).toBeUndefined();
    await settings.set('siteTitle', 'Movie night', '2026-01-01T00:00:00Z');
    await settings.set('libraries', ['1', '2'], '2026-01-01T00:00:00Z');
    await settings.set('siteTitle', 'Film club', '2026-01-02T00:00:00Z');
    expect(await settings.get('siteTitle')).toBe('Film club');
    expect(await settings.getAll()).toEqual({ siteTitle: 'Film club', libraries: ['1', '2'] });
  });

  it('keeps the first value with setIfAbsent', async () => {
    expect(await settings.setIfAbsent('clientId', 'first', '2026-01-01T00:00:00Z')).toBe('first');
    expect(await settings.setIfAbsent('clientId', 'second', '2026-01-01T00:00:00Z')).toBe('first');
  });
});
