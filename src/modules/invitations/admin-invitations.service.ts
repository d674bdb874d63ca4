import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import { toInvitationQuery, type InvitationFilter } from './admin-invitations.filter.js';
import { STATUS_LABELS, canRetryNow, isRetryable, toInvitationView, type InvitationView } from './admin-invitations.models.js';
import type { AdminInvitationsRepository, ListCursor } from './admin-invitations.repository.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import type { InvitationsRepository } from './invitations.repository.js';
import type { InvitationsService } from './invitations.service.js';
import { failureWords } from './refusals.js';

export const EXPORT_PAGE_SIZE = 1000;

export interface InvitationPage {
  items: InvitationView[];
  page: number;
  perPage: number;
  total: number;
  /** Library titles by local key, when known without asking Plex (the mapping cache is warm). */
  libraryTitles: Record<string, string>;
  /** Failed invitations a retry can help, in any filter: "Retry all failed" shows only then. */
  retryableFailed: number;
}

/** What "Retry all failed" did: queued again, and left failed because Plex would refuse them again. */
export interface RetryAllResult {
  queued: number;
  refused: number;
}

export interface RevokeResult {
  invitation: InvitationView;
  /** False when Plex had no share or pending invite for this person (any more). */
  removedFromPlex: boolean;
}

/** How long the list waits for the library names when they are not cached yet. */
export const LIBRARY_NAMES_WAIT_MS = 1500;

/** The server's libraries for their names: cached, or asked for briefly; none when Plex is slow or away. */
export function librariesSoon(mapping: LibraryMapping): Promise<Array<{ key: string; title: string }>> {
  if (mapping.warm) return mapping.libraries();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<[]>((resolve) => (timer = setTimeout(() => resolve([]), LIBRARY_NAMES_WAIT_MS)));
  // The read goes on after the page gave up: the names are cached for the next page.
  return Promise.race([mapping.libraries().catch(() => []), late]).finally(() => clearTimeout(timer));
}

/**
 * Library keys the owner chose, trimmed and without repeats; at least one, and each a library of the
 * server when Plex can be asked now (when it cannot, the Plex call itself will say).
 */
export async function checkLibraryKeys(mapping: LibraryMapping, keys: string[]): Promise<string[]> {
  const unique = [...new Set(keys.map((key) => key.trim()).filter(Boolean))];
  if (unique.length === 0) throw new AppError('invitation.no_libraries', 'Choose at least one library.', { fields: { libraries: 'Choose at least one library.' } });
  const found = await mapping.resolve(unique).catch((error: unknown) => {
    if (isPlexError(error) || (error instanceof AppError && error.code === 'plex.not_connected')) return undefined;
    throw error;
  });
  if (found?.missing.length) {
    const message = `The server has no library with key ${found.missing.join(', ')}.`;
    throw new AppError('invitation.unknown_library', message, { fields: { libraries: message } });
  }
  return unique;
}

const conflict = (code: string, message: string) => new AppError(code, message, { status: 409 });

/** Approve or decline came too late: someone decided already (or it never waited for approval). */
const notAwaiting = (now: InvitationView) =>
  conflict('invitation.not_awaiting_approval', `This request is not waiting for approval any more (it is ${STATUS_LABELS[now.status].toLowerCase()}): nothing was changed.`);

/**
 * The owner's view of invitations: list and export, send one again now, end someone's access, and
 * invite someone directly. Sending goes through the same lease and delivery as the retry worker.
 */
