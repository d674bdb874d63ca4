import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { PlexError } from '../../plex/plex.errors.js';
import type { PlexAccount, PlexPin } from '../../plex/plex.schemas.js';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { DEFAULT_SETTINGS, type AppSettings } from '../settings/settings.service.js';
import { createJoinChecks } from './join-checks.js';
import { createJoinRulesRepository } from './join-rules.repository.js';
import { createJoinWithPlex, KEEP_ENDED_MS, PIN_LIFETIME_MS } from './join-with-plex.service.js';
import { CANCELLED_MESSAGE, EXPIRED_MESSAGE, type JoinPlexTv, type PlexJoinRequest } from './join-with-plex.models.js';
import { createPlexJoinPinsRepository } from './plex-join-pins.repository.js';

const FRIEND_TOKEN = 'friend-token-zz9';
const ACCOUNT: PlexAccount = { id: 4242, uuid: 'u-4242', username: 'alice', email: 'alice@example.com', title: 'Alice' };

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** plex.tv as the join sees it: PINs that wait until `approve`, then hand out the friend's token. */
function fakePlexTv() {
  let approved = false;
  let nextPin = 100;
  const tv = {
    account: { ...ACCOUNT } as PlexAccount & { confirmed?: boolean },
    createPin: vi.fn(async (): Promise<PlexPin> => ({ id: ++nextPin, code: `CODE${nextPin}`, authToken: null })),
    checkPin: vi.fn(async (id: number): Promise<PlexPin> => ({ id, code: 'x', authToken: approved ? FRIEND_TOKEN : null })),
    getAccount: vi.fn(async (token: string): Promise<PlexAccount> => {
      if (token !== FRIEND_TOKEN) throw new PlexError('invalid_token', 'refused');
      return tv.account;
    }),
    authUrl: (pin: Pick<PlexPin, 'code'>, forwardUrl?: string) => `https://app.plex.tv/auth#?code=${pin.code}${forwardUrl ? `&forwardUrl=${encodeURIComponent(forwardUrl)}` : ''}`,
    approve: () => (approved = true),
  };
  return tv;
}

