import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import type { PlexClient } from '../../plex/plex-client.js';
import { createSecretBox } from '../../security/crypto.js';
import { createSettingsRepository } from '../settings/settings.repository.js';
import { SETTINGS_TTL_MS } from '../settings/settings.service.js';
import { createPlexConnection, PLEX_SETTINGS } from './plex-connection.service.js';

describeDialects('Plex connection settings on %s', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
  });
  afterAll(() => database.close());

  const connection = (config: Partial<{ token: string; serverId: string; serverUrl: string }> = {}, clock = fixedClock('2026-01-01T00:00:00Z')) => {
    const built: string[] = [];
    const service = createPlexConnection({
      config: { tvUrl: 'https://plex.tv', clientsUrl: 'https://clients.plex.tv', appUrl: 'https://app.plex.tv', token: undefined, serverId: undefined, serverUrl: undefined, libraries: undefined, ...config },
      settings: createSettingsRepository(database.db),
      secretBox: createSecretBox('s'.repeat(40)),
      clock,
      buildClient: (id) => {
        built.push(id);
        return { close: async () => undefined } as unknown as PlexClient;
      },
    });
    return { service, built };
  };

  it('generates one client identifier per installation and keeps it', async () => {
    const first = connection();
    const id = await first.service.clientIdentifier();
    expect(id).toMatch(/^helpr-[0-9a-f-]{36}$/);
    expect(await connection().service.clientIdentifier()).toBe(id);
    await first.service.client();
    await first.service.client();
    expect(first.built).toEqual([id]);
  });

  it('stores the token encrypted, and lets the environment win', async () => {
    const stored = connection();
    expect((await stored.service.state()).tokenSource).toBe('none');
    await stored.service.saveToken('owner-plex-token');
    await stored.service.saveServer('abc123', 'http://10.0.0.5:32400');
    const raw = await createSettingsRepository(database.db).get<string>(PLEX_SETTINGS.token);
    expect(raw).not.toContain('owner-plex-token');
    expect(await stored.service.state()).toEqual({
      token: 'owner-plex-token',
      tokenSource: 'settings',
      serverId: 'abc123',
      serverIdSource: 'settings',
      serverUrl: 'http://10.0.0.5:32400',
    });
    expect(await connection({ token: 'env-token', serverId: 'env-server' }).service.state()).toMatchObject({
      token: 'env-token',
      tokenSource: 'environment',
      serverId: 'env-server',
      serverIdSource: 'environment',
    });
  });

  it('keeps the stored connection in memory: one read per time-to-live, a save here is seen at once, elsewhere within the time-to-live', async () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const here = connection({}, clock);
    const there = connection({}, clock);
    await here.service.saveToken('token-one');
    await here.service.saveServer('server-one');
    expect(await there.service.state()).toMatchObject({ token: 'token-one', serverId: 'server-one' });

    const queries: string[] = [];
    const counting = createPlexConnection({
      config: { tvUrl: 'https://plex.tv', clientsUrl: 'https://clients.plex.tv', appUrl: 'https://app.plex.tv', token: undefined, serverId: undefined, serverUrl: undefined, libraries: undefined },
      settings: { ...createSettingsRepository(database.db), get: async <T,>(key: string) => (queries.push(key), createSettingsRepository(database.db).get<T>(key)) },
      secretBox: createSecretBox('s'.repeat(40)),
      clock,
      buildClient: () => ({ close: async () => undefined }) as unknown as PlexClient,
    });
    await Promise.all([counting.state(), counting.state()]);
    await counting.state();
    expect(queries).toHaveLength(4); // token, server, server URL and server name, once

    await here.service.saveToken('token-two');
    expect((await here.service.state()).token).toBe('token-two');
    expect((await there.service.state()).token).toBe('token-one');
    clock.advance(SETTINGS_TTL_MS);
    expect((await there.service.state()).token).toBe('token-two');
  });
});
