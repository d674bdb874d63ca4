import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { PlexError } from '../../plex/plex.errors.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { FRIEND_TOKEN, fakePlexTv, useJoinService } from '../../../test/helpers/join-service-kit.js';
import { createJoinWithPlex, KEEP_ENDED_MS, PIN_LIFETIME_MS } from './join-with-plex.service.js';
import { CANCELLED_MESSAGE, EXPIRED_MESSAGE, type JoinPlexTv } from './join-with-plex.models.js';
import { createPlexJoinPinsRepository } from './plex-join-pins.repository.js';

describeDialects('Continue with Plex: how a sign-in ends (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase(dialect)));
  afterAll(() => database.close());
  const h = useJoinService(() => database.db);

  it('times out at 15 minutes by the h.clock, or when plex.tv no longer knows the PIN', async () => {
    const service = h.make();
    const late = await h.start(service);
    h.clock.advance(PIN_LIFETIME_MS);
    expect(await service.status(late.id)).toEqual({ state: 'expired', message: EXPIRED_MESSAGE });
    expect(h.tv.checkPin).not.toHaveBeenCalled();
    const gone = await h.start(service);
    h.tv.checkPin.mockRejectedValueOnce(new PlexError('not_found', 'Code not found or expired', { status: 404, code: 1020 }));
    expect(await service.status(gone.id)).toEqual({ state: 'expired', message: EXPIRED_MESSAGE });
    // An approval after that changes nothing.
    h.tv.approve();
    h.clock.advance(2000);
    expect(await service.status(gone.id)).toMatchObject({ state: 'expired' });
    expect(h.submit).not.toHaveBeenCalled();
  });

  it('keeps waiting through plex.tv hiccups', async () => {
    const service = h.make();
    const { id } = await h.start(service);
    h.tv.checkPin.mockRejectedValueOnce(new PlexError('upstream', 'busy', { status: 503 }));
    expect(await service.status(id)).toMatchObject({ state: 'waiting', message: 'Plex is slow to answer; still waiting.' });
    h.tv.approve();
    h.clock.advance(1000);
    expect(await service.status(id)).toMatchObject({ state: 'done' });
  });

  it('cancels a sign-in the friend closed; an approval afterwards is ignored, one before it wins', async () => {
    const service = h.make();
    const closed = await h.start(service);
    expect(await service.cancel(closed.id)).toEqual({ state: 'cancelled', message: CANCELLED_MESSAGE });
    h.tv.approve();
    h.clock.advance(1000);
    expect(await service.status(closed.id)).toEqual({ state: 'cancelled', message: CANCELLED_MESSAGE });
    expect(h.submit).not.toHaveBeenCalled();

    const done = await h.start(service);
    h.clock.advance(1000);
    expect(await service.status(done.id)).toMatchObject({ state: 'done' });
    expect(await service.cancel(done.id)).toMatchObject({ state: 'done' });

    // Approved, then the window closed before any poll saw it: the cancel asks plex.tv and finds the yes.
    const justInTime = await h.start(service);
    expect(await service.cancel(justInTime.id)).toMatchObject({ state: 'done' });
    expect(h.submit).toHaveBeenCalledTimes(2);
  });

  it('answers not found for an unknown, malformed or long-ended sign-in, and sweeps ended ones away', async () => {
    const service = h.make();
    await expect(service.status('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: 'join.not_found', status: 404 });
    await expect(service.status('../etc')).rejects.toMatchObject({ code: 'join.not_found' });
    await expect(service.cancel('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: 'join.not_found' });
    const old = await h.start(service);
    h.clock.advance(PIN_LIFETIME_MS + KEEP_ENDED_MS - 1);
    expect(await service.status(old.id)).toMatchObject({ state: 'expired' });
    const recent = await h.start(service);
    h.clock.advance(1);
    await expect(service.status(old.id)).rejects.toMatchObject({ code: 'join.not_found' });
    expect(await database.db.selectFrom('plex_join_pins').select('id').execute()).toEqual([{ id: recent.id }]);
    h.clock.advance(PIN_LIFETIME_MS + KEEP_ENDED_MS);
    expect(await service.sweep()).toBe(1);
  });

  it('tries the account again when plex.tv hiccups reading it; a refused token ends the sign-in', async () => {
    const service = h.make();
    const { id } = await h.start(service);
    h.tv.approve();
    h.tv.getAccount.mockRejectedValueOnce(new PlexError('timeout', 'slow'));
    expect(await service.status(id)).toMatchObject({ state: 'waiting' });
    expect((await h.pinRow(id)).outcome).toBeNull();
    h.clock.advance(1000);
    expect(await service.status(id)).toMatchObject({ state: 'done' });

    const refused = await h.start(service);
    h.tv.getAccount.mockRejectedValueOnce(new PlexError('invalid_token', 'no'));
    h.clock.advance(1000);
    expect(await service.status(refused.id)).toEqual({ state: 'error', message: 'Plex did not let Helpr read your account. Press Continue with Plex to try again.' });
  });

  it('shows a refusal of the request in its own words, and retries after an unexpected failure', async () => {
    const service = h.make();
    const usedUp = await h.start(service);
    h.tv.approve();
    h.submit.mockRejectedValueOnce(new AppError('invite.code_used_up', 'This invite code has already been used. Ask for a new one.', { status: 410 }));
    expect(await service.status(usedUp.id)).toEqual({ state: 'error', message: 'This invite code has already been used. Ask for a new one.' });

    const broken = await h.start(service);
    h.submit.mockRejectedValueOnce(new Error('database away'));
    h.clock.advance(1000);
    expect(await service.status(broken.id)).toMatchObject({ state: 'waiting' });
    h.clock.advance(1000);
    expect(await service.status(broken.id)).toMatchObject({ state: 'done' });
    expect(JSON.stringify(h.logs)).not.toContain(FRIEND_TOKEN);
  });

  it("forgets plex.tv's PIN once a sign-in ended: with it and the stored client id, plex.tv hands out the friend's token", async () => {
    const service = h.make();
    const pinOf = async (id: string) => {
      const { pin_id, pin_code } = await h.pinRow(id);
      return { pin_id, pin_code };
    };
    const done = await h.start(service);
    expect((await pinOf(done.id)).pin_id).not.toBe('');
    h.tv.approve();
    expect(await service.status(done.id)).toMatchObject({ state: 'done' });
    const refused = await h.start(service);
    h.submit.mockRejectedValueOnce(new AppError('invite.code_used_up', 'Used up.', { status: 410 }));
    h.clock.advance(1000);
    expect(await service.status(refused.id)).toMatchObject({ state: 'error' });
    const closed = await h.start(service);
    h.tv.checkPin.mockResolvedValueOnce({ id: 1, code: 'x', authToken: null });
    h.clock.advance(1000);
    expect(await service.cancel(closed.id)).toMatchObject({ state: 'cancelled' });
    for (const id of [done.id, refused.id, closed.id]) expect(await pinOf(id)).toEqual({ pin_id: '', pin_code: '' });
    // The ended sign-ins still answer their polls, without asking plex.tv again.
    const asked = h.tv.checkPin.mock.calls.length;
    h.clock.advance(1000);
    expect(await service.status(done.id)).toMatchObject({ state: 'done' });
    expect(await service.status(closed.id)).toMatchObject({ state: 'cancelled' });
    expect(h.tv.checkPin.mock.calls.length).toBe(asked);
  });

  it('gives the return page the code and rules acceptance to h.start again with', async () => {
    h.settings.rulesRequired = true;
    const service = h.make();
    const { id } = await h.start(service, { code: 'GOOD-CODE', rulesAccepted: true });
    expect(await service.retryValues(id)).toEqual({ code: 'GOOD-CODE', rulesAccepted: true });
    expect(await service.retryValues('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });

  it('wakes a Plex join still under way on Try again, and nothing else', async () => {
    h.invitations.a = { id: 'a', status: 'pending', joined_with: 'plex' };
    h.invitations.b = { id: 'b', status: 'pending', joined_with: 'email' };
    h.invitations.c = { id: 'c', status: 'sent', joined_with: 'plex' };
    const service = h.make();
    for (const id of ['a', 'b', 'c']) await service.retryJoin(id);
    expect(h.wakeJoin.mock.calls).toEqual([['a']]);
    await expect(service.retryJoin('zzz')).rejects.toMatchObject({ status: 404 });
  });
});

describe('a sign-in whose poll died holding the token', () => {
  it('is taken as expired a minute after the PIN', async () => {
    const database = await createTestDatabase('sqlite');
    const clock = fixedClock('2026-11-24T12:00:00.000Z');
    const pins = createPlexJoinPinsRepository(database.db);
    const service = createJoinWithPlex({
      pins,
      plexTv: async () => fakePlexTv() as JoinPlexTv,
      checks: {} as never,
      limits: { countRequest: async () => {} },
      submitter: { submitPlexJoin: vi.fn(), wakeJoin: vi.fn() },
      findInvitation: vi.fn(),
      clock,
      logger: { info: vi.fn(), warn: vi.fn(), error: vi.fn() } as never,
    });
    const id = 'B'.repeat(22);
    await pins.insert({ id, pin_id: '1', pin_code: 'C', invite_code: null, rules_accepted: 0, invitation_id: null, outcome: '{"state":"working"}', client_ip: null, user_agent: null, created_at: '2026-11-24T12:00:00.000Z', expires_at: '2026-11-24T12:15:00.000Z' });
    clock.set('2026-11-24T12:15:59.999Z');
    expect(await service.status(id)).toEqual({ state: 'waiting' });
    clock.set('2026-11-24T12:16:00.000Z');
    expect(await service.status(id)).toMatchObject({ state: 'expired' });
    await database.close();
  });
});
