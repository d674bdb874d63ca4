import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { fixedClock } from '../../clock.js';
import { createDatabase, type DatabaseHandle } from '../../db/database.js';
import { createSettingsRepository } from '../settings/settings.repository.js';
import { createHealthService } from './health.service.js';
import { readinessChecks, WRITE_PROBE_KEY } from './readiness-checks.js';
import { createWriteProbe } from './write-probe.js';

/**
 * Writes refused while reads work, as on a full disk or a file system remounted read-only. SQLite
 * has one connection; on PostgreSQL the probe gets a one-connection pool so the setting holds.
 */
async function refusingWrites(database: TestDatabase): Promise<{ handle: DatabaseHandle; refuse(on: boolean): Promise<void>; close(): Promise<void> }> {
  if (database.config.dialect === 'sqlite') {
    return {
      handle: database,
      refuse: async (on) => void (await sql.raw(`pragma query_only = ${on ? 1 : 0}`).execute(database.db)),
      close: async () => undefined,
    };
  }
  const handle = await createDatabase(database.config, { schema: database.schema, poolSize: 1 });
  return {
    handle,
    refuse: async (on) => void (await sql.raw(`set session characteristics as transaction ${on ? 'read only' : 'read write'}`).execute(handle.db)),
    close: () => handle.close(),
  };
}

describeDialects('readiness on %s', (dialect) => {
  let database: TestDatabase;
  let writes: Awaited<ReturnType<typeof refusingWrites>>;
  const clock = fixedClock('2026-11-24T12:00:00.000Z');
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    writes = await refusingWrites(database);
  });
  afterAll(async () => {
    await writes?.close();
    await database?.close();
  });

  it('is ready while the database reads and writes, and unready naming the write check when writes fail', async () => {
    const settings = createSettingsRepository(writes.handle.db);
    const health = createHealthService(readinessChecks({ database: writes.handle, repositories: { settings }, clock }));
    expect(await health.readiness()).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok' } });
    expect(await settings.get(WRITE_PROBE_KEY)).toBe('2026-11-24T12:00:00.000Z');

    await writes.refuse(true);
    clock.advance(1000);
    const report = await health.readiness();
    expect(report.ready).toBe(false);
    expect(report.checks.database).toBe('ok'); // reads still work: `select 1` alone said ready
    expect(report.checks.database_write).toMatch(/^failed: .*read.?only/i);

    await writes.refuse(false);
    clock.advance(1000);
    expect(await health.readiness()).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok' } });
  });
});

describe('readiness report', () => {
  it('reports an optional check as degraded and stays ready; a required one makes it unready', async () => {
    const down = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const optional = createHealthService([
      { name: 'database', check: async () => undefined },
      { name: 'redis', required: false, check: down },
    ]);
    expect(await optional.readiness()).toEqual({ ready: true, checks: { database: 'ok', redis: 'degraded: connect ECONNREFUSED' } });
    const required = createHealthService([{ name: 'database', check: down }]);
    expect(await required.readiness()).toEqual({ ready: false, checks: { database: 'failed: connect ECONNREFUSED' } });
  });
});

describe('write probe', () => {
  it('writes once for calls within the reuse interval or while a probe runs', async () => {
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const written: string[] = [];
    let finish!: () => void;
    const probe = createWriteProbe({
      clock,
      write: async (at) => {
        written.push(at);
        await new Promise<void>((resolve) => (finish = resolve));
      },
    });
    const first = probe();
    clock.advance(5000);
    const whileRunning = probe(); // still running: shares the outcome even past the interval
    finish();
    await Promise.all([first, whileRunning]);
    expect(written).toEqual(['2026-11-24T12:00:00.000Z']);
    clock.advance(1000);
    const next = probe();
    finish();
    await next;
    expect(written).toHaveLength(2);
  });
});
