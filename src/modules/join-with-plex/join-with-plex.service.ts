import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError, isAppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { randomId } from '../../security/crypto.js';
import type { InviteLimits } from '../invitations/invite-limits.js';
import type { InvitationRow } from '../invitations/invitations.repository.js';
import type { JoinChecks } from './join-checks.js';
import {
  CANCELLED_MESSAGE,
  EXPIRED_MESSAGE,
  SLOW_MESSAGE,
  UNKNOWN_MESSAGE,
  type FriendAccount,
  type JoinPlexTv,
  type JoinState,
  type PlexJoinSubmitter,
  type StartedJoin,
  type StoredOutcome,
} from './join-with-plex.models.js';
import { WORKING_OUTCOME, type PlexJoinPinRow, type PlexJoinPinsRepository } from './plex-join-pins.repository.js';

/** plex.tv keeps a PIN 15 minutes; past that Helpr does not even ask. */
export const PIN_LIFETIME_MS = 15 * 60_000;
/** At most one plex.tv check per sign-in per second, however many tabs and instances poll. */
export const POLL_INTERVAL_MS = 1000;
/** An ended sign-in still answers its polls (and the return page) this long, then its row is deleted. */
export const KEEP_ENDED_MS = 15 * 60_000;
/** A poll that took the token and then died (a crashed instance) gives way after this. */
const WORKING_GRACE_MS = 60_000;

const WORKING = WORKING_OUTCOME;
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

const notFound = () => new AppError('join.not_found', UNKNOWN_MESSAGE, { status: 404 });

function parseOutcome(outcome: string | null): StoredOutcome | undefined {
  if (outcome === null) return undefined;
  try {
    return JSON.parse(outcome) as StoredOutcome;
  } catch {
    return { state: 'error', message: UNKNOWN_MESSAGE };
  }
}

/** The page's view of a stored outcome; undefined while the sign-in is still open. */
function stateOf(outcome: StoredOutcome | undefined): JoinState | undefined {
  switch (outcome?.state) {
    case undefined:
      return undefined;
    case 'working':
      return { state: 'waiting' };
    case 'done':
      return { state: 'done', redirect: `/requests/${outcome.invitationId}` };
    case 'expired':
      return { state: 'expired', message: EXPIRED_MESSAGE };
    case 'cancelled':
      return { state: 'cancelled', message: CANCELLED_MESSAGE };
    case 'error':
      return { state: 'error', message: outcome.message };
  }
}

/**
 * "Continue with Plex" for friends (issue 12, plex-api.md E9): a strong PIN made by Helpr's server,
 * polled by Helpr's server (never by the browser), and once plex.tv hands over the friend's token,
 * their account read with it and the request recorded by the invitations service, which shares and
 * accepts as one durable job. Each sign-in is a row, so any instance answers its polls; the token
 * lives only in this process's memory until it is handed over.
 */
