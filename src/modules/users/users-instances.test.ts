import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { createTestDatabase, describeDialects, type TestDialect } from '../../../test/helpers/database.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { TEST_DATABASE_URL } from '../../../test/helpers/services.js';
import { tempDir } from '../../../test/helpers/temp-dirs.js';

const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

/** Two Helpr instances on one database: one sync at a time, and one expiry removal per person. */
describeDialects('users with two instances on %s', (dialect: TestDialect) => {
  const ctx = useSimulator();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function twoInstances(): Promise<[TestApp, TestApp]> {
    let env: Record<string, string>;
    if (dialect === 'postgres') {
      const database = await createTestDatabase('postgres', { migrate: false });
      cleanups.push(() => database.close());
      const url = new URL(TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${database.schema}`);
      env = { DATABASE_URL: url.toString() };
    } else {
      env = { DATABASE_URL: `sqlite:${path.join(tempDir(), 'helpr.db')}` };
    }
    const first = await createReadyApp(ctx.sim, { env, libraries: ['1'] });
    cleanups.push(() => first.close());
    const second = await createReadyApp(ctx.sim, { env, ownsAdmin: false });
    cleanups.push(() => second.close());
    // Both on the same moment.
    second.clock.set(first.clock.now());
    return [first, second];
  }

  it('runs one sync at a time: the other instance is told busy, and the people are found once', async () => {
    const [a, b] = await twoInstances();
    for (const email of ['alice@example.com', 'bob@example.com']) await a.deps.services.adminInvitations.invite({ email }, OWNER, 'admin');
    const hold = ctx.sim.control.hold({ path: '/api/v2/shared_servers/owned/accepted' });
    const first = a.deps.services.usersSync.run();
    await expect.poll(() => ctx.sim.control.listHolds()[0]?.held ?? 0).toBe(1);
    expect(await b.deps.services.usersSync.run()).toMatchObject({ outcome: 'busy' });
    ctx.sim.control.release(hold);
    expect(await first).toMatchObject({ outcome: 'synced', status: { changed: { found: 2 } } });
    expect((await b.deps.services.users.list({}, 1, 10)).total).toBe(2);
    // The schedule on the other instance skips the interval the first one just synced.
    expect(await b.deps.services.usersSync.run({ ifOlderThanMs: 15 * 60_000 })).toMatchObject({ outcome: 'busy' });
    const found = (await a.deps.services.audit.list({ page: 1, perPage: 50, action: 'user.found' })).total;
    expect(found).toBe(2);
  });

  it('removes an expired person once, whichever instance runs the expiry job', async () => {
    const [a, b] = await twoInstances();
    for (const email of ['alice@example.com', 'bob@example.com']) await a.deps.services.adminInvitations.invite({ email }, OWNER, 'admin');
    await a.deps.services.usersSync.run();
    const people = (await a.deps.services.users.list({}, 1, 10)).items;
    const end = new Date(a.clock.now().getTime() + 60_000).toISOString();
    for (const person of people) await a.deps.services.userActions.setExpiry(person.id, end, OWNER);
    a.clock.advance(60_000);
    b.clock.set(a.clock.now());
    ctx.sim.control.clearLog();
    const passes = await Promise.all([a.deps.services.userActionsPass(), b.deps.services.userActionsPass(), a.deps.services.userActionsPass(), b.deps.services.userActionsPass()]);
    expect(passes.reduce((n, pass) => n + pass.expired, 0)).toBe(2);
    expect(passes.reduce((n, pass) => n + pass.ran, 0)).toBe(2);
    expect(ctx.sim.control.requestLog({ method: 'DELETE' })).toHaveLength(2);
    expect(ctx.sim.control.state().shares).toHaveLength(0);
    expect((await b.deps.services.users.list({ state: 'expired' }, 1, 10)).total).toBe(2);
    expect((await a.deps.services.audit.list({ page: 1, perPage: 50, action: 'user.expired' })).total).toBe(2);
  });
});
