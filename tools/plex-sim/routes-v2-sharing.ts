import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from './accounts.js';
import { callerOf, guards } from './auth.js';
import type { SimContext } from './context.js';
import { createInvite, describeFailure, updateShare, type InviteFailure } from './invites.js';
import { invitedJson, ownedPendingJson, receivedInviteJson, sharedServerJson } from './plex-tv-json.js';
import { V2_ERRORS, badRequest, sendV2, sendV2Error } from './responses.js';
import { parseSettingsQuery, parseV2Invite, parseV2Update } from './share-bodies.js';

type IdParams = { Params: { id: string } };
type UserParams = { Params: { userId: string } };

/** E5b, E6c, E6d, E6e, E7b, E7c, E8a, E8c and E10 (the v2 shared_servers family). */
export function registerV2SharingRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { v2 } = guards(ctx);

  const sendFailure = (request: FastifyRequest, reply: FastifyReply, failure: InviteFailure) => {
    if (failure.kind !== 'already-sharing') return sendV2Error(request, reply, badRequest(describeFailure(failure)));
    // The v2 duplicate answer is unverified (plex-api.md §6.2): status configurable, text from CANT.
    const status = ctx.state.behaviour.v2DuplicateStatus;
    return sendV2Error(request, reply, { status, code: 1000, message: 'Account already has access to this server' });
  };
  const ownedShare = (request: FastifyRequest<IdParams>) => {
    const share = ctx.state.shares.byV2Id(Number(request.params.id));
    return share?.ownerId === callerOf(request).id ? share : undefined;
  };

  app.post('/api/v2/shared_servers', v2, async (request, reply) => {
    const parsed = parseV2Invite(request.body);
    if (!parsed.ok) return sendV2Error(request, reply, badRequest(parsed.message));
    const result = createInvite(ctx.state, callerOf(request), parsed.value);
    if (!result.ok) return sendFailure(request, reply, result.failure);
    return sendV2(request, reply, 201, 'sharedServer', sharedServerJson(ctx.state, result.share));
  });

  app.get('/api/v2/shared_servers/owned/accepted', v2, async (request, reply) => {
    const shares = ctx.state.shares.ownedBy(callerOf(request).id).filter((share) => share.accepted);
    return sendV2(request, reply, 200, 'sharedServer', shares.map((share) => sharedServerJson(ctx.state, share)));
  });

  app.get('/api/v2/shared_servers/invites/owned/pending', v2, async (request, reply) => {
    const shares = ctx.state.shares.ownedBy(callerOf(request).id).filter((share) => !share.accepted);
    return sendV2(request, reply, 200, 'invite', shares.map((share) => ownedPendingJson(ctx.state, share)));
  });

  app.get('/api/v2/shared_servers/invites/received/pending', v2, async (request, reply) => {
    const { state } = ctx;
    const received = state.shares.receivedBy(callerOf(request));
    const invites = [...new Set(received.map((share) => share.ownerId))]
      .map((ownerId) => state.accounts.findById(ownerId))
      .filter((owner): owner is Account => owner !== undefined)
      .map((owner) => receivedInviteJson(state, owner, received.filter((share) => share.ownerId === owner.id)));
    return sendV2(request, reply, 200, 'invite', invites);
  });

  app.post<IdParams>('/api/v2/shared_servers/:id/accept', v2, async (request, reply) => {
    const caller = callerOf(request);
    const share = ctx.state.shares.receivedBy(caller).find((candidate) => candidate.v2Id === Number(request.params.id));
    if (!share) return sendV2Error(request, reply, V2_ERRORS.notFound);
    // An account that never confirmed its email cannot accept yet; the invite stays pending.
    const refusal = ctx.state.behaviour.unconfirmedAcceptError;
    if (!caller.confirmed && refusal) return sendV2Error(request, reply, refusal);
    ctx.state.shares.accept(share, caller.id, ctx.state.clock.now());
    return sendV2(request, reply, 200, 'sharedServer', sharedServerJson(ctx.state, share));
  });

  app.post<IdParams>('/api/v2/shared_servers/:id', v2, async (request, reply) => {
    const share = ownedShare(request);
    if (!share) return sendV2Error(request, reply, V2_ERRORS.notFound);
    const parsed = parseV2Update(request.body);
    if (!parsed.ok) return sendV2Error(request, reply, badRequest(parsed.message));
    const failure = updateShare(ctx.state, share, parsed.value);
    if (failure) return sendFailure(request, reply, failure);
    return sendV2(request, reply, 200, 'sharedServer', sharedServerJson(ctx.state, share));
  });

  app.delete<IdParams>('/api/v2/shared_servers/:id', v2, async (request, reply) => {
    const share = ownedShare(request);
    if (!share) return sendV2Error(request, reply, V2_ERRORS.notFound);
    ctx.state.shares.remove(share);
    return reply.code(204).send();
  });

  app.get('/api/v2/friends', v2, async (request, reply) => {
    const friends = ctx.state.shares
      .friendIdsOf(callerOf(request).id)
      .map((id) => ctx.state.accounts.findById(id))
      .filter((friend): friend is Account => friend !== undefined)
      .map((friend) => ({ ...invitedJson(friend), status: 'accepted', sharedServers: [], sharedSources: [] }));
    return sendV2(request, reply, 200, 'friend', friends);
  });

  app.put<UserParams>('/api/v2/sharings/:userId', v2, async (request, reply) => {
    const parsed = parseSettingsQuery(request.query);
    if (!parsed.ok) return sendV2Error(request, reply, badRequest(parsed.message));
    const userId = Number(request.params.userId);
    const shares = ctx.state.shares.ownedBy(callerOf(request).id).filter((share) => share.invitedId === userId);
    if (shares.length === 0) return sendV2Error(request, reply, V2_ERRORS.notFound);
    shares.forEach((share) => updateShare(ctx.state, share, { settings: parsed.value }));
    return reply.code(204).send();
  });

  app.delete<UserParams>('/api/v2/sharings/:userId', v2, async (request, reply) => {
    const removed = ctx.state.shares.removeFriend(callerOf(request).id, Number(request.params.userId));
    if (!removed) return sendV2Error(request, reply, V2_ERRORS.notFound);
    return reply.code(204).send();
  });
}
