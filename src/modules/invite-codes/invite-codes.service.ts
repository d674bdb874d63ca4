import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { MAX_OFFSET } from '../../paging.js';
import { safeEqual } from '../../security/crypto.js';
import { termColumns } from '../access/access-terms.js';
import { codeInputError, codeNotFoundError, codeUnknownError, codeUsedUpError } from './invite-codes.errors.js';
import { validateCreateCodeInput, type CreateCodeInput } from './invite-codes.input.js';
import { codeProblem, generateCode, joinPath, normalizeCode, toInviteCodeView, type InviteCodeView } from './invite-codes.models.js';
import type { InviteCodesRepository, NewInviteCodeRow } from './invite-codes.repository.js';

export type { CreateCodeInput } from './invite-codes.input.js';
export { joinPath, normalizeCode, type InviteCodeState, type InviteCodeView } from './invite-codes.models.js';

// Longer than any code we create: such input is unknown without asking the database.
const MAX_LOOKUP_LENGTH = 64;
const RANDOM_CODE_ATTEMPTS = 5;

/**
 * Step 1 of redeeming, inside the caller's transaction: take one use with a single conditional
 * UPDATE. When none is left, re-read the code to say why (expired, used up, revoked).
 * Order: claimCodeUse -> insert the invitation -> recordCodeUse (invite_code_uses references it).
 */
export async function claimCodeUse(codes: InviteCodesRepository, codeId: string, nowIso: string): Promise<void> {
  if (await codes.claimUse(codeId, nowIso)) return;
  const row = await codes.findById(codeId);
  if (!row) throw codeUnknownError();
  // The row may have changed again since the UPDATE; "used up" is the honest answer then.
  throw codeProblem(row, nowIso) ?? codeUsedUpError(row.max_uses);
}

/** Step 3 of redeeming: tie the claimed use to the invitation that was just inserted. */
export async function recordCodeUse(
  codes: InviteCodesRepository,
  use: { codeId: string; invitationId: string; nowIso: string },
): Promise<void> {
  await codes.recordUse({ id: crypto.randomUUID(), code_id: use.codeId, invitation_id: use.invitationId, used_at: use.nowIso });
}

export function createInviteCodesService(deps: { codes: InviteCodesRepository; clock: Clock }) {
  const { codes, clock } = deps;

  /** Inserts, letting the unique index settle races; false when the normalized code is taken. */
  async function insertUnlessTaken(row: NewInviteCodeRow): Promise<boolean> {
    // Stryker disable next-line ConditionalExpression: without this early look the unique index refuses the insert and the catch below answers the same false
    if (await codes.findByNormalized(row.code_normalized)) return false;
    try {
      await codes.insert(row);
      return true;
    } catch (error) {
      if (await codes.findByNormalized(row.code_normalized)) return false;
      throw error;
    }
  }

  async function getRow(id: string) {
    const row = await codes.findById(id);
    if (!row) throw codeNotFoundError();
    return row;
  }

  return {
    normalizeCode,
    joinPath,

    async createCode(input: CreateCodeInput): Promise<InviteCodeView> {
      const now = clock.now();
      const valid = validateCreateCodeInput(input, now);
      const base = {
        label: valid.label,
        expires_at: valid.expiresAt,
        max_uses: valid.maxUses,
        libraries: valid.libraries === null ? null : JSON.stringify(valid.libraries),
        ...termColumns(valid.access),
        permissions: valid.permissions === null ? null : JSON.stringify(valid.permissions),
        created_by: input.createdBy ?? null,
        created_at: now.toISOString(),
      };
      const attempts = valid.customCode ? 1 : RANDOM_CODE_ATTEMPTS;
      for (let attempt = 0; attempt < attempts; attempt++) {
        const code = valid.customCode ?? generateCode();
        const row = { ...base, id: crypto.randomUUID(), code, code_normalized: normalizeCode(code) };
        if (await insertUnlessTaken(row)) return toInviteCodeView({ ...row, uses: 0, revoked: 0, revoked_at: null }, base.created_at);
      }
      if (valid.customCode) {
        throw codeInputError('code.duplicate', 'code', 'This code is already taken (codes are not case-sensitive).', 409);
      }
      throw new AppError('code.generation_failed', 'Could not generate a unique invite code; try again.', { status: 500 });
    },

    /** The public check: unknown, revoked, expired or used-up codes throw a friendly AppError. */
    async checkCode(input: string): Promise<InviteCodeView> {
      const normalized = normalizeCode(input);
      if (!normalized || normalized.length > MAX_LOOKUP_LENGTH) throw codeUnknownError();
      const row = await codes.findByNormalized(normalized);
      // Always run the constant-time comparison so a miss and a hit do the same work here.
      const matches = safeEqual(row?.code_normalized ?? '', normalized);
      if (!row || !matches) throw codeUnknownError();
      const nowIso = isoNow(clock);
      const problem = codeProblem(row, nowIso);
      if (problem) throw problem;
      return toInviteCodeView(row, nowIso);
    },

    async getCode(id: string): Promise<InviteCodeView> {
      return toInviteCodeView(await getRow(id), isoNow(clock));
    },

    /** Idempotent: revoking a revoked code returns it unchanged. */
    async revokeCode(id: string): Promise<InviteCodeView> {
      const nowIso = isoNow(clock);
      await codes.revoke(id, nowIso);
      return toInviteCodeView(await getRow(id), nowIso);
    },

    /** Newest first. */
    async listCodes(options: { limit?: number; offset?: number } = {}): Promise<InviteCodeView[]> {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 500);
      const offset = Math.min(Math.max(Math.trunc(options.offset ?? 0) || 0, 0), MAX_OFFSET);
      const nowIso = isoNow(clock);
      return (await codes.list({ limit, offset })).map((row) => toInviteCodeView(row, nowIso));
    },

    countCodes: (): Promise<number> => codes.count(),
  };
}

export type InviteCodesService = ReturnType<typeof createInviteCodesService>;
