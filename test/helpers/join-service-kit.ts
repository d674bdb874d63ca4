import { beforeEach, vi } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { Db } from '../../src/db/database.js';
import { AppError } from '../../src/errors.js';
import { PlexError } from '../../src/plex/plex.errors.js';
import type { PlexAccount, PlexPin } from '../../src/plex/plex.schemas.js';
import { createJoinChecks } from '../../src/modules/join-with-plex/join-checks.js';
import { createJoinRulesRepository } from '../../src/modules/join-with-plex/join-rules.repository.js';
import { createJoinWithPlex } from '../../src/modules/join-with-plex/join-with-plex.service.js';
import type { JoinPlexTv, PlexJoinRequest } from '../../src/modules/join-with-plex/join-with-plex.models.js';
import { createPlexJoinPinsRepository } from '../../src/modules/join-with-plex/plex-join-pins.repository.js';
import { DEFAULT_SETTINGS, type AppSettings } from '../../src/modules/settings/settings.service.js';

export const FRIEND_TOKEN = 'friend-token-zz9';
export const ACCOUNT: PlexAccount = { id: 4242, uuid: 'u-4242', username: 'alice', email: 'alice@example.com', title: 'Alice' };

export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** plex.tv as the join sees it: PINs that wait until `approve`, then hand out the friend's token. */
export function fakePlexTv() {
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

/**
 * The Continue with Plex service over a real database, with a fake plex.tv, a fixed clock and a
 * fake invitations service; everything fresh before each test (the pins table emptied).
 */
export function useJoinService(db: () => Db) {
  const h = {
    clock: fixedClock('2026-11-24T12:00:00.000Z'),
    tv: fakePlexTv(),
    settings: { ...DEFAULT_SETTINGS } as AppSettings,
    submitted: [] as PlexJoinRequest[],
    submit: vi.fn(),
    logs: [] as unknown[],
    limits: { countRequest: vi.fn(async () => {}), checkWrongCodes: vi.fn(async () => {}), recordWrongCode: vi.fn(async () => {}) },
    codes: {
      checkCode: vi.fn(async (code: string) => {
        if (code !== 'GOOD-CODE') throw new AppError('invite.code_unknown', 'This invite code does not exist.', { status: 404, fields: { code: 'This invite code does not exist.' } });
        return { code: 'GOOD-CODE' } as never;
      }),
    },
    wakeJoin: vi.fn(async () => true),
    invitations: {} as Record<string, { id: string; status: 'pending' | 'sent'; joined_with: 'plex' | 'email' }>,
    make() {
      const log = (...args: unknown[]) => void h.logs.push(args);
      return createJoinWithPlex({
        pins: createPlexJoinPinsRepository(db()),
        plexTv: async () => h.tv as JoinPlexTv,
        checks: createJoinChecks({ rules: createJoinRulesRepository(db()), settings: { get: async () => h.settings }, codes: h.codes, limits: h.limits, clock: h.clock }),
        limits: h.limits,
        submitter: { submitPlexJoin: h.submit as never, wakeJoin: h.wakeJoin },
        findInvitation: async (id) => {
          if (!h.invitations[id]) throw new AppError('invite.request_not_found', 'no', { status: 404 });
          return h.invitations[id]!;
        },
        clock: h.clock,
        logger: { info: log, warn: log, error: log } as never,
      });
    },
    start(service: ReturnType<typeof createJoinWithPlex>, input: { code?: string; rulesAccepted?: boolean } = {}) {
      return service.start({ code: input.code ?? '', rulesAccepted: input.rulesAccepted ?? false, clientIp: '203.0.113.5', userAgent: 'test browser', returnBase: 'https://invite.example.com' });
    },
    pinRow: (id: string) => db().selectFrom('plex_join_pins').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
  };
  beforeEach(async () => {
    vi.clearAllMocks();
    h.clock = fixedClock('2026-11-24T12:00:00.000Z');
    h.tv = fakePlexTv();
    h.settings = { ...DEFAULT_SETTINGS };
    h.submitted = [];
    h.logs = [];
    h.invitations = {};
    h.submit = vi.fn(async (input: PlexJoinRequest) => {
      h.submitted.push(input);
      return { invitation: { id: `inv-${h.submitted.length}` } };
    });
    await db().deleteFrom('plex_join_pins').execute();
  });
  return h;
}
