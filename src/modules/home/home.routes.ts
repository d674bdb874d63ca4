import type { FastifyInstance } from 'fastify';

/** The public home page. Until the invite flow exists it says that Helpr is not set up yet. */
export async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (_request, reply) => reply.page('pages/home/not-set-up', { title: 'Helpr is not set up yet' }));
}
