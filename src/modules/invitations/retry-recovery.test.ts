import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, type TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';

/** A request that Plex could not take is sent later: after Plex recovers, and after a restart. */
describe('pending invitations are not lost', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const app of open.splice(0)) await app.close().catch(() => undefined);
  });
  const invitePosts = () => ctx.sim.control.requestLog({ target: 'plex-tv', method: 'POST', path: '/api/servers/' });

  it('sends a pending invitation once Plex recovers, exactly once', async () => {
    const t = await createReadyApp(ctx.sim);
    open.push(t);
    ctx.sim.control.addFault({ kind: 'status', status: 503, path: '/api/servers/', method: 'POST', times: 1 });
    const { invitation } = await t.deps.services.invitations.submit({ email: 'friend@example.com', clientIp: '198.51.100.1', userAgent: undefined });
    expect(invitation.status).toBe('pending');

    t.clock.advance(10 * 60_000);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(0);
    expect(await t.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(invitePosts().map((entry) => entry.status)).toEqual([503, 200]);
  });

  it('sends an invitation cut off by a crash after the restart, exactly once', async () => {
    const env = { DATABASE_URL: `sqlite:${path.join(tempDir(), 'helpr.db')}` };
    const before = await createReadyApp(ctx.sim, { env, sendTimeoutMs: 100 });
    ctx.sim.control.addFault({ kind: 'hang', path: '/api/servers/', method: 'POST', times: 1 });
    const { invitation } = await before.deps.services.invitations.submit({ email: 'friend@example.com', clientIp: '198.51.100.1', userAgent: undefined });
    expect(invitation).toMatchObject({ status: 'pending' });
    expect(invitation.lease_owner).not.toBeNull();
    // The process dies with the send in flight: its database is gone, nothing more is recorded by it.
    await before.deps.database.close();

    const after = await createReadyApp(ctx.sim, { env, ownsAdmin: false });
    open.push(after);
    // Within the lease nobody touches it; once the lease runs out the new process sends it.
    expect(await after.deps.services.retryWorker.runOnce()).toBe(0);
    after.clock.advance(61_000);
    expect(await after.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await after.deps.repositories.invitations.findById(invitation.id)).toMatchObject({ status: 'sent', attempts: 2, lease_owner: null });
    expect(invitePosts().filter((entry) => entry.status === 200)).toHaveLength(1);
  });
});