describeDialects('Continue with Plex: the service (%s)', (dialect) => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase(dialect)));
  afterAll(() => database.close());

  let clock: ReturnType<typeof fixedClock>;
  let tv: ReturnType<typeof fakePlexTv>;
  let settings: AppSettings;
  let submitted: PlexJoinRequest[];
  let submit: ReturnType<typeof vi.fn>;
  let logs: unknown[];
  const limits = { countRequest: vi.fn(async () => {}), checkWrongCodes: vi.fn(async () => {}), recordWrongCode: vi.fn(async () => {}) };
  const codes = {
    checkCode: vi.fn(async (code: string) => {
      if (code !== 'GOOD-CODE') throw new AppError('invite.code_unknown', 'This invite code does not exist.', { status: 404, fields: { code: 'This invite code does not exist.' } });
      return { code: 'GOOD-CODE' } as never;
    }),
  };
  const wakeJoin = vi.fn(async () => true);
  const invitations: Record<string, { id: string; status: 'pending' | 'sent'; joined_with: 'plex' | 'email' }> = {};

  const make = () => {
    const log = (...args: unknown[]) => void logs.push(args);
    return createJoinWithPlex({
      pins: createPlexJoinPinsRepository(database.db),
      plexTv: async () => tv as JoinPlexTv,
      checks: createJoinChecks({ rules: createJoinRulesRepository(database.db), settings: { get: async () => settings }, codes, limits, clock }),
      limits,
      submitter: { submitPlexJoin: submit as never, wakeJoin },
      findInvitation: async (id) => {
        if (!invitations[id]) throw new AppError('invite.request_not_found', 'no', { status: 404 });
        return invitations[id]!;
      },
      clock,
      logger: { info: log, warn: log, error: log } as never,
    });
  };
  const start = (service: ReturnType<typeof make>, input: { code?: string; rulesAccepted?: boolean } = {}) =>
    service.start({ code: input.code ?? '', rulesAccepted: input.rulesAccepted ?? false, clientIp: '203.0.113.5', userAgent: 'test browser', returnBase: 'https://invite.example.com' });
  const pinRow = (id: string) => database.db.selectFrom('plex_join_pins').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeEach(async () => {
    clock = fixedClock('2026-11-24T12:00:00.000Z');
    tv = fakePlexTv();
    settings = { ...DEFAULT_SETTINGS };
    submitted = [];
    logs = [];
    submit = vi.fn(async (input: PlexJoinRequest) => {
      submitted.push(input);
      return { invitation: { id: `inv-${submitted.length}` } };
    });
    vi.clearAllMocks();
    await database.db.deleteFrom('plex_join_pins').execute();
  });

  it('makes a PIN only after the checks, and gives the popup and the no-JS redirect their addresses', async () => {
    const service = make();
    const started = await start(service);
    expect(limits.countRequest).toHaveBeenCalledWith('203.0.113.5');
    expect(started.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(started.authUrl).toBe('https://app.plex.tv/auth#?code=CODE101');
    expect(started.redirectUrl).toBe(`https://app.plex.tv/auth#?code=CODE101&forwardUrl=${encodeURIComponent(`https://invite.example.com/join-with-plex/${started.id}/return`)}`);
    expect(started).toMatchObject({ statusUrl: `/join-with-plex/${started.id}/status`, cancelUrl: `/join-with-plex/${started.id}/cancel` });
    expect(await pinRow(started.id)).toMatchObject({
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
    ['the way is off', () => void (settings.joinWays = 'email'), {}, 'join.way_off'],
    ['a code is required and missing', () => void (settings.joinMode = 'code'), {}, 'invite.code_required'],
    ['the code is wrong', () => {}, { code: 'NOPE' }, 'invite.code_unknown'],
    ['the rules are not accepted', () => void (settings.rulesRequired = true), {}, 'join.rules_not_accepted'],
  ])('refuses before asking plex.tv when %s', async (_name, arrange, input, code) => {
    arrange();
    await expect(start(make(), input)).rejects.toMatchObject({ code });
    expect(tv.createPin).not.toHaveBeenCalled();
  });

  it('counts a wrong code against the address, and keeps the code and the rules with the PIN', async () => {
    await expect(start(make(), { code: 'NOPE' })).rejects.toThrow();
    expect(limits.recordWrongCode).toHaveBeenCalledWith('203.0.113.5');
    settings.rulesRequired = true;
    const started = await start(make(), { code: ' GOOD-CODE ', rulesAccepted: true });
    expect(await pinRow(started.id)).toMatchObject({ invite_code: 'GOOD-CODE', rules_accepted: 1 });
  });

  it('says plainly when plex.tv cannot make a PIN', async () => {
    tv.createPin.mockRejectedValueOnce(new PlexError('upstream', 'down'));
    await expect(start(make())).rejects.toMatchObject({ code: 'join.plex_unavailable', status: 502, expose: true });
  });

  it('asks plex.tv at most once a second per sign-in, and once for polls that come together', async () => {
    const service = make();
    const { id } = await start(service);
    expect(await service.status(id)).toEqual({ state: 'waiting' });
    expect(await service.status(id)).toEqual({ state: 'waiting' });
    expect(tv.checkPin).toHaveBeenCalledTimes(1);
    clock.advance(999);
    await service.status(id);
    expect(tv.checkPin).toHaveBeenCalledTimes(1);
    clock.advance(1);
    const answer = deferred<PlexPin>();
    tv.checkPin.mockReturnValueOnce(answer.promise);
    const polls = [service.status(id), service.status(id), service.status(id)];
    answer.resolve({ id: 101, code: 'x', authToken: null });
    expect(await Promise.all(polls)).toEqual([{ state: 'waiting' }, { state: 'waiting' }, { state: 'waiting' }]);
    expect(tv.checkPin).toHaveBeenCalledTimes(2);
    expect(tv.checkPin).toHaveBeenLastCalledWith(101);
  });

  it('once approved: reads the account with the friend token, records the request, answers the same again', async () => {
    settings.rulesRequired = true;
    const service = make();
    const { id } = await start(service, { code: 'GOOD-CODE', rulesAccepted: true });
    tv.approve();
    expect(await service.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(tv.getAccount).toHaveBeenCalledWith(FRIEND_TOKEN);
    expect(submitted).toEqual([
      {
        account: { id: 4242, uuid: 'u-4242', username: 'alice', email: 'alice@example.com', confirmed: true },
        friendToken: FRIEND_TOKEN,
        code: 'GOOD-CODE',
        rulesAccepted: true,
        clientIp: '203.0.113.5',
        userAgent: 'test browser',
      },
    ]);
    const row = await pinRow(id);
    expect(row.invitation_id).toBe('inv-1');
    expect(JSON.stringify(row)).not.toContain(FRIEND_TOKEN);
    // A second poll (now or later, any tab) answers the same without asking anyone.
    clock.advance(5000);
    expect(await service.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(await make().status(id)).toEqual({ state: 'done', redirect: '/requests/inv-1' });
    expect(tv.checkPin).toHaveBeenCalledTimes(1);
    expect(submit).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logs)).not.toContain(FRIEND_TOKEN);
  });

  it('passes confirmed false only when plex.tv says so', async () => {
    tv.account = { ...ACCOUNT, email: undefined, confirmed: false };
    const service = make();
    const { id } = await start(service);
    tv.approve();
    await service.status(id);
    expect(submitted[0]!.account).toEqual({ id: 4242, uuid: 'u-4242', username: 'alice', email: null, confirmed: false });
  });

  it('lets one instance make the request when two poll the approved sign-in together', async () => {
    const [one, two] = [make(), make()];
    const { id } = await start(one);
    tv.approve();
    const slow = deferred<{ invitation: { id: string } }>();
    submit.mockReturnValueOnce(slow.promise);
    const first = one.status(id);
    await vi.waitFor(() => expect(submit).toHaveBeenCalledTimes(1));
    expect(await two.status(id)).toEqual({ state: 'waiting' });
    slow.resolve({ invitation: { id: 'inv-x' } });
    expect(await first).toEqual({ state: 'done', redirect: '/requests/inv-x' });
    expect(await two.status(id)).toEqual({ state: 'done', redirect: '/requests/inv-x' });
    expect(submit).toHaveBeenCalledTimes(1);
  });

  it('times out at 15 minutes by the clock, or when plex.tv no longer knows the PIN', async () => {
    const service = make();
    const late = await start(service);
    clock.advance(PIN_LIFETIME_MS);
    expect(await service.status(late.id)).toEqual({ state: 'expired', message: EXPIRED_MESSAGE });
    expect(tv.checkPin).not.toHaveBeenCalled();
    const gone = await start(service);
    tv.checkPin.mockRejectedValueOnce(new PlexError('not_found', 'Code not found or expired', { status: 404, code: 1020 }));
    expect(await service.status(gone.id)).toEqual({ state: 'expired', message: EXPIRED_MESSAGE });
    // An approval after that changes nothing.
    tv.approve();
    clock.advance(2000);
    expect(await service.status(gone.id)).toMatchObject({ state: 'expired' });
    expect(submit).not.toHaveBeenCalled();
  });

  it('keeps waiting through plex.tv hiccups', async () => {
    const service = make();
    const { id } = await start(service);
    tv.checkPin.mockRejectedValueOnce(new PlexError('upstream', 'busy', { status: 503 }));
    expect(await service.status(id)).toMatchObject({ state: 'waiting', message: 'Plex is slow to answer; still waiting.' });
    tv.approve();
    clock.advance(1000);
    expect(await service.status(id)).toMatchObject({ state: 'done' });
  });

  it('cancels a sign-in the friend closed; an approval afterwards is ignored, one before it wins', async () => {
    const service = make();
    const closed = await start(service);
    expect(await service.cancel(closed.id)).toEqual({ state: 'cancelled', message: CANCELLED_MESSAGE });
    tv.approve();
    clock.advance(1000);
    expect(await service.status(closed.id)).toEqual({ state: 'cancelled', message: CANCELLED_MESSAGE });
    expect(submit).not.toHaveBeenCalled();

    const done = await start(service);
    clock.advance(1000);
    expect(await service.status(done.id)).toMatchObject({ state: 'done' });
    expect(await service.cancel(done.id)).toMatchObject({ state: 'done' });
  });

  it('answers not found for an unknown, malformed or long-ended sign-in, and sweeps ended ones away', async () => {
    const service = make();
    await expect(service.status('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: 'join.not_found', status: 404 });
    await expect(service.status('../etc')).rejects.toMatchObject({ code: 'join.not_found' });
    await expect(service.cancel('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ code: 'join.not_found' });
    const old = await start(service);
    clock.advance(PIN_LIFETIME_MS + KEEP_ENDED_MS - 1);
    expect(await service.status(old.id)).toMatchObject({ state: 'expired' });
    const recent = await start(service);
    clock.advance(1);
    await expect(service.status(old.id)).rejects.toMatchObject({ code: 'join.not_found' });
    expect(await database.db.selectFrom('plex_join_pins').select('id').execute()).toEqual([{ id: recent.id }]);
    clock.advance(PIN_LIFETIME_MS + KEEP_ENDED_MS);
    expect(await service.sweep()).toBe(1);
  });

  it('tries the account again when plex.tv hiccups reading it; a refused token ends the sign-in', async () => {
    const service = make();
    const { id } = await start(service);
    tv.approve();
    tv.getAccount.mockRejectedValueOnce(new PlexError('timeout', 'slow'));
    expect(await service.status(id)).toMatchObject({ state: 'waiting' });
    expect((await pinRow(id)).outcome).toBeNull();
    clock.advance(1000);
    expect(await service.status(id)).toMatchObject({ state: 'done' });

    const refused = await start(service);
    tv.getAccount.mockRejectedValueOnce(new PlexError('invalid_token', 'no'));
    clock.advance(1000);
    expect(await service.status(refused.id)).toEqual({ state: 'error', message: 'Plex did not let Helpr read your account. Press Continue with Plex to try again.' });
  });

  it('shows a refusal of the request in its own words, and retries after an unexpected failure', async () => {
    const service = make();
    const usedUp = await start(service);
    tv.approve();
    submit.mockRejectedValueOnce(new AppError('invite.code_used_up', 'This invite code has already been used. Ask for a new one.', { status: 410 }));
    expect(await service.status(usedUp.id)).toEqual({ state: 'error', message: 'This invite code has already been used. Ask for a new one.' });

    const broken = await start(service);
    submit.mockRejectedValueOnce(new Error('database away'));
    clock.advance(1000);
    expect(await service.status(broken.id)).toMatchObject({ state: 'waiting' });
    clock.advance(1000);
    expect(await service.status(broken.id)).toMatchObject({ state: 'done' });
    expect(JSON.stringify(logs)).not.toContain(FRIEND_TOKEN);
  });

  it('gives the return page the code and rules acceptance to start again with', async () => {
    settings.rulesRequired = true;
    const service = make();
    const { id } = await start(service, { code: 'GOOD-CODE', rulesAccepted: true });
    expect(await service.retryValues(id)).toEqual({ code: 'GOOD-CODE', rulesAccepted: true });
    expect(await service.retryValues('AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });

  it('wakes a Plex join still under way on Try again, and nothing else', async () => {
    invitations.a = { id: 'a', status: 'pending', joined_with: 'plex' };
    invitations.b = { id: 'b', status: 'pending', joined_with: 'email' };
    invitations.c = { id: 'c', status: 'sent', joined_with: 'plex' };
    const service = make();
    for (const id of ['a', 'b', 'c']) await service.retryJoin(id);
    expect(wakeJoin.mock.calls).toEqual([['a']]);
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
