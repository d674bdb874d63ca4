import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { randomId } from '../../security/crypto.js';
import { createInviteCodesRepository } from '../invite-codes/invite-codes.repository.js';
import { claimCodeUse, recordCodeUse, type InviteCodesService, type InviteCodeView } from '../invite-codes/invite-codes.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { InviteLimits } from './invite-limits.js';
import { parsePlexIdentifier } from './identifier.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import type { TurnGate } from './turn-gate.js';
import { completedColumns, createInvitationsRepository, type InvitationRow, type InvitationsRepository } from './invitations.repository.js';

export interface InviteRequestInput {
  email: unknown;
  code?: unknown;
  clientIp: string;
  userAgent: string | undefined;
  source?: InvitationRow['source'];
  /** Local library keys for this invitation instead of the code's or the default selection. */
  libraries?: string[];
}

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
export function createInvitationsService(deps: {
  db: Db;
  invitations: InvitationsRepository;
  codes: InviteCodesService;
  settings: SettingsService;
  delivery: InvitationDelivery;
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
      if (code) {
        // The code use and the invitation commit together, or neither does.
        await deps.db.transaction().execute(async (trx) => {
          const codes = createInviteCodesRepository(trx);
          await claimCodeUse(codes, code.id, at);
          await createInvitationsRepository(trx).insert(row);
          await recordCodeUse(codes, { codeId: code.id, invitationId: row.id, nowIso: at });
        });
      } else {
        await deps.invitations.insert(row);
      }

      if (!lease) return { invitation: row, duplicate: false };
      const delivered = deps.delivery.deliver(row, lease.owner);
      const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, sendTimeoutMs, 'timeout').unref());
      const result = await Promise.race([delivered, timer]);
      if (result === 'timeout') {
        deps.logger.info({ invitation: row.id }, 'Plex is slow: answering pending, the send goes on');
      }
      // Recorded in time: the row is known without reading it back. Otherwise read what is there now.
      if (result && result !== 'timeout') return { invitation: { ...row, ...completedColumns(result) }, duplicate: false };
      return { invitation: (await deps.invitations.findById(row.id)) ?? row, duplicate: false };
    },

    async find(id: string): Promise<InvitationRow> {
      const invitation = /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await deps.invitations.findById(id) : undefined;
      if (!invitation) throw new AppError('invite.request_not_found', 'There is no request at this address. Check the link, or ask again.', { status: 404 });
      return invitation;
    },

    now: () => isoNow(deps.clock),
  };
}

export type InvitationsService = ReturnType<typeof createInvitationsService>;
