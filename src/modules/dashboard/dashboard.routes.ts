import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { dashboardPage } from './dashboard.view.js';

/** The admin home page (inside the guarded admin context). */
export async function dashboardRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.get('/admin', async (request, reply) => {
    const overview = await opts.deps.services.dashboard.overview();
    return reply.page('pages/admin/dashboard', dashboardPage(overview, request.ownerTimeZone));
  });
}
