import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { createReadyApp } from '../../../test/helpers/ready-app.js';
import { TEST_DATABASE_URL } from '../../../test/helpers/services.js';
import type { JoinMode } from '../settings/join-mode.js';
import type { PlexJoinInput } from './invitations.service.js';

const OWNER = { name: 'owner', type: 'admin' as const, ip: null };

/**
 * The friend's Plex token is used only by their join job: sealed at rest with the secret key, and
 * gone from the database once the job ends, whichever way (accepted, declined, revoked, or left over).
 */
describeDialects("the friend's token on %s", (dialect) => {
  const ctx = useSimulator();
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  async function ready(joinMode: JoinMode = 'open'): Promise<TestApp> {
    let env: Record<string, string> = {};
    if (dialect === 'postgres') {
      const database: TestDatabase = await createTestDatabase('postgres', { migrate: false });
      open.push(database);
      const url = new URL(TEST_DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${database.schema}`);
      env = { DATABASE_URL: url.toString() };
    }
    const t = await createReadyApp(ctx.sim, { env, joinMode });
    open.push(t);
    return t;
  }

  /** A friend whose email is not confirmed yet (their job waits with the token stored), and their token. */
  function unconfirmedFriend() {
    const account = ctx.sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    // A token as plex.tv hands them out (random), so finding it anywhere means it was stored.
    const { token } = ctx.sim.control.issueToken('newbie');
    return { account: { id: account.id, uuid: account.uuid, username: 'newbie', email: 'newbie@example.com', confirmed: false }, token };
  }

  const join = (t: TestApp, input: Pick<PlexJoinInput, 'account' | 'friendToken'>) =>
    t.deps.services.invitations.submitPlexJoin({ ...input, rulesAccepted: false, clientIp: '198.51.100.1', userAgent: 'vitest' });
  const sealedOf = (t: TestApp, id: string) => t.deps.repositories.friendTokens.find(id);
  const statusOf = async (t: TestApp, id: string) => (await t.deps.repositories.invitations.findById(id))?.status;

  /** Every value of every row of every table (Kysely's own included), as text. */
  async function everything(t: TestApp): Promise<Array<{ table: string; text: string }>> {
    const db = t.deps.database.db;
    const schema = dialect === 'postgres' ? (await sql<{ name: string }>`select current_schema() as name`.execute(db)).rows[0]!.name : undefined;
    const tables = (await db.introspection.getTables({ withInternalKyselyTables: true })).filter((table) => table.schema === schema);
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['invitations', 'friend_tokens', 'plex_join_pins', 'audit_log', 'settings', 'kysely_migration']));
    const found: Array<{ table: string; text: string }> = [];
    for (const table of tables) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const rows = await db.selectFrom(table.name as any).selectAll().execute();
      for (const row of rows) found.push({ table: table.name, text: JSON.stringify(row) });
    }
    return found;
  }

  it('is stored sealed (never as is) while the job waits, and found nowhere in any table once it ended', async () => {
    const t = await ready();
    const friend = unconfirmedFriend();
    const { invitation } = await join(t, { account: friend.account, friendToken: friend.token });
    expect(invitation).toMatchObject({ status: 'pending', error_kind: 'friend_unconfirmed' });
    const sealed = await sealedOf(t, invitation.id);
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(friend.token);
    expect(t.deps.secretBox.decrypt(sealed!)).toBe(friend.token);
    // While it waits, the token is in friend_tokens (sealed) and nowhere else, in no form.
    const waiting = await everything(t);
    expect(waiting.filter((entry) => entry.text.includes(friend.token))).toEqual([]);
    expect(waiting.filter((entry) => entry.text.includes(sealed!)).map((entry) => entry.table)).toEqual(['friend_tokens']);

    ctx.sim.control.confirmAccount('newbie');
    expect(await t.deps.services.invitations.wakeJoin(invitation.id)).toBe(true);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(1);
    expect(await statusOf(t, invitation.id)).toBe('accepted');
    const after = await everything(t);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((entry) => entry.text.includes(friend.token) || entry.text.includes(sealed!))).toEqual([]);
    expect(after.filter((entry) => entry.table === 'friend_tokens')).toEqual([]);
  });

  it('waits with the request for the owner (approval), goes when they decline, and serves the job when they approve', async () => {
    const t = await ready('approval');
    const first = unconfirmedFriend();
    const declined = (await join(t, { account: { ...first.account, confirmed: true }, friendToken: first.token })).invitation;
    expect(declined.status).toBe('awaiting_approval');
    expect(await sealedOf(t, declined.id)).toBeDefined();
    await t.deps.services.adminInvitations.decline(declined.id, OWNER);
    expect(await statusOf(t, declined.id)).toBe('declined');
    expect(await sealedOf(t, declined.id)).toBeUndefined();
    // Nothing was shared or accepted for a declined request.
    expect(ctx.sim.control.state().shares).toEqual([]);

    const friend = { id: 22526914, uuid: 'f1e2d3c4b5a69788', username: 'friend', email: 'friend@example.com', confirmed: true };
    const approved = (await join(t, { account: friend, friendToken: 'friend-token' })).invitation;
    expect(await sealedOf(t, approved.id)).toBeDefined();
    await t.deps.services.adminInvitations.approve(approved.id, OWNER);
    expect(await statusOf(t, approved.id)).toBe('accepted');
    expect(await sealedOf(t, approved.id)).toBeUndefined();
  });

  it('goes when the owner revokes a join still waiting, and the job records nothing after', async () => {
    const t = await ready();
    const friend = unconfirmedFriend();
    const { invitation } = await join(t, { account: friend.account, friendToken: friend.token });
    expect(await sealedOf(t, invitation.id)).toBeDefined();
    const { removedFromPlex } = await t.deps.services.adminInvitations.revokeAccess(invitation.id, OWNER);
    expect(removedFromPlex).toBe(true);
    expect(await statusOf(t, invitation.id)).toBe('revoked');
    expect(await sealedOf(t, invitation.id)).toBeUndefined();
    expect(await t.deps.services.invitations.wakeJoin(invitation.id)).toBe(false);
    expect(await t.deps.services.retryWorker.runOnce()).toBe(0);
  });

  it('a token left behind by any other way out is swept by the next worker pass', async () => {
    const t = await ready();
    const friend = unconfirmedFriend();
    const { invitation } = await join(t, { account: friend.account, friendToken: friend.token });
    // Say an older version, or a hand-made fix in the database, ended the request without the token.
    await t.deps.database.db.updateTable('invitations').set({ status: 'sent', next_attempt_at: null }).where('id', '=', invitation.id).execute();
    expect(await sealedOf(t, invitation.id)).toBeDefined();
    expect(await t.deps.services.retryWorker.runOnce()).toBe(0);
    expect(await sealedOf(t, invitation.id)).toBeUndefined();
  });
});
