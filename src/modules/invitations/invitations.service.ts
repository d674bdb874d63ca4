import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { randomId } from '../../security/crypto.js';
import { termColumns } from '../access/access-terms.js';
import { codeTerms } from '../invite-codes/invite-codes.models.js';
import { newEvent } from '../notifications/notification-events.js';
import { createInviteCodesRepository } from '../invite-codes/invite-codes.repository.js';
import { claimCodeUse, recordCodeUse, type InviteCodesService, type InviteCodeView } from '../invite-codes/invite-codes.service.js';
import type { AppSettings, SettingsService } from '../settings/settings.service.js';
import type { InviteLimits } from './invite-limits.js';
import { parsePlexIdentifier } from './identifier.js';
import { createFriendTokensRepository } from './friend-tokens.repository.js';
import type { FriendTokens } from './friend-tokens.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import { plexJoinRow, type PlexJoinInput } from './plex-join-request.js';
import type { TurnGate } from './turn-gate.js';
import { completedColumns, createInvitationsRepository, type InvitationRow, type InvitationsRepository } from './invitations.repository.js';

export type { PlexJoinAccount, PlexJoinInput } from './plex-join-request.js';

export interface InviteRequestInput {
  email: unknown;
  code?: unknown;
  clientIp: string;
  userAgent: string | undefined;
  source?: InvitationRow['source'];
  /** Local library keys for this invitation instead of the code's or the default selection. */
  libraries?: string[];
}

const VALID_ID = /^[A-Za-z0-9_-]{10,64}$/;

export interface SubmitResult {
  invitation: InvitationRow;
  /** True when this was the same request again within the duplicate window (nothing new sent). */
  duplicate: boolean;
}

/**
 * The public invite request: validate, check the code, then in ONE transaction claim a code use and
 * record the invitation as pending (holding the sending lease). Only then ask Plex, bounded by a
 * timeout; whatever Plex answers later is still recorded, and the retry worker takes over anything
 * left pending. Nothing is lost between "saved" and "sent".
 */
/**
 * The access terms and permissions a new request is made under: its code's own, else the default
 * settings' now. Kept on the request, so a later change of either does not change what it gives.
 */
export function termsOf(code: InviteCodeView | undefined, settings: Pick<AppSettings, 'access' | 'sharing'>) {
  return {
    ...termColumns((code && codeTerms(code)) ?? settings.access),
    permissions: JSON.stringify(code?.permissions ?? settings.sharing),
  };
}

