import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { actorOf } from '../auth/auth.guard.js';
import type { StatusFilter } from './admin-invitations.filter.js';
import { approveResponse, createBody, createResponse, declineResponse, idParams, listQuery, listResponse, retryFailedResponse, retryResponse, revokeResponse } from './admin-invitations.schemas.js';

interface ListQuery {
  status: StatusFilter;
  from?: string;
  to?: string;
  q?: string;
  page: number;
  perPage: number;
}

const tags = ['invitations'];

/** /api/v1/invitations (inside the API-key context). */
export async function invitationsApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const service = opts.deps.services.adminInvitations;

  app.get<{ Querystring: ListQuery }>(
    '/invitations',
    { schema: { tags, summary: 'List invitations', description: 'Newest first, filtered by status, UTC day range and email or username.', querystring: listQuery, response: listResponse } },
    async (request) => {
      const { page, perPage, ...filter } = request.query;
      const { items, total } = await service.list(filter, page, perPage);
      return { items, page, perPage, total };
    },
  );

  app.post<{ Body: { email: string; libraries?: string[] } }>(
    '/invitations',
    { schema: { tags, summary: 'Invite someone', description: 'Shares libraries with an email address or Plex username now; no invite code needed.', body: createBody, response: createResponse } },
    async (request, reply) => reply.code(201).send(await service.invite(request.body, actorOf(request), 'api', request.headers['user-agent'])),
  );

  app.post(
    '/invitations/retry-failed',
    {
      schema: {
        tags,
        summary: 'Send every failed invitation again',
        description:
          'Queues every failed invitation a retry can help again (the same rule as retrying one); the retry worker sends them within seconds. Refusals for good (the owner\'s own account, an account Plex does not know) stay failed; revoked and already shared ones are left alone. Answers how many were queued and how many were left.',
        response: retryFailedResponse,
      },
    },
    async (request) => service.retryAllFailed(actorOf(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/invitations/:id/retry',
    { schema: { tags, summary: 'Send a pending or failed invitation now', params: idParams, response: retryResponse } },
    async (request) => service.retryNow(request.params.id, actorOf(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/invitations/:id/approve',
    {
      schema: {
        tags,
        summary: 'Approve a request',
        description:
          'For a request waiting for approval (join mode `approval`): sends the invite now, as any request is sent. Answers 409 when it is not waiting any more (already approved or declined); two approvals at once send it once.',
        params: idParams,
        response: approveResponse,
      },
    },
    async (request) => service.approve(request.params.id, actorOf(request)),
  );

  app.post<{ Params: { id: string } }>(
    '/invitations/:id/decline',
    {
      schema: {
        tags,
        summary: 'Decline a request',
        description: 'For a request waiting for approval: marks it declined; nothing is ever sent. Answers 409 when it is not waiting any more.',
        params: idParams,
        response: declineResponse,
      },
    },
    async (request) => service.decline(request.params.id, actorOf(request)),
  );

  app.delete<{ Params: { id: string } }>(
    '/invitations/:id/access',
    { schema: { tags, summary: 'Revoke access', description: 'Removes the share or cancels the pending invite on Plex, then marks the invitation revoked.', params: idParams, response: revokeResponse } },
    async (request) => {
      const { removedFromPlex } = await service.revokeAccess(request.params.id, actorOf(request));
      return { status: 'revoked' as const, removedFromPlex };
    },
  );
}
