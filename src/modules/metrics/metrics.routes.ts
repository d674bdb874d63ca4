import type { FastifyInstance } from 'fastify';
import { ALWAYS_ANSWER } from '../../plugins/overload.js';
import { safeEqual } from '../../security/crypto.js';
import type { Metrics } from './metrics.js';

/**
 * `/metrics` in Prometheus' text format, answered only to `Authorization: Bearer <METRICS_TOKEN>`
 * (compared in constant time), and every answered request counted by its route and status.
 */
export async function metricsRoutes(app: FastifyInstance, opts: { metrics: Metrics; token: string }) {
  const expected = `Bearer ${opts.token}`;
  app.addHook('onResponse', (request, reply, done) => {
    opts.metrics.http(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { config: ALWAYS_ANSWER }, async (request, reply) => {
    if (!safeEqual(request.headers.authorization ?? '', expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="helpr-metrics"')
        .type('text/plain; charset=utf-8')
        .send('The metrics need the token: send "Authorization: Bearer <METRICS_TOKEN>".\n');
    }
    return reply.header('cache-control', 'no-store').type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
}