export function createAdminInvitationsService(deps: {
  repository: AdminInvitationsRepository;
  invitations: InvitationsRepository;
  submitter: Pick<InvitationsService, 'submit'>;
  delivery: InvitationDelivery;
  connection: PlexConnection;
  mapping: LibraryMapping;
  audit: AuditService;
  clock: Clock;
}) {
  async function get(id: string): Promise<InvitationView> {
    const row = id.length <= 64 ? await deps.repository.findView(id) : undefined;
    if (!row) throw new AppError('invitation.not_found', 'There is no invitation with this id.', { status: 404 });
    return toInvitationView(row);
  }

  /** Unknown keys are refused up front; if Plex cannot be asked now, the send itself will say. */
  const checkLibraries = (keys: string[]) => checkLibraryKeys(deps.mapping, keys);

  return {
    get,

    /** Library names by local key, for the list and the export (empty when Plex is slow or away). */
    async libraryTitles(): Promise<Record<string, string>> {
      return Object.fromEntries((await librariesSoon(deps.mapping)).map((library) => [library.key, library.title]));
    },

    async list(filter: InvitationFilter, page: number, perPage: number): Promise<InvitationPage> {
      const query = toInvitationQuery(filter);
      const [rows, total, libraries, retryableFailed] = await Promise.all([
        deps.repository.list(query, { limit: perPage, offset: (page - 1) * perPage }),
        deps.repository.count(query),
        librariesSoon(deps.mapping),
        deps.repository.countRetryableFailed(),
      ]);
      const libraryTitles = Object.fromEntries(libraries.map((library) => [library.key, library.title]));
      return { items: rows.map(toInvitationView), page, perPage, total, libraryTitles, retryableFailed };
    },

    /**
     * Every invitation of the filter, newest first, read EXPORT_PAGE_SIZE rows at a time. The
     * filter is checked now, before anything is streamed, so a bad date is still a clean 400.
     */
    exportAll(filter: InvitationFilter): AsyncGenerator<InvitationView> {
      const query = toInvitationQuery(filter);
      return (async function* pages() {
        let cursor: ListCursor | undefined;
        for (;;) {
          const rows = await deps.repository.listAfter(query, cursor, EXPORT_PAGE_SIZE);
          for (const row of rows) yield toInvitationView(row);
          const last = rows.at(-1);
          if (!last || rows.length < EXPORT_PAGE_SIZE) return;
          cursor = { createdAt: last.created_at, id: last.id };
        }
      })();
    },

    /** Sends a pending or failed invitation right away and answers what came of it. */
    async retryNow(id: string, actor: AuditActor): Promise<InvitationView> {
      const before = await get(id);
      if (!isRetryable(before.status)) {
        throw conflict('invitation.not_retryable', `This invitation is ${STATUS_LABELS[before.status].toLowerCase()}: only pending or failed ones can be sent again.`);
      }
      // Plex would refuse the very same invite again (refusals.ts): say why instead of asking.
      if (!canRetryNow(before)) throw conflict('invitation.refused_for_good', failureWords(before.errorKind, before.error).owner);
      if (!(await deps.repository.markDueNow(id, isoNow(deps.clock)))) {
        throw conflict('invitation.busy', 'This invitation is being sent right now. Look again in a moment.');
      }
      const lease = deps.delivery.newLease(deps.clock.now());
      // Losing the claim means the retry worker took it in between: it is being sent either way.
      if (await deps.invitations.claim(id, lease.owner, lease.until, isoNow(deps.clock))) {
        const row = await deps.invitations.findById(id);
        if (row) await deps.delivery.deliver(row, lease.owner);
      }
      const after = await get(id);
      await deps.audit.record(actor, 'invitation.retry', before.identifier, { invitation: id, status: after.status });
      return after;
    },

    /**
     * Puts every failed invitation a retry can help back in the queue (the same rule as "Retry
     * now"); the retry worker sends them within seconds. Says how many were queued and left.
     */
    async retryAllFailed(actor: AuditActor): Promise<RetryAllResult> {
      const result = await deps.repository.requeueFailed(isoNow(deps.clock));
      await deps.audit.record(actor, 'invitation.retry_failed', null, { queued: result.queued, ...(result.refused > 0 ? { refused: result.refused } : {}) });
      return result;
    },

    /**
     * Approves a request waiting for the owner (join mode "approval") and sends it at once through
     * the same lease and delivery as any request; whatever Plex answers is recorded as usual, and
     * the retry worker takes over if it must wait. Two approvals at once send it once.
     */
    async approve(id: string, actor: AuditActor): Promise<InvitationView> {
      const before = await get(id);
      const lease = deps.delivery.newLease(deps.clock.now());
      if (!(await deps.repository.markApproved(id, lease, isoNow(deps.clock)))) throw notAwaiting(await get(id));
      // Recorded before sending: the decision stands even if this process stops mid-send.
      await deps.audit.record(actor, 'invitation.approve', before.identifier, { invitation: id });
      const row = await deps.invitations.findById(id);
      if (row) await deps.delivery.deliver(row, lease.owner);
      return get(id);
    },

    /** Declines a request waiting for the owner: it is never sent. */
    async decline(id: string, actor: AuditActor): Promise<InvitationView> {
      const before = await get(id);
      if (!(await deps.repository.markDeclined(id, isoNow(deps.clock)))) throw notAwaiting(await get(id));
      await deps.audit.record(actor, 'invitation.decline', before.identifier, { invitation: id });
      return get(id);
    },

    /**
     * Ends the person's access on Plex (accepted share or pending invite), then marks the
     * invitation revoked. When Plex fails, nothing is marked, so the admin can simply try again.
     */
    async revokeAccess(id: string, actor: AuditActor): Promise<RevokeResult> {
      const invitation = await get(id);
      if (invitation.status === 'revoked') throw conflict('invitation.already_revoked', 'Access for this invitation was already revoked.');
      if (invitation.status === 'failed' && !invitation.unconfirmed) {
        throw conflict('invitation.no_access', 'This invitation failed, so nobody got access through it: there is nothing to revoke.');
      }
      if (invitation.status === 'awaiting_approval') throw conflict('invitation.never_sent', 'This request waits for your approval and was never sent: decline it instead.');
      if (invitation.status === 'declined') throw conflict('invitation.never_sent', 'This request was declined and never sent: nobody has access to remove.');
      // A send in flight could create the share right after it was looked for: wait for it to end.
      const leaseUntil = (await deps.invitations.findById(id))?.lease_until;
      if (leaseUntil && leaseUntil > isoNow(deps.clock)) throw conflict('invitation.busy', 'This invitation is being sent right now. Look again in a moment.');
      const { token, serverId } = await deps.connection.state();
      if (!token || !serverId) throw conflict('plex.not_connected', 'Helpr is not connected to a Plex server, so it cannot remove anyone’s access.');
      let removed = 0;
      try {
        const { sharing } = await deps.connection.client();
        // A Plex join's share was made to the account id: found by it even after a change of username.
        const accountId = invitation.plexAccountId === null ? undefined : Number(invitation.plexAccountId);
        const invitedId = accountId !== undefined && Number.isSafeInteger(accountId) ? accountId : undefined;
        for (const shareId of await sharing.findSharedServerIds(token, serverId, invitation.identifier, invitedId)) {
          if ((await sharing.removeShare(token, shareId)) === 'removed') removed += 1;
        }
      } catch (error) {
        if (!isPlexError(error)) throw error;
        const message = `Plex did not remove the access of ${invitation.identifier} (${error.message}). The invitation was left as it was: try again.`;
        throw new AppError('invitation.revoke_failed', message, { status: 502, expose: true, cause: error });
      }
      await deps.repository.markRevoked(id, isoNow(deps.clock));
      await deps.audit.record(actor, 'access.revoke', invitation.identifier, { invitation: id, removedFromPlex: removed > 0 });
      return { invitation: await get(id), removedFromPlex: removed > 0 };
    },

    /** An invite the owner sends (admin page or API): no invite code, no duplicate window. */
    async invite(input: { email: unknown; libraries?: string[] }, actor: AuditActor, source: 'admin' | 'api', userAgent?: string): Promise<InvitationView> {
      const libraries = input.libraries ? await checkLibraries(input.libraries) : undefined;
      const { invitation } = await deps.submitter.submit({ email: input.email, clientIp: actor.ip ?? '', userAgent, source, libraries });
      await deps.audit.record(actor, 'invitation.create', invitation.identifier, { invitation: invitation.id, source, status: invitation.status });
      return get(invitation.id);
    },
  };
}

export type AdminInvitationsService = ReturnType<typeof createAdminInvitationsService>;
