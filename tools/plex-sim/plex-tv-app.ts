import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { registerAppAuthRoutes } from './app-auth.js';
import { installBodyParsers } from './body-parsers.js';
import type { SimContext } from './context.js';
import type { SimControl } from './control.js';
import { CONTROL_PREFIX, pathOf } from './instrument.js';
import { V2_ERRORS, badRequest, sendHtml404, sendV1Response, sendV2Error } from './responses.js';
import { registerAccountRoutes } from './routes-account.js';
import { registerControlRoutes } from './routes-control.js';
import { registerPinRoutes } from './routes-pins.js';
import { registerV1SharingRoutes } from './routes-v1-sharing.js';
import { registerV2SharingRoutes } from './routes-v2-sharing.js';
import type { SimCertificate } from './tls-cert.js';

const isV2 = (url: string): boolean => pathOf(url).startsWith('/api/v2/');

/**
 * clients.plex.tv shares the plex.tv listener under this path prefix (one origin, one certificate):
 * `clientsPlexTvUrl` is `plexTvUrl` + this. The prefix is taken off before routing and logging, so
 * rules and the request log see the same paths on both hosts.
 */
export const CLIENTS_PREFIX = '/clients.plex.tv';
const V2_SHARING = /^\/api\/v2\/shared_servers(\/|$)/;
const onClientsHost = (originalUrl: string): boolean => originalUrl.startsWith(`${CLIENTS_PREFIX}/`);

const OPTIONS = {
  logger: false,
  routerOptions: { ignoreTrailingSlash: true },
  forceCloseConnections: true,
  rewriteUrl: (request: { url?: string }) => {
    const url = request.url ?? '/';
    return onClientsHost(url) ? url.slice(CLIENTS_PREFIX.length) : url;
  },
} as const;

/**
 * Plain HTTP/1.1, or with `tls` HTTPS whose ALPN offers h2 and http/1.1, as real plex.tv does.
 * The routes only use what HTTP/1.1 and HTTP/2 compatibility requests share, so the HTTP/2 app
 * keeps the HTTP/1.1 instance type.
 */
function createApp(tls: SimCertificate | undefined): FastifyInstance {
  if (!tls) return Fastify(OPTIONS);
  const https = { allowHTTP1: true, key: tls.keyPem, cert: tls.certPem };
  return Fastify({ ...OPTIONS, http2: true, https }) as unknown as FastifyInstance;
}

/**
 * plex.tv and clients.plex.tv on one listener (the paths do not clash). `instrument` runs before
 * any route is added so its hooks cover every route, the 404 one included.
 */
export function buildPlexTvApp(
  ctx: SimContext,
  control: SimControl,
  instrument: (app: FastifyInstance) => void,
  tls?: SimCertificate,
): FastifyInstance {
  const app = createApp(tls);
  instrument(app);
  // The v2 shared_servers family lives on clients.plex.tv (after `instrument`: the refusal is logged).
  app.addHook('onRequest', async (request, reply) => {
    if (!V2_SHARING.test(pathOf(request.url)) || onClientsHost(request.originalUrl)) return;
    if (ctx.state.behaviour.v2SharingOnPlexTv) return;
    return sendV2Error(request, reply, V2_ERRORS.notFound);
  });
  installBodyParsers(app);
  registerAccountRoutes(app, ctx);
  registerV1SharingRoutes(app, ctx);
  registerV2SharingRoutes(app, ctx);
  registerPinRoutes(app, ctx);
  // app.plex.tv's sign-in page (PLEX_APP_URL points here), so Continue with Plex works offline.
  registerAppAuthRoutes(app, ctx);
  registerControlRoutes(app, control);

  app.setNotFoundHandler(async (request, reply) => {
    if (pathOf(request.url).startsWith(CONTROL_PREFIX)) return reply.code(404).send({ error: 'unknown control route' });
    if (isV2(request.url)) return sendV2Error(request, reply, V2_ERRORS.notFound);
    return sendHtml404(reply);
  });

  // Framework errors (bad JSON, unsupported media type) in the family's own error shape.
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    const message = status >= 500 ? 'Internal Server Error' : error.message;
    if (isV2(request.url)) {
      return sendV2Error(request, reply, status === 400 ? badRequest(message) : { status, code: 1000, message });
    }
    return sendV1Response(reply, status, message);
  });
  return app;
}
