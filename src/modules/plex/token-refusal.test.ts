import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir, testConfig, type TestApp } from '../../../test/helpers/app.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { simulatorEnv, useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { fixedClock } from '../../clock.js';
import { createDeps } from '../../deps.js';
import { startServer } from '../../server.js';

const T0 = '2026-11-24T12:00:00.000Z';
const MINUTE = 60_000;
const OWNER = { name: 'owner', type: 'admin', ip: null } as const;

/**
 * Requests that wait for a working Plex token go out as soon as the owner fixed it, however it was
 * fixed: a new PLEX_TOKEN and a restart, a connection test that passes again, or signing in with
 * Plex while a send with the old token is still under way.
 */
describe('requests waiting for a refused token', () => {
  const ctx = useSimulator();
  const open: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });

  async function ready(env: Record<string, string> = {}): Promise<TestApp> {
    const t = await createReadyApp(ctx.sim, { env });
    open.push(() => t.close());
    return t;
  }
  const submit = async (t: TestApp, email: string) =>
    (await t.deps.services.invitations.submit({ email, clientIp: '198.51.100.1', userAgent: undefined })).invitation.id;
  const row = (t: TestApp, id: string) => t.deps.repositories.invitations.findById(id);
  const dueNow = async (t: TestApp, id: string) => (await row(t, id))!.next_attempt_at! <= t.clock.now().toISOString();

  it('PLEX_TOKEN replaced and Helpr restarted: the waiting requests are due at start, not after their long wait', async () => {
    const database = `sqlite:${path.join(tempDir('helpr-token-env-'), 'helpr.db')}`;
    const before = await ready({ DATABASE_URL: database });
    ctx.sim.control.expireToken(ctx.sim.ownerToken);
    const id = await submit(before, 'ann@example.com');
    expect(await row(before, id)).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
    expect(await dueNow(before, id)).toBe(false);
    expect(await before.deps.services.tokenRefusals.current()).toMatchObject({ source: 'environment', waiting: 1 });
    await open.pop()!();

    // A restart with the same refused token changes nothing...
    const same = await startOn(database, ctx.sim.ownerToken);
    expect(await dueNow(same, id)).toBe(false);
    expect(await same.deps.services.tokenRefusals.current()).toMatchObject({ waiting: 1 });
    await open.pop()!();

    // ...one with the new token sends the request within seconds (the banner goes too).
    const after = await startOn(database, ctx.sim.control.issueToken().token);
    expect(await dueNow(after, id)).toBe(true);
    expect(await after.deps.services.tokenRefusals.current()).toBeUndefined();
    expect(await after.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(after, id)).toMatchObject({ status: 'sent', error_kind: null });
  });

  /** Helpr as `npm start` starts it (startServer), on the same database, with this PLEX_TOKEN. */
  async function startOn(database: string, token: string): Promise<TestApp> {
    const clock = fixedClock(T0);
    const config = testConfig({ ...simulatorEnv(ctx.sim), DATABASE_URL: database, PLEX_TOKEN: token, PORT: '0', HOST: '127.0.0.1' });
    const deps = await createDeps(config, { clock, logger: pino({ level: 'silent' }) });
    const server = await startServer(config, { deps, retryWorker: false, announce: false });
    const t: TestApp = { app: server.app, deps, clock, close: () => server.close() };
    open.push(() => t.close());
    return t;
  }

  it('a connection test that passes again (plex.tv let a revoked token back in) sends the waiting requests', async () => {
    const t = await ready();
    ctx.sim.control.revokeToken(ctx.sim.ownerToken);
    const id = await submit(t, 'ben@example.com');
    expect(await row(t, id)).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
    expect(await dueNow(t, id)).toBe(false);

    ctx.sim.control.restoreToken(ctx.sim.ownerToken);
    t.clock.advance(MINUTE);
    expect((await t.deps.services.connectionTests.run()).ok).toBe(true);
    expect(await dueNow(t, id)).toBe(true);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, id)).toMatchObject({ status: 'sent' });
  });

  it('signing in while a send with the old token is under way: its refusal, written after the wake, does not keep it waiting', async () => {
    const t = await ready({ PLEX_TOKEN: '' });
    await t.deps.services.plexConnection.saveToken(ctx.sim.ownerToken);
    ctx.sim.control.expireToken(ctx.sim.ownerToken);
    const repo = t.deps.repositories.invitations;
    await repo.insert(invitationRow({ id: 'in-flight', identifier: 'cai@example.com', status: 'pending', libraries: '[]', next_attempt_at: T0, created_at: T0 }));

    // The order that loses the request: Plex refuses the old token and the send decides to wait
    // for the owner; the owner signs in (saving the token wakes every waiting request); only then
    // is the send's wait written.
    const complete = repo.complete.bind(repo);
    vi.spyOn(repo, 'complete').mockImplementationOnce(async (...args) => {
      expect(args[2]).toMatchObject({ error_kind: 'invalid_token' });
      await t.deps.services.plexSignIn.connectToken(ctx.sim.control.issueToken().token, OWNER);
      return complete(...args);
    });
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, 'in-flight')).toMatchObject({ status: 'pending', error_kind: 'invalid_token' });
    expect(await dueNow(t, 'in-flight')).toBe(true);
    expect(await t.deps.services.tokenRefusals.current()).toBeUndefined();

    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await row(t, 'in-flight')).toMatchObject({ status: 'sent' });
  });

  it('a refusal of the token still in use keeps the request waiting its long wait', async () => {
    const t = await ready();
    ctx.sim.control.expireToken(ctx.sim.ownerToken);
    const id = await submit(t, 'dee@example.com');
    const waiting = (await row(t, id))!;
    expect(Date.parse(waiting.next_attempt_at!) - Date.parse(waiting.updated_at)).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(await t.deps.services.tokenRefusals.resumeIfReplaced()).toBe(0);
    expect(await dueNow(t, id)).toBe(false);
  });
});
