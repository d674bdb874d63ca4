import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { PlexError } from '../../plex/plex.errors.js';
import type { PlexPin } from '../../plex/plex.schemas.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { ACCOUNT, deferred, FRIEND_TOKEN, useJoinService } from '../../../test/helpers/join-service-kit.js';
import { PIN_LIFETIME_MS } from './join-with-plex.service.js';

describeDialects('Continue with Plex: starting and polling (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase(dialect)));
  afterAll(() => database.close());
  const h = useJoinService(() => database.db);

  it('makes a PIN only after the checks, and gives the popup and the no-JS redirect their addresses', async () => {
    const service = h.make();
    const started = await h.start(service);
    expect(h.limits.countRequest).toHaveBeenCalledWith('203.0.113.5');
    expect(started.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(started.authUrl).toBe('https://app.plex.tv/auth#?code=CODE101');
    expect(started.redirectUrl).toBe(`https://app.plex.tv/auth#?code=CODE101&forwardUrl=${encodeURIComponent(`https://invite.example.com/join-with-plex/${started.id}/return`)}`);
    expect(started).toMatchObject({ statusUrl: `/join-with-plex/${started.id}/status`, cancelUrl: `/join-with-plex/${started.id}/cancel` });
    expect(await h.pinRow(started.id)).toMatchObject({
      pin_id: '101',
      pin_code: 'CODE101',
      invite_code: null,
      rules_accepted: 0,
      outcome: null,
      client_ip: '203.0.113.5',
      created_at: '2026-11-24T12:00:00.000Z',
      expires_at: new Date(Date.parse('2026-11-24T12:00:00.000Z') + PIN_LIFETIME_MS).toISOString(),
    });
  });

  it.each([
    ['the way is off', () => void (h.settings.joinWays = 'email'), {}, 'join.way_off'],
    ['a code is required and missing', () => void (h.settings.joinMode = 'code'), {}, 'invite.code_required'],
    ['the code is wrong', () => {}, { code: 'NOPE' }, 'invite.code_unknown'],
    ['the rules are not accepted', () => void (h.settings.rulesRequired = true), {}, 'join.rules_not_accepted'],
  ])('refuses before asking plex.tv when %s', async (_name, arrange, input, code) => {
    arrange();
    await expect(h.start(h.make(), input)).rejects.toMatchObject({ code });
    expect(h.tv.createPin).not.toHaveBeenCalled();
  });

  it('counts a wrong code against the address, and keeps the code and the rules with the PIN', async () => {
    await expect(h.start(h.make(), { code: 'NOPE' })).rejects.toThrow();
    expect(h.limits.recordWrongCode).toHaveBeenCalledWith('203.0.113.5');
    h.settings.rulesRequired = true;
    const started = await h.start(h.make(), { code: ' GOOD-CODE ', rulesAccepted: true });
    expect(await h.pinRow(started.id)).toMatchObject({ invite_code: 'GOOD-CODE', rules_accepted: 1 });
  });

  it('says plainly when plex.tv cannot h.make a PIN', async () => {
    h.tv.createPin.mockRejectedValueOnce(new PlexError('upstream', 'down'));
    await expect(h.start(h.make())).rejects.toMatchObject({ code: 'join.plex_unavailable', status: 502, expose: true });
  });

  it('asks plex.tv at most once a second per sign-in, and once for polls that come together', async () => {
    const service = h.make();
    const { id } = await h.start(service);
    expect(await service.status(id)).toEqual({ state: 'waiting' });
    expect(await service.status(id)).toEqual({ state: 'waiting' });
    expect(h.tv.checkPin).toHaveBeenCalledTimes(1);
    h.clock.advance(999);
    await service.status(id);
    expect(h.tv.checkPin).toHaveBeenCalledTimes(1);
    h.clock.advance(1);
    const answer = deferred<PlexPin>();
    h.tv.checkPin.mockReturnValueOnce(answer.promise);
    const polls = [service.status(id), service.status(id), service.status(id)];
    answer.resolve({ id: 101, code: 'x', authToken: null });
    expect(await Promise.all(polls)).toEqual([{ state: 'waiting' }, { state: 'waiting' }, { state: 'waiting' }]);
    expect(h.tv.checkPin).toHaveBeenCalledTimes(2);
    expect(h.tv.checkPin).toHaveBeenLastCalledWith(101);
  });

  it('once approved: reads the account with the friend token, records the request, answers the same again', async () => {
    h.settings.rulesRequired = true;
    const service = h.make();
    const { id } = await h.start(service, { code: 'GOOD-CODE', rulesAccepted: true });
    h.tv.approve();
    expect(await service.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(h.tv.getAccount).toHaveBeenCalledWith(FRIEND_TOKEN);
    expect(h.submitted).toEqual([
      {
        account: { id: 4242, uuid: 'u-4242', username: 'alice', email: 'alice@example.com', confirmed: true },
        friendToken: FRIEND_TOKEN,
        code: 'GOOD-CODE',
        rulesAccepted: true,
        clientIp: '203.0.113.5',
        userAgent: 'test browser',
      },
    ]);
    const row = await h.pinRow(id);
    expect(row.invitation_id).toBe('inv-1');
    expect(JSON.stringify(row)).not.toContain(FRIEND_TOKEN);
    // A second poll (now or later, any tab) answers the same without asking anyone.
    h.clock.advance(5000);
    expect(await service.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(await h.make().status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(h.tv.checkPin).toHaveBeenCalledTimes(1);
    expect(h.submit).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(h.logs)).not.toContain(FRIEND_TOKEN);
  });

  it('passes confirmed false only when plex.tv says so', async () => {
    h.tv.account = { ...ACCOUNT, email: undefined, confirmed: false };
    const service = h.make();
    const { id } = await h.start(service);
    h.tv.approve();
    await service.status(id);
    expect(h.submitted[0]!.account).toEqual({ id: 4242, uuid: 'u-4242', username: 'alice', email: null, confirmed: false });
  });

  it('lets one instance h.make the request when two poll the approved sign-in together', async () => {
    const [one, two] = [h.make(), h.make()];
    const { id } = await h.start(one);
    h.tv.approve();
    const slow = deferred<{ invitation: { id: string } }>();
    h.submit.mockReturnValueOnce(slow.promise);
    const first = one.status(id);
    await vi.waitFor(() => expect(h.submit).toHaveBeenCalledTimes(1));
    expect(await two.status(id)).toEqual({ state: 'waiting' });
    slow.resolve({ invitation: { id: 'inv-x' } });
    expect(await first).toEqual({ state: 'done', redirect: '/requests/inv-x' });
    expect(await two.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-x' });
    expect(h.submit).toHaveBeenCalledTimes(1);
  });

});
