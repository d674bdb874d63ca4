import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { loadNearestPage } from '../../paging.js';
import { actorOf } from '../auth/auth.guard.js';
import { formatTime } from '../../time-format.js';
import { UTC } from '../../time-zone.js';
import { csvFilename, invitationsCsv } from './admin-invitations.csv.js';
import { filterFromQuery, withValidDates } from './admin-invitations.filter.js';
import { JOINED_WITH_LABELS, STATUS_LABELS, statusMeaning } from './admin-invitations.models.js';
import { approveOutcomeMessage, retryFailedMessage, revokeOutcomeMessage, safeBack, safeBackFromDecision, sendOutcomeMessage } from './admin-invitations.messages.js';
import { PER_PAGE, invitationsPageData } from './admin-invitations.page.js';

type Query = Record<string, unknown>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Body: { back?: string } | undefined }>;

/**
 * Runs an admin action and comes back to the list with its outcome as a flash message. Refusals
 * the admin can act on (409 "not now", 502 "Plex failed", 400) are shown the same way.
 */
export async function act(
  request: FastifyRequest,
  reply: FastifyReply,
  back: string,
  action: () => Promise<NonNullable<FastifyRequest['session']['flash']>>,
  shown: readonly number[] = [400, 409, 502],
) {
  try {
    request.session.flash = await action();
  } catch (error) {
    if (!isAppError(error) || !shown.includes(error.status)) throw error;
    request.session.flash = { message: error.message, tone: 'danger' };
  }
  return reply.redirect(back, 303);
}

/** /admin/invitations: the list with filters and paging, CSV export, retry now, approve or decline, revoke access. */
export async function adminInvitationsRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const service = opts.deps.services.adminInvitations;

  app.get<{ Querystring: Query }>('/admin/invitations', async (request, reply) => {
    const parsed = filterFromQuery(request.query);
    // The from/to days are the owner's days.
    const { filter, errors, shown } = withValidDates({ ...parsed.filter, timeZone: request.ownerTimeZone });
    const { result } = await loadNearestPage(parsed.page, PER_PAGE, (page) => service.list(filter, page, PER_PAGE));
    return reply.page('pages/admin/invitations', { ...invitationsPageData(result, filter, errors), shown });
  });

  app.get<{ Querystring: Query }>('/admin/invitations.csv', async (request, reply) => {
    const rows = service.exportAll({ ...filterFromQuery(request.query).filter, timeZone: request.ownerTimeZone });
    const titles = await service.libraryTitles();
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${csvFilename(formatTime(opts.deps.clock.now(), request.ownerTimeZone, { bare: true }))}"`)
      .send(invitationsCsv(rows, titles, request.ownerTimeZone ?? UTC));
  });

  app.post<{ Body: { email?: string; back?: string } | undefined }>('/admin/invitations', async (request, reply) =>
    act(request, reply, safeBack(request.body?.back), async () =>
      sendOutcomeMessage(await service.invite({ email: request.body?.email }, actorOf(request), 'admin', request.headers['user-agent'])),
    ),
  );

  app.post<{ Body: { back?: string } | undefined }>('/admin/invitations/retry-failed', async (request, reply) =>
    act(request, reply, safeBack(request.body?.back), async () => retryFailedMessage(await service.retryAllFailed(actorOf(request)))),
  );

  app.post('/admin/invitations/:id/retry', async (request: IdRequest, reply) =>
    act(request, reply, safeBack(request.body?.back), async () => sendOutcomeMessage(await service.retryNow(request.params.id, actorOf(request)))),
  );

  app.post('/admin/invitations/:id/approve', async (request: IdRequest, reply) =>
    act(request, reply, safeBackFromDecision(request.body?.back), async () => approveOutcomeMessage(await service.approve(request.params.id, actorOf(request)))),
  );

  app.post('/admin/invitations/:id/decline', async (request: IdRequest, reply) =>
    act(request, reply, safeBackFromDecision(request.body?.back), async () => sendOutcomeMessage(await service.decline(request.params.id, actorOf(request)))),
  );

  app.get<{ Params: { id: string }; Querystring: { back?: string } }>('/admin/invitations/:id/revoke', async (request, reply) => {
    const invitation = await service.get(request.params.id);
    return reply.page('pages/admin/invitations-revoke', {
      title: invitation.status === 'already_invited' ? 'Cancel invite' : 'Revoke access',
      section: '/admin/invitations',
      invitation,
      statusLabel: STATUS_LABELS[invitation.status],
      statusMeaning: statusMeaning(invitation.status),
      joinedWithLabel: JOINED_WITH_LABELS[invitation.joinedWith],
      back: safeBack(request.query.back),
    });
  });

  app.post('/admin/invitations/:id/revoke', async (request: IdRequest, reply) =>
    act(request, reply, safeBack(request.body?.back), async () => revokeOutcomeMessage(await service.revokeAccess(request.params.id, actorOf(request)))),
  );
}
