import type { FastifyInstance } from 'fastify';
import { callerOf, guards, clientIdentifierOf, plexParam } from './auth.js';
import type { SimContext } from './context.js';
import { pinJson } from './plex-tv-json.js';
import { V2_ERRORS, badRequest, sendV2, sendV2Error } from './responses.js';

type IdParams = { Params: { id: string } };

function codeFrom(body: unknown, query: unknown): string | undefined {
  const fromBody = (body as { code?: unknown } | null | undefined)?.code;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  const fromQuery = (query as { code?: unknown } | undefined)?.code;
  return typeof fromQuery === 'string' && fromQuery !== '' ? fromQuery : undefined;
}

/** E9: create, poll and link (approve) PINs. Create and poll need no token, only a client identifier. */
export function registerPinRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { v2, v2NoToken } = guards(ctx);

  app.post('/api/v2/pins', v2NoToken, async (request, reply) => {
    const strong = ['true', '1'].includes(plexParam(request, 'strong') ?? '');
    const pin = ctx.state.pins.create({
      clientIdentifier: clientIdentifierOf(request) ?? '',
      product: plexParam(request, 'X-Plex-Product') ?? null,
      strong,
    });
    return sendV2(request, reply, 201, 'pin', pinJson(pin));
  });

  app.get<IdParams>('/api/v2/pins/:id', v2NoToken, async (request, reply) => {
    const pin = ctx.state.pins.findForClient(Number(request.params.id), clientIdentifierOf(request) ?? '');
    if (!pin) return sendV2Error(request, reply, V2_ERRORS.pinNotFound);
    return sendV2(request, reply, 200, 'pin', pinJson(pin));
  });

  // What a user does on app.plex.tv, as an API: approves the PIN for the token's account.
  app.put('/api/v2/pins/link', v2, async (request, reply) => {
    const code = codeFrom(request.body, request.query);
    if (!code) return sendV2Error(request, reply, badRequest('code is required'));
    const pin = ctx.state.pins.findByCode(code);
    if (!pin) return sendV2Error(request, reply, V2_ERRORS.pinNotFound);
    ctx.state.approvePin(pin, callerOf(request));
    return reply.code(204).send();
  });
}
