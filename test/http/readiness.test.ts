import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('/readyz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 503 naming the write check when the database reads but refuses every write (a full disk)', async () => {
    expect((await t.app.inject('/readyz')).json()).toEqual({ ready: true, checks: { database: 'ok', database_write: 'ok' } });

    await sql`pragma query_only = 1`.execute(t.deps.database.db);
    t.clock.advance(1000);
    const refused = await t.app.inject('/readyz');
    expect(refused.statusCode).toBe(503);
    expect(refused.json().checks).toMatchObject({ database: 'ok', database_write: expect.stringMatching(/^failed: .*readonly/) });
    expect((await t.app.inject('/healthz')).statusCode).toBe(200); // alive, just not ready

    await sql`pragma query_only = 0`.execute(t.deps.database.db);
    t.clock.advance(1000);
    expect((await t.app.inject('/readyz')).statusCode).toBe(200);
  });
});