export function createInvitationsService(deps: {
  db: Db;
  invitations: InvitationsRepository;
  codes: InviteCodesService;
  settings: SettingsService;
  delivery: InvitationDelivery;
  /** Seals the friends' Plex tokens (Join with Plex). */
  friendTokens: Pick<FriendTokens, 'seal'>;
  limits: InviteLimits;
  clock: Clock;
  logger: Logger;
  /** How long the friend's page waits for Plex before answering "pending". */
  sendTimeoutMs?: number;
  /** Spreads a burst of submissions over turns of the event loop (see turn-gate.ts). */
  gate?: TurnGate;
}) {
  const sendTimeoutMs = deps.sendTimeoutMs ?? 6000;

  async function checkCode(input: unknown, required: boolean, clientIp: string): Promise<InviteCodeView | undefined> {
    const code = typeof input === 'string' ? input.trim() : '';
    if (code === '') {
      if (!required) return undefined;
      throw new AppError('invite.code_required', 'An invite code is needed. Ask the server owner for one.', { fields: { code: 'Type your invite code.' } });
    }
    await deps.limits.checkWrongCodes(clientIp);
    try {
      return await deps.codes.checkCode(code);
    } catch (error) {
      await deps.limits.recordWrongCode(clientIp);
      throw error;
    }
  }

  /**
   * One attempt at a request just recorded (its lease held), bounded by the friend's wait: whatever
   * Plex answers later is still recorded. Answers the row as it is when the wait ends.
   */
  async function deliverInTime(row: InvitationRow, leaseOwner: string): Promise<InvitationRow> {
    const delivered = deps.delivery.deliver(row, leaseOwner);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, sendTimeoutMs, 'timeout').unref());
    const result = await Promise.race([delivered, timer]);
    if (result === 'timeout') {
      deps.logger.info({ invitation: row.id }, 'Plex is slow: answering pending, the send goes on');
    }
    // Recorded in time: the row is known without reading it back. Otherwise read what is there now.
    if (result && result !== 'timeout') return { ...row, ...completedColumns(result) };
    return (await deps.invitations.findById(row.id)) ?? row;
  }

  /**
   * The same friend joined with Plex again within the duplicate window: while the earlier job may
   * still run, it gets the newer token (the old one may be signed out), and a pending one is due now.
   */
  async function rejoin(recent: InvitationRow, sealed: string, at: string): Promise<InvitationRow> {
    if (recent.status !== 'pending' && recent.status !== 'awaiting_approval') return recent;
    await createFriendTokensRepository(deps.db).replace(recent.id, sealed, at);
    if (recent.status === 'pending' && (await deps.invitations.wakeJoin(recent.id, at))) return { ...recent, next_attempt_at: at, updated_at: at };
    return recent;
  }

  return {
    async submit(input: InviteRequestInput): Promise<SubmitResult> {
      const turn = deps.gate?.pass();
      if (turn) await turn;
      const settings = await deps.settings.get();
      const identifier = parsePlexIdentifier(input.email);
      // The owner (admin page or API) invites on purpose: no code, and no duplicate window.
      const byOwner = input.source === 'admin' || input.source === 'api';
      const code = byOwner ? undefined : await checkCode(input.code, settings.joinMode === 'code', input.clientIp);
      const now = deps.clock.now();
      const since = new Date(now.getTime() - settings.limits.duplicateWindowMinutes * 60_000).toISOString();
      const recent = byOwner ? undefined : await deps.invitations.findRecentByIdentifier(identifier.normalized, since);
      if (recent) return { invitation: recent, duplicate: true };

      const at = now.toISOString();
      // Join mode "approval": a friend's request waits for the owner, unsent and without a lease
      // (the retry worker only claims pending ones); approving sends it (admin-invitations.service.ts).
      const awaitsOwner = !byOwner && settings.joinMode === 'approval';
      const lease = awaitsOwner ? undefined : deps.delivery.newLease(now);
      const row: InvitationRow = {
        id: randomId(16),
        identifier: identifier.value,
        identifier_normalized: identifier.normalized,
        identifier_kind: identifier.kind,
        source: input.source ?? 'public',
        code_id: code?.id ?? null,
        libraries: JSON.stringify(input.libraries ?? code?.libraries ?? settings.libraries),
        ...termsOf(code, settings),
        status: awaitsOwner ? 'awaiting_approval' : 'pending',
        attempts: awaitsOwner ? 0 : 1,
        last_error: null,
        error_kind: null,
        plex_share_id: null,
        next_attempt_at: awaitsOwner ? null : at,
        lease_owner: lease?.owner ?? null,
        lease_until: lease?.until ?? null,
        client_ip: input.clientIp,
        user_agent: input.userAgent?.slice(0, 300) ?? null,
        created_at: at,
        updated_at: at,
        sent_at: null,
        unconfirmed_since: null,
      };
      // The owner hears of a friend's request (notifications outbox); what they made themselves, not.
      const received = byOwner ? undefined : newEvent('request.received', { requestId: row.id, who: row.identifier, email: row.identifier_kind === 'email' ? row.identifier : null, via: 'email', code: code?.code ?? null, awaitsOwner }, at);
      if (code) {
        // The code use, the invitation and its event commit together, or none does.
        await deps.db.transaction().execute(async (trx) => {
          const codes = createInviteCodesRepository(trx);
          await claimCodeUse(codes, code.id, at);
          await createInvitationsRepository(trx).insert(row, received);
          await recordCodeUse(codes, { codeId: code.id, invitationId: row.id, nowIso: at });
        });
      } else {
        await deps.invitations.insert(row, received);
      }

      if (!lease) return { invitation: row, duplicate: false };
      return { invitation: await deliverInTime(row, lease.owner), duplicate: false };
    },

    /**
     * A friend signed in with Plex: record the request for their account (code checked as for the
     * email form), with their token sealed, in ONE transaction with the code use; then run the
     * job's first attempt (share, accept, verify) within the same wait as `submit`. The retry
     * worker carries on with anything left pending. In join mode "approval" it waits for the
     * owner, token kept. The same account again gets its request whose job may still run (at any
     * age: never two jobs for one account), else its latest within the duplicate window; a running
     * one's token is replaced by the new one.
     */
    async submitPlexJoin(input: PlexJoinInput): Promise<SubmitResult> {
      const turn = deps.gate?.pass();
      if (turn) await turn;
      const settings = await deps.settings.get();
      const code = await checkCode(input.code, settings.joinMode === 'code', input.clientIp);
      const now = deps.clock.now();
      const at = now.toISOString();
      const sealed = deps.friendTokens.seal(input.friendToken);
      const since = new Date(now.getTime() - settings.limits.duplicateWindowMinutes * 60_000).toISOString();
      const recent = await deps.invitations.findRecentPlexJoin(String(input.account.id), since);
      if (recent) return { invitation: await rejoin(recent, sealed, at), duplicate: true };

      const awaitsOwner = settings.joinMode === 'approval';
      const lease = awaitsOwner ? undefined : deps.delivery.newLease(now);
      const row = plexJoinRow(input, {
        id: randomId(16),
        code_id: code?.id ?? null,
        libraries: JSON.stringify(code?.libraries ?? settings.libraries),
        ...termsOf(code, settings),
        status: awaitsOwner ? 'awaiting_approval' : 'pending',
        attempts: awaitsOwner ? 0 : 1,
        next_attempt_at: awaitsOwner ? null : at,
        lease_owner: lease?.owner ?? null,
        lease_until: lease?.until ?? null,
        created_at: at,
      });
      // The request, its code use and the sealed token commit together, or none does.
      await deps.db.transaction().execute(async (trx) => {
        const codes = createInviteCodesRepository(trx);
        if (code) await claimCodeUse(codes, code.id, at);
        await createInvitationsRepository(trx).insert(row, newEvent('request.received', { requestId: row.id, who: row.identifier, email: input.account.email, via: 'plex', code: code?.code ?? null, awaitsOwner }, at));
        if (code) await recordCodeUse(codes, { codeId: code.id, invitationId: row.id, nowIso: at });
        await createFriendTokensRepository(trx).insert(row.id, sealed, at);
      });
      if (!lease) return { invitation: row, duplicate: false };
      return { invitation: await deliverInTime(row, lease.owner), duplicate: false };
    },

    /** The friend's Try again: a pending Plex join nobody is running becomes due now; false when it was not. */
    async wakeJoin(id: string): Promise<boolean> {
      // Stryker disable next-line ConditionalExpression: an id of the wrong shape finds no row either; the check only spares the query
      if (!VALID_ID.test(id)) return false;
      return deps.invitations.wakeJoin(id, isoNow(deps.clock));
    },

    async find(id: string): Promise<InvitationRow> {
      const invitation = VALID_ID.test(id) ? await deps.invitations.findById(id) : undefined;
      if (!invitation) throw new AppError('invite.request_not_found', 'There is no request at this address. Check the link, or ask again.', { status: 404 });
      return invitation;
    },

    now: () => isoNow(deps.clock),
  };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
