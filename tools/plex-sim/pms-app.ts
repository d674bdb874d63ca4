import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { plexParam } from './auth.js';
import type { SimContext } from './context.js';
import { identityContainer, libraryContainer, pmsXml, rootContainer, sectionsContainer } from './pms-formats.js';
import { HTML_TYPE, JSON_TYPE, sendXml, wantsJson } from './responses.js';
import type { Library } from './sim-state.js';

/** The PMS 401 page, byte for byte what clients have logged (plex-api.md §1.4). */
export const PMS_401_HTML =
  '<html><head><title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
// On `/` the page first sends browsers to the web app.
export const PMS_401_ROOT_HTML =
  "<html><head><script>window.location = window.location.href.match(/(^.+\\/)[^\\/]*$/)[1] + 'web/index.html';</script>" +
  '<title>Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>';
const PMS_404_HTML = '<html><head><title>Not Found</title></head><body><h1>404 Not Found</h1></body></html>';

/**
 * The server token, the owner's plex.tv tokens and (limited to their libraries) a friend's share
 * token are accepted, as on a real PMS. Returns the libraries the token may see, or null.
 */
function librariesFor(ctx: SimContext, token: string | undefined): Library[] | null {
  const { state } = ctx;
  if (!token) return null;
  if (token === state.server.accessToken) return state.server.libraries;
  const auth = state.accounts.authenticate(token);
  if (auth.kind === 'ok' && auth.account.id === state.server.ownerId) return state.server.libraries;
  const share = state.shares.byAccessToken(token);
  return share ? state.sharedLibraries(share) : null;
}

function sendContainer(request: FastifyRequest, reply: FastifyReply, container: Record<string, unknown>) {
  if (wantsJson(request)) return reply.type(JSON_TYPE).send(JSON.stringify({ MediaContainer: container }));
  return sendXml(reply, 200, pmsXml('MediaContainer', container));
}

/** `instrument` runs before any route is added so its hooks cover every route, the 404 one included. */
export function buildPmsApp(ctx: SimContext, instrument: (app: FastifyInstance) => void): FastifyInstance {
  const app = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true }, forceCloseConnections: true });
  instrument(app);
  app.addHook('onSend', async (_request, reply) => {
    reply.header('X-Plex-Protocol', '1.0');
  });

  const withToken = (handler: (request: FastifyRequest, reply: FastifyReply, libraries: Library[]) => unknown) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const libraries = librariesFor(ctx, plexParam(request, 'X-Plex-Token'));
      if (libraries) return handler(request, reply, libraries);
      const page = request.url.split('?')[0] === '/' ? PMS_401_ROOT_HTML : PMS_401_HTML;
      return reply.code(401).type(HTML_TYPE).send(page);
    };

  app.get('/identity', async (request, reply) => sendContainer(request, reply, identityContainer(ctx.state)));
  app.get('/', withToken((request, reply) => sendContainer(request, reply, rootContainer(ctx.state))));
  app.get('/library', withToken((request, reply) => sendContainer(request, reply, libraryContainer())));
  app.get(
    '/library/sections',
    withToken((request, reply, libraries) => sendContainer(request, reply, sectionsContainer(ctx.state, libraries))),
  );
  app.setNotFoundHandler(async (_request, reply) => reply.code(404).type(HTML_TYPE).send(PMS_404_HTML));
  return app;
}
