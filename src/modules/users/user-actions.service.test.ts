import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../../../test/helpers/app.js';
import { useSimulator } from '../../../test/helpers/plex-sim.js';
import { appWithFriends, OWNER } from '../../../test/helpers/user-friends.js';
import { isAppError } from '../../errors.js';
import { createUserActions } from './user-actions.service.js';
import { createUserActionRunner } from './user-action-runner.js';
import { createUserActionsRepository } from './user-actions.repository.js';

const DAY_MS = 86_400_000;

/** The owner's changes to someone's access: what is refused and why, the end of access and bulk edits (user-actions.service.ts). */
describe('user actions: refusals, end of access, bulk', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });

  /** The error an owner's call is refused with. */
  const refusal = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      if (isAppError(error)) return { code: error.code, status: error.status, message: error.message, fields: error.fields };
      throw error;
    }
    throw new Error('expected a refusal');
  };
  const expirySets = async (t: TestApp) => (await t.deps.services.audit.list({ page: 1, perPage: 100 })).entries.filter((entry) => entry.action === 'user.expiry_set');

  it('names the refusal: nobody with the id, a change under way, an action that does not apply now', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const actions = t.deps.services.userActions;
    expect(await refusal(actions.remove('nobody', OWNER))).toMatchObject({ code: 'user.not_found', status: 404, message: 'There is nobody with this id in the users list.' });
    expect(await refusal(actions.get('x'.repeat(65)))).toMatchObject({ code: 'user.not_found', status: 404 });
    expect(await refusal(actions.resend(alice, OWNER))).toMatchObject({ code: 'user.action_not_now', status: 409, message: 'alice has no invite waiting to be accepted (active). Nothing was changed.' });
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE' });
    await actions.remove(alice, OWNER);
    expect(await refusal(actions.setLibraries(alice, ['2'], OWNER))).toMatchObject({
      code: 'user.action_open',
      status: 409,
      message: "A change to alice's access is still under way. Wait for it to finish (the page shows it), then try again.",
    });
  });

  it('shows when a waiting change is tried next, and no next attempt once it is over', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'DELETE', times: 1 });
    const waiting = await t.deps.services.userActions.remove(alice, OWNER);
    expect(waiting.action).toMatchObject({ status: 'pending', nextAttemptAt: expect.stringMatching(/^2\d{3}-/) });
    expect(Date.parse(waiting.action.nextAttemptAt!)).toBeGreaterThan(t.clock.now().getTime());
    t.clock.advance(60 * 60_000);
    await t.deps.services.userActionsPass();
    const [done] = (await t.deps.services.userActions.get(alice)).recent;
    expect(done).toMatchObject({ status: 'done', nextAttemptAt: null, doneAt: t.clock.now().toISOString() });
  });

  it('takes an end of access only as a future date and time, audited with the old and new end', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const actions = t.deps.services.userActions;
    const now = t.clock.now().getTime();
    for (const value of ['next week', 'December 24, 2030', ' 2030-12-24T18:00:00Z', '2030-13-45T00:00:00Z']) {
      expect(await refusal(actions.setExpiry(alice, value, OWNER))).toEqual({
        code: 'user.invalid_expiry',
        status: 400,
        message: 'Give the end of access as a date and time like 2026-12-24T18:00:00Z.',
        fields: { expiresAt: 'Use a date and time like 2026-12-24T18:00:00Z.' },
      });
    }
    expect(await refusal(actions.setExpiry(alice, new Date(now).toISOString(), OWNER))).toEqual({
      code: 'user.expiry_past',
      status: 400,
      message: 'The end of access must be in the future; to end it now, remove the access.',
      fields: { expiresAt: 'Choose a moment in the future.' },
    });
    const end = new Date(now + 1).toISOString();
    expect(await actions.setExpiry(bob, '2030-12-24T18:00:00+01:00', OWNER)).toMatchObject({ expiresAt: '2030-12-24T17:00:00.000Z' });
    expect(await actions.setExpiry(alice, end, OWNER)).toMatchObject({ expiresAt: end });
    expect(await actions.setExpiry(alice, null, OWNER)).toMatchObject({ expiresAt: null });
    const entries = (await expirySets(t)).map((entry) => ({ actor: entry.actor, target: entry.target, details: entry.details }));
    expect(entries).toHaveLength(3);
    expect(entries).toEqual(expect.arrayContaining([
      { actor: 'owner', target: 'alice', details: { userId: alice, from: end, to: null } },
      { actor: 'owner', target: 'alice', details: { userId: alice, from: null, to: end } },
      { actor: 'owner', target: 'bob', details: { userId: bob, from: null, to: '2030-12-24T17:00:00.000Z' } },
    ]));

    await actions.remove(alice, OWNER);
    expect(await refusal(actions.setExpiry(alice, end, OWNER))).toMatchObject({ code: 'user.action_not_now', status: 409, message: 'alice has no access whose end could be set (removed). Give it back first.' });
  });

  it('bulk removal: skips nobody, those without access, and those with a change under way', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const actions = t.deps.services.userActions;
    await actions.remove(bob, OWNER);
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'PUT' });
    ctx.sim.control.addFault({ kind: 'status', status: 503, method: 'POST' });
    expect(await actions.setLibraries(alice, ['2'], OWNER)).toMatchObject({ action: { status: 'pending' } });
    expect(await actions.bulkRemove(['nobody', bob, alice], OWNER)).toEqual({
      changed: 0,
      skipped: [
        { id: bob, name: 'bob', reason: 'has no access or invite to remove' },
        { id: alice, name: 'alice', reason: 'a change to their access is still under way' },
      ],
    });
  });

  it('bulk extension: 1 to 3650 whole days, from the end or from now when it passed; pending counts, removed does not', async () => {
    const { t, alice, bob } = await appWithFriends(ctx.sim, open);
    const actions = t.deps.services.userActions;
    for (const days of [0, 3651, 1.5]) {
      expect(await refusal(actions.bulkExtend([alice], days, OWNER))).toEqual({
        code: 'user.invalid_days',
        status: 400,
        message: 'Extend by a whole number of days from 1 to 3650.',
        fields: { days: 'A whole number from 1 to 3650.' },
      });
    }
    const now = t.clock.now().getTime();
    const soon = new Date(now + 60_000).toISOString();
    await actions.setExpiry(alice, soon, OWNER);
    await actions.setExpiry(bob, soon, OWNER);
    t.clock.advance(120_000);
    // alice's end has passed (the expiry job has not run yet): from now. bob is pending: extended too.
    expect(await actions.bulkExtend([alice, bob, 'nobody'], 1, OWNER)).toEqual({ changed: 2, skipped: [] });
    expect((await actions.get(alice)).user.expiresAt).toBe(new Date(now + 120_000 + DAY_MS).toISOString());
    expect((await actions.get(bob)).user.expiresAt).toBe(new Date(now + 120_000 + DAY_MS).toISOString());
    expect(await actions.bulkExtend([bob], 3650, OWNER)).toEqual({ changed: 1, skipped: [] });
    expect((await actions.get(bob)).user.expiresAt).toBe(new Date(now + 120_000 + DAY_MS + 3650 * DAY_MS).toISOString());
    const longest = new Date(now + 120_000 + 3651 * DAY_MS).toISOString();
    const audited = (await expirySets(t)).find((entry) => entry.details?.to === longest);
    expect(audited).toMatchObject({ actor: 'owner', target: 'bob', details: { userId: bob, from: new Date(now + 120_000 + DAY_MS).toISOString() } });

    await actions.remove(alice, OWNER);
    expect(await actions.bulkExtend([alice], 1, OWNER)).toEqual({ changed: 0, skipped: [{ id: alice, name: 'alice', reason: 'no access to extend (removed)' }] });
  });

  it('answers the owner when the change is done and leaves no timer behind', async () => {
    const { t, alice } = await appWithFriends(ctx.sim, open);
    const runner = createUserActionRunner({ actions: createUserActionsRepository(t.deps.database.db), users: t.deps.repositories.users, connection: t.deps.services.plexConnection, mapping: t.deps.services.libraryMapping, settings: t.deps.services.settings, clock: t.clock, logger: t.deps.logger });
    const service = createUserActions({ users: t.deps.repositories.users, actions: createUserActionsRepository(t.deps.database.db), runner, mapping: t.deps.services.libraryMapping, audit: t.deps.services.audit, clock: t.clock, logger: t.deps.logger, answerWithinMs: 3_600_000 });
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    expect(await service.remove(alice, OWNER)).toMatchObject({ action: { status: 'done' } });
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
