import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { loadNearestPage } from '../../paging.js';
import { formatTime } from '../../time-format.js';
import { USERS_PER_PAGE, userFilterFromQuery, usersCsv, usersPageData } from './users.page.js';
import { syncOutcomeMessage } from './users.messages.js';

/** /admin/users: who has access, with search, state filter, paging, CSV, and "Sync now". */
export async function usersAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const service = opts.deps.services.users;

  app.get<{ Querystring: Record<string, unknown> }>('/admin/users', async (request, reply) => {
    const { filter, page } = userFilterFromQuery(request.query);
    const { result } = await loadNearestPage(page, USERS_PER_PAGE, (n) => service.page(filter, n, USERS_PER_PAGE));
    return reply.page('pages/admin/users', usersPageData(result, filter, request.ownerTimeZone));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/admin/users.csv', async (request, reply) => {
    const { filter } = userFilterFromQuery(request.query);
    const day = formatTime(opts.deps.clock.now(), request.ownerTimeZone, { bare: true }).slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="helpr-users-${day}.csv"`)
      .send(usersCsv(service.exportAll(filter), await service.libraryTitles()));
  });

  app.post('/admin/users/sync', async (request, reply) => {
    request.session.flash = syncOutcomeMessage(await service.syncNow());
    return reply.redirect('/admin/users', 303);
  });
}
