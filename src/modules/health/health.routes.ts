import type { FastifyInstance } from 'fastify';
import type { HealthService } from './health.service.js';

/** Liveness (the process answers) and readiness (its database, and Redis when configured, answer). */
export async function healthRoutes(app: FastifyInstance, opts: { health: HealthService }) {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const report = await opts.health.readiness();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
