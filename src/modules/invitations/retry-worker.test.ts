import { afterEach, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { TEST_DATABASE_URL } from '../../../test/helpers/services.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import type { InvitationRow } from './invitations.repository.js';

const T0 = '2026-11-24T12:00:00.000Z';

/** A request waiting for its next attempt (Plex failed once). */
const pendingRow = (id: string, identifier: string, patch: Partial<InvitationRow> = {}): InvitationRow =>
  invitationRow({ id, identifier, status: 'pending', libraries: '[]', last_error: 'Plex failed', error_kind: 'upstream', next_attempt_at: T0, created_at: T0, ...patch });

describeDialects('retry worker on %s', (dialect) => {
  const ctx = useSimulator();
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  /** One or more app instances sharing one database (PostgreSQL) or one instance (SQLite). */
  async function instances(count: number): Promise<TestApp[]> {
    let env: Record<string, string> = {};
    if (dialect === 'postgres') {
      const database: TestDatabase = await createTestDatabase('postgres', { migrate: false });
      open.push(database);
      const url = new URL(TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${database.schema}`);
      env = { DATABASE_URL: url.toString() };
    }
    const apps: TestApp[] = [];
    for (let i = 0; i < (dialect === 'postgres' ? count : 1); i += 1) {
      const app = await createReadyApp(ctx.sim, { env, ownsAdmin: i === 0 });
      open.push(app);
      apps.push(app);
    }
    return apps;
  }

  const sharePosts = () => ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST' }).filter((e) => e.path.includes('shared_servers'));

  it('sends a waiting invitation once it is due, and not before', async () => {
    const [t] = await instances(1);
    const repo = t!.deps.repositories.invitations;
    await repo.insert(pendingRow('wait-1', 'friend@example.com', { next_attempt_at: '2026-11-24T12:00:30.000Z' }));
    expect(await t!.deps.services.retryWorker.runOnce()).toBe(0);
    t!.clock.advance(31_000);
    expect(await t!.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await repo.findById('wait-1')).toMatchObject({ status: 'sent', attempts: 2, lease_owner: null, last_error: null });
    expect(sharePosts()).toHaveLength(1);
  });

  it('takes over an invitation whose sender crashed, but not one whose lease is still running', async () => {
    const [t] = await instances(1);
    const repo = t!.deps.repositories.invitations;
    await repo.insert(pendingRow('crashed', 'alice@example.com', { lease_owner: 'dead:1', lease_until: '2026-11-24T11:59:00.000Z' }));
    await repo.insert(pendingRow('busy', 'bob@example.com', { lease_owner: 'alive:1', lease_until: '2026-11-24T12:00:50.000Z' }));
    expect(await t!.deps.services.retryWorker.runOnce()).toBe(1);
    expect((await repo.findById('crashed'))?.status).toBe('sent');
    expect((await repo.findById('busy'))?.status).toBe('pending');
  });

  it('gives up after 24 hours and keeps the last reason', async () => {
    const [t] = await instances(1);
    const repo = t!.deps.repositories.invitations;
    await repo.insert(pendingRow('old', 'friend@example.com', { created_at: '2026-11-23T11:00:00.000Z' }));
    ctx.sim.control.addFault({ kind: 'status', status: 502, path: '/api/servers/', method: 'POST' });
    await t!.deps.services.retryWorker.runOnce();
    const row = await repo.findById('old');
    expect(row).toMatchObject({ status: 'failed', error_kind: 'upstream' });
    expect(row!.last_error).toMatch(/^Gave up after 24 hours: /);
  });

  it('sends each of many queued invitations exactly once when workers run side by side', async () => {
    const apps = await instances(2);
    const repo = apps[0]!.deps.repositories.invitations;
    for (let i = 0; i < 40; i += 1) await repo.insert(pendingRow(`queued-${i}`, `friend${i}@example.com`));
    const workers = apps.flatMap((app) => [app.deps.services.retryWorker, app.deps.services.retryWorker]);
    const sent = await Promise.all(workers.map((worker) => worker.runOnce()));
    expect(sent.reduce((a, b) => a + b, 0)).toBe(40);
    const posts = sharePosts();
    expect(posts).toHaveLength(40);
    expect(new Set(posts.map((p) => JSON.stringify(p.body))).size).toBe(40);
    for (let i = 0; i < 40; i += 1) expect((await repo.findById(`queued-${i}`))?.status).toBe('sent');
  });
});
