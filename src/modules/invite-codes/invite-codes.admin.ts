import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { tokenHint } from '../plex/diagnostics.steps.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import { codeInputError } from './invite-codes.errors.js';
import type { CreateCodeInput } from './invite-codes.input.js';
import type { InviteCodeView } from './invite-codes.models.js';
import type { InviteCodesService } from './invite-codes.service.js';

/**
 * Creating and revoking codes on behalf of an admin or an API key, audited. The audit entry names
 * the code by id and label only: the code itself lets anyone ask for an invite.
 */
export function createInviteCodesAdmin(deps: { codes: InviteCodesService; audit: AuditService; mapping: LibraryMapping }) {
  /** A library override naming a library the server lacks would only hold every invite made with it. */
  async function checkLibraries(libraries: string[] | undefined): Promise<void> {
    const wanted = (libraries ?? []).map((library) => library.trim()).filter(Boolean);
    if (wanted.length === 0) return;
    let missing: string[];
    try {
      ({ missing } = await deps.mapping.resolve(wanted));
    } catch (error) {
      if (!isPlexError(error)) throw error;
      const message = `Helpr could not check the libraries with Plex. ${tokenHint(error)}`;
      throw new AppError('plex.unavailable', message, { status: 503, expose: true, fields: { libraries: message }, cause: error });
    }
    if (missing.length) throw codeInputError('code.unknown_libraries', 'libraries', `The server has no library ${missing.join(', ')}.`);
  }

  return {
    async create(input: Omit<CreateCodeInput, 'createdBy'>, actor: AuditActor): Promise<InviteCodeView> {
      await checkLibraries(input.libraries);
      const code = await deps.codes.createCode({ ...input, createdBy: actor.name ?? undefined });
      await deps.audit.record(actor, 'code.create', code.id, {
        label: code.label,
        custom: Boolean(input.code?.trim()),
        expiresAt: code.expiresAt,
        maxUses: code.maxUses,
        libraries: code.libraries,
      });
      return code;
    },

    /** Idempotent; only the first revocation is audited. Unknown ids throw a 404 AppError. */
    async revoke(id: string, actor: AuditActor): Promise<InviteCodeView> {
      const before = await deps.codes.getCode(id);
      const code = await deps.codes.revokeCode(id);
      if (!before.revoked) await deps.audit.record(actor, 'code.revoke', code.id, { label: code.label, uses: code.uses });
      return code;
    },
  };
}

export type InviteCodesAdmin = ReturnType<typeof createInviteCodesAdmin>;
