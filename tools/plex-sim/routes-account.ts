import type { FastifyInstance } from 'fastify';
import { callerOf, guards, plexParam } from './auth.js';
import type { SimContext } from './context.js';
import { isOwnServer } from './invites.js';
import { serverV2Json, userJson } from './plex-tv-json.js';
import { serverSectionsXml } from './plex-tv-xml.js';
import { resourcesJson, resourcesXml } from './resources.js';
import { V2_ERRORS, sendHtml404, sendV2, sendV2Error, sendXml } from './responses.js';

type MidParams = { Params: { mid: string } };

/** E1 (user, ping), E2 (resources, v2 and legacy v1) and E3 (server sections, v1 and v2). */
export function registerAccountRoutes(app: FastifyInstance, ctx: SimContext): void {
  const guard = guards(ctx);

  app.get('/api/v2/user', guard.v2, async (request, reply) => {
    const token = plexParam(request, 'X-Plex-Token') ?? '';
    return sendV2(request, reply, 200, 'user', userJson(callerOf(request), token));
  });

  app.get('/api/v2/ping', guard.v2, async (request, reply) => sendV2(request, reply, 200, 'pong', { pong: true }));

  app.get('/api/v2/resources', guard.v2, async (request, reply) => {
    const includeRelay = plexParam(request, 'includeRelay') === '1';
    return sendV2(request, reply, 200, 'resource', resourcesJson(ctx, callerOf(request), includeRelay));
  });

  app.get('/api/resources', guard.v1, async (request, reply) => {
    return sendXml(reply, 200, resourcesXml(ctx, callerOf(request)));
  });

  // v1 is XML whatever Accept says (plex-api.md §1.3).
  app.get<MidParams>('/api/servers/:mid', guard.v1, async (request, reply) => {
    if (!isOwnServer(ctx.state, callerOf(request), request.params.mid)) return sendHtml404(reply);
    return sendXml(reply, 200, serverSectionsXml(ctx.state));
  });

  app.get<MidParams>('/api/v2/servers/:mid', guard.v2, async (request, reply) => {
    const { state } = ctx;
    if (!isOwnServer(state, callerOf(request), request.params.mid)) {
      return sendV2Error(request, reply, V2_ERRORS.notFound);
    }
    const flaky = state.behaviour.emptyV2SectionsRemaining > 0;
    if (flaky) state.behaviour.emptyV2SectionsRemaining -= 1;
    return sendV2(request, reply, 200, 'server', serverV2Json(state, !flaky));
  });
}
