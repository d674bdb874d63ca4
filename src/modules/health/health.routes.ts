import type { FastifyInstance } from 'fastify';
import { ALWAYS_ANSWER } from '../../plugins/overload.js';
import type { HealthService } from './health.service.js';

/** Liveness (the process answers) and readiness (its database reads and writes; Redis is reported). */
export async function healthRoutes(app: FastifyInstance, opts: { health: HealthService }) {
  app.get('/healthz', { config: ALWAYS_ANSWER }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: ALWAYS_ANSWER }, async (_request, reply) => {
    const report = await opts.health.readiness();
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