export function createJoinWithPlex(deps: {
  pins: PlexJoinPinsRepository;
  plexTv: () => Promise<JoinPlexTv>;
  checks: JoinChecks;
  limits: Pick<InviteLimits, 'countRequest'>;
  submitter: PlexJoinSubmitter;
  /** The saved request (throws the friend's 404 for an unknown id). */
  findInvitation: (id: string) => Promise<Pick<InvitationRow, 'id' | 'status' | 'joined_with'>>;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}) {
  // Polls of one sign-in share one plex.tv check (the script every second, a second tab, the
  // return page); `lastAsked` spaces checks a second apart.
  const checking = new Map<string, Promise<JoinState>>();
  const lastAsked = new Map<string, number>();
  const now = () => deps.clock.now().getTime();

  async function find(id: string): Promise<PlexJoinPinRow> {
    const row = ID_PATTERN.test(id) ? await deps.pins.find(id) : undefined;
    if (!row) throw notFound();
    // Kept a while after it ended for the page's last polls; after that it is gone for good.
    if (Date.parse(row.expires_at) + KEEP_ENDED_MS <= now()) {
      await deps.pins.deleteExpired(new Date(now() - KEEP_ENDED_MS).toISOString());
      throw notFound();
    }
    return row;
  }

  /** Records an end (when the row is still at `expected`); answers whatever the row says afterwards. */
  async function settle(id: string, outcome: StoredOutcome, expected: string | null = null): Promise<JoinState> {
    if (await deps.pins.setOutcome(id, JSON.stringify(outcome), expected)) return stateOf(outcome)!;
    const row = await deps.pins.find(id);
    return stateOf(parseOutcome(row?.outcome ?? null)) ?? { state: 'waiting' };
  }

  async function readAccount(tv: JoinPlexTv, token: string): Promise<FriendAccount> {
    const account = await tv.getAccount(token);
    // plex.tv's `confirmed` (read by the Plex client where it knows it): absent means confirmed.
    const confirmed = (account as { confirmed?: boolean | null }).confirmed !== false;
    return { id: account.id, uuid: account.uuid, username: account.username, email: account.email ?? null, confirmed };
  }

  /** The friend approved: read who they are, record the request, remember where it is. */
  async function join(row: PlexJoinPinRow, tv: JoinPlexTv, token: string): Promise<JoinState> {
    let account: FriendAccount;
    try {
      account = await readAccount(tv, token);
    } catch (error) {
      if (isPlexError(error) && error.temporary) {
        // plex.tv hands the token out again on the next check: try once more then.
        await deps.pins.releaseWorking(row.id);
        return { state: 'waiting', message: SLOW_MESSAGE };
      }
      deps.logger.warn({ pin: row.id, kind: isPlexError(error) ? error.kind : undefined }, 'could not read the account of a friend who signed in with Plex');
      return settle(row.id, { state: 'error', message: 'Plex did not let Helpr read your account. Press Continue with Plex to try again.' }, WORKING);
    }
    try {
      const { invitation } = await deps.submitter.submitPlexJoin({
        account,
        friendToken: token,
        code: row.invite_code ?? undefined,
        rulesAccepted: row.rules_accepted === 1,
        clientIp: row.client_ip ?? '',
        userAgent: row.user_agent ?? undefined,
      });
      const outcome: StoredOutcome = { state: 'done', invitationId: invitation.id };
      await deps.pins.finish(row.id, JSON.stringify(outcome), invitation.id, WORKING);
      deps.logger.info({ pin: row.id, invitation: invitation.id }, 'a friend joined with Plex');
      return stateOf(outcome)!;
    } catch (error) {
      // A refusal for the friend (the code ran out meanwhile, the way was turned off): its words.
      if (isAppError(error) && error.expose) return settle(row.id, { state: 'error', message: error.message }, WORKING);
      deps.logger.error({ err: error, pin: row.id }, 'could not record a Plex join; the next poll tries again');
      await deps.pins.releaseWorking(row.id);
      return { state: 'waiting', message: 'Saving your request is taking longer than usual; still trying.' };
    }
  }

  async function askPlex(row: PlexJoinPinRow): Promise<JoinState> {
    const tv = await deps.plexTv();
    let token: string | null | undefined;
    try {
      token = (await tv.checkPin(Number(row.pin_id))).authToken;
    } catch (error) {
      if (isPlexError(error) && error.kind === 'not_found') return settle(row.id, { state: 'expired' });
      if (isPlexError(error) && error.temporary) return { state: 'waiting', message: SLOW_MESSAGE };
      throw error;
    }
    if (!token) return { state: 'waiting' };
    // One poll (of one instance) goes on with the token; a cancel that came first wins.
    if (!(await deps.pins.setOutcome(row.id, WORKING, null))) return stateOf(parseOutcome((await deps.pins.find(row.id))?.outcome ?? null)) ?? { state: 'waiting' };
    return join(row, tv, token);
  }

  return {
    /** Checks the way, code and rules, then makes the PIN; nothing is asked of plex.tv before the checks pass. */
    async start(input: { code: unknown; rulesAccepted: boolean; clientIp: string; userAgent: string | undefined; returnBase: string }): Promise<StartedJoin> {
      await deps.limits.countRequest(input.clientIp);
      const checked = await deps.checks.beforePlexJoin(input);
      await this.sweep();
      const tv = await deps.plexTv();
      const pin = await tv.createPin().catch((error: unknown) => {
        deps.logger.warn({ kind: isPlexError(error) ? error.kind : undefined }, 'plex.tv refused a PIN for Continue with Plex');
        throw new AppError('join.plex_unavailable', 'Plex cannot be reached right now. Wait a minute, then press Continue with Plex again.', { status: 502, expose: true, cause: error });
      });
      const id = randomId(16);
      const created = deps.clock.now();
      await deps.pins.insert({
        id,
        pin_id: String(pin.id),
        pin_code: pin.code,
        invite_code: checked.code?.code ?? null,
        rules_accepted: checked.rulesAccepted ? 1 : 0,
        invitation_id: null,
        outcome: null,
        client_ip: input.clientIp,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
        created_at: created.toISOString(),
        expires_at: new Date(created.getTime() + PIN_LIFETIME_MS).toISOString(),
      });
      const path = `/join-with-plex/${id}`;
      const returnUrl = `${path}/return`;
      return {
        id,
        authUrl: tv.authUrl(pin),
        redirectUrl: tv.authUrl(pin, `${input.returnBase}${returnUrl}`),
        statusUrl: `${path}/status`,
        cancelUrl: `${path}/cancel`,
        returnUrl,
      };
    },

    /** Where the sign-in stands; asks plex.tv at most once a second per sign-in. */
    async status(id: string): Promise<JoinState> {
      const row = await find(id);
      const outcome = parseOutcome(row.outcome);
      const expiresAt = Date.parse(row.expires_at);
      if (outcome && outcome.state !== 'working') return stateOf(outcome)!;
      if (outcome?.state === 'working') {
        return now() >= expiresAt + WORKING_GRACE_MS ? settle(id, { state: 'expired' }, WORKING) : { state: 'waiting' };
      }
      if (now() >= expiresAt) return settle(id, { state: 'expired' });
      const running = checking.get(id);
      if (running) return running;
      const last = lastAsked.get(id);
      if (last !== undefined && now() - last < POLL_INTERVAL_MS) return { state: 'waiting' };
      lastAsked.set(id, now());
      const check = askPlex(row).finally(() => checking.delete(id));
      checking.set(id, check);
      return check;
    },

    /**
     * The popup was closed before the sign-in finished. Plex is asked once more first (within the
     * once-a-second limit): a yes that came just before the window closed still counts.
     */
    async cancel(id: string): Promise<JoinState> {
      const current = await this.status(id);
      if (current.state !== 'waiting') return current;
      return settle(id, { state: 'cancelled' });
    },

    /**
     * What the return page's "Continue with Plex" posts again: the code and the rules acceptance the
     * friend gave minutes ago. Undefined once the sign-in is gone (the page links to the start instead).
     */
    async retryValues(id: string): Promise<{ code: string | undefined; rulesAccepted: boolean } | undefined> {
      const row = ID_PATTERN.test(id) ? await deps.pins.find(id) : undefined;
      return row ? { code: row.invite_code ?? undefined, rulesAccepted: row.rules_accepted === 1 } : undefined;
    },

    /** "Try again" on the result page: a Plex join still under way runs now (others: nothing to do). */
    async retryJoin(invitationId: string): Promise<void> {
      const invitation = await deps.findInvitation(invitationId);
      if (invitation.joined_with === 'plex' && invitation.status === 'pending') await deps.submitter.wakeJoin(invitation.id);
    },

    /** Deletes sign-ins that ended more than KEEP_ENDED_MS ago (run with each new sign-in). */
    async sweep(): Promise<number> {
      const cutoff = now() - KEEP_ENDED_MS - PIN_LIFETIME_MS;
      for (const [id, at] of lastAsked) if (at < cutoff) lastAsked.delete(id);
      return deps.pins.deleteExpired(new Date(now() - KEEP_ENDED_MS).toISOString());
    },
  };
}

export type JoinWithPlex = ReturnType<typeof createJoinWithPlex>;
