import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { callerOf, guards } from './auth.js';
import type { SimContext } from './context.js';
import { createInvite, describeFailure, isOwnServer, updateShare, type InviteFailure } from './invites.js';
import { sharedServerXml, sharedServersXml, usersXml } from './plex-tv-xml.js';
import { sendGone, sendHtml404, sendV1Response, sendXml } from './responses.js';
import { parseV1Invite, parseV1Update } from './share-bodies.js';

type MidParams = { Params: { mid: string } };
type ShareParams = { Params: { mid: string; id: string } };

const DEAD_ROUTES = ['/api/invites/requested', '/api/invites/requests', '/api/friends'];

function sendFailure(reply: FastifyReply, failure: InviteFailure): FastifyReply {
  // An unknown machine id looks like an unknown page on plex.tv (JBOPS#226 saw HTML there).
  if (failure.kind === 'unknown-server') return sendHtml404(reply);
  return sendV1Response(reply, 400, describeFailure(failure));
}

/** E5a, E6a, E6b, E7a, E8b and the removed v1 routes (410). */
export function registerV1SharingRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { v1, v1Auth } = guards(ctx);
  // The "v1 sharing is gone" switch answers 410 before any auth, like the routes already removed.
  const goneSwitch = async (_request: FastifyRequest, reply: FastifyReply) => {
    if (ctx.state.behaviour.v1SharingGone) return sendGone(reply);
  };
  const sharing: RouteShorthandOptions = { preHandler: [goneSwitch, v1Auth] };

  const findShare = (request: FastifyRequest<ShareParams>) => {
    const { mid, id } = request.params;
    const share = ctx.state.shares.byV1Id(Number(id));
    const caller = callerOf(request);
    return share && share.machineIdentifier === mid && share.ownerId === caller.id ? share : undefined;
  };

  for (const route of DEAD_ROUTES) {
    app.all(route, async (_request, reply) => sendGone(reply));
    app.all(`${route}/*`, async (_request, reply) => sendGone(reply));
  }

  app.get('/api/users', v1, async (request, reply) => sendXml(reply, 200, usersXml(ctx.state, callerOf(request))));

  app.post<MidParams>('/api/servers/:mid/shared_servers', sharing, async (request, reply) => {
    const parsed = parseV1Invite(request.body);
    if (!parsed.ok) return sendV1Response(reply, 400, parsed.message);
    // The machine id in the path decides; python-plexapi repeats it as `server_id` in the body.
    const invite = { ...parsed.value, machineIdentifier: request.params.mid };
    const result = createInvite(ctx.state, callerOf(request), invite);
    if (!result.ok) return sendFailure(reply, result.failure);
    const node = sharedServerXml(ctx.state, result.share);
    return sendXml(reply, 200, { name: 'MediaContainer', attrs: { size: 1 }, children: [node] });
  });

  app.get<MidParams>('/api/servers/:mid/shared_servers', sharing, async (request, reply) => {
    const { state } = ctx;
    const caller = callerOf(request);
    if (!isOwnServer(state, caller, request.params.mid)) return sendHtml404(reply);
    const shares = state.shares.ownedBy(caller.id).filter((share) => share.machineIdentifier === request.params.mid);
    return sendXml(reply, 200, sharedServersXml(state, shares));
  });

  app.get<ShareParams>('/api/servers/:mid/shared_servers/:id', sharing, async (request, reply) => {
    const share = findShare(request);
    if (!share) return sendHtml404(reply);
    return sendXml(reply, 200, sharedServersXml(ctx.state, [share]));
  });

  app.put<ShareParams>('/api/servers/:mid/shared_servers/:id', sharing, async (request, reply) => {
    const share = findShare(request);
    if (!share) return sendHtml404(reply);
    const parsed = parseV1Update(request.body);
    if (!parsed.ok) return sendV1Response(reply, 400, parsed.message);
    const failure = updateShare(ctx.state, share, parsed.value);
    if (failure) return sendFailure(reply, failure);
    return sendXml(reply, 200, sharedServersXml(ctx.state, [share]));
  });

  app.delete<ShareParams>('/api/servers/:mid/shared_servers/:id', sharing, async (request, reply) => {
    const share = findShare(request);
    if (!share) return sendHtml404(reply);
    ctx.state.shares.remove(share);
    return reply.code(200).send();
  });
}
