import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { SETTINGS_FLOW } from '../setup/connect-flow.js';
import { plexConnectRoutes, plexPinRoutes } from '../setup/plex-connect.routes.js';
import { STEP_LABELS, type StepName } from './diagnostics.service.js';

/**
 * /admin/plex: the connection diagnostics (the last stored result, "Test now" as a plain form, and
 * a streaming variant the page's script uses to show each step as it completes), plus the pages to
 * sign in with Plex again and to change the server.
 */
export async function plexAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;

  app.get('/admin/plex', async (_request, reply) => {
    const [report, state] = await Promise.all([services.connectionTests.load(), services.plexConnection.state()]);
    return reply.page('pages/admin/plex-status', {
      title: 'Plex connection',
      section: '/admin/plex',
      report,
      labels: Object.entries(STEP_LABELS) as Array<[StepName, string]>,
      tokenSource: state.tokenSource,
      serverId: state.serverId,
      serverName: state.serverName,
      serverIdSource: state.serverIdSource,
      scripts: ['/static/js/plex-status.js'],
    });
  });

  app.post('/admin/plex/test', async (request, reply) => {
    const report = await services.connectionTests.run();
    request.session.flash = report.ok
      ? { message: 'Every check passed.', tone: 'success' }
      : { message: 'A check failed: see the fix below.', tone: 'warning' };
    return reply.redirect('/admin/plex', 303);
  });

  // One JSON line per step as it completes, then the whole report (application/x-ndjson).
  app.post('/admin/plex/test/stream', async (request, reply) => {
    const lines = new PassThrough();
    const write = (value: unknown) => lines.write(`${JSON.stringify(value)}\n`);
    services.connectionTests
      .run((step) => write({ type: 'step', step }))
      .then((report) => write({ type: 'report', report }))
      .catch((error: unknown) => {
        request.log.error({ err: error }, 'connection test failed');
        write({ type: 'error', message: 'The test could not run: look at the Helpr log.' });
      })
      .finally(() => lines.end());
    return reply.header('cache-control', 'no-store').type('application/x-ndjson; charset=utf-8').send(lines);
  });

  await app.register(plexPinRoutes, { deps: opts.deps });
  await app.register(plexConnectRoutes, { deps: opts.deps, flow: SETTINGS_FLOW });
}
