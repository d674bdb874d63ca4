import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { integerParameter, MAX_PAGE } from '../../paging.js';
import { actorOf } from '../auth/auth.guard.js';
import { apiErrorSchema, nullable, permissionsSchema } from '../invite-codes/invite-codes.api.js';
import type { ActionResult } from './user-actions.service.js';
import { USER_STATES, type UserState } from './users.models.js';
import { MAX_USER_SEARCH } from './users.page.js';

const tags = ['users'];
const time = { type: 'string', format: 'date-time' } as const;

export const userView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    plexAccountId: nullable({ type: 'string' }),
    username: nullable({ type: 'string' }),
    email: nullable({ type: 'string' }),
    state: { type: 'string', enum: [...USER_STATES], description: 'expiring: active, with access that ends within 7 days.' },
    libraries: { type: 'array', items: { type: 'string' }, description: 'Local library keys of the share, as plex.tv lists it.' },
    allLibraries: { type: 'boolean', description: 'A share of every library, present and future.' },
    expiresAt: nullable(time),
    permissions: nullable({ ...permissionsSchema, description: 'What the share allows beyond watching, as plex.tv last reported it; null until a sync read it.' }),
    source: { type: 'string', enum: ['helpr', 'plex'], description: 'helpr: came through a Helpr request; plex: access given in Plex itself.' },
    invitationId: nullable({ type: 'string' }),
    since: time,
    removedAt: nullable(time),
    lastSyncedAt: nullable(time),
  },
} as const;

const syncStatus = {
  type: 'object',
  properties: {
    lastRunAt: time,
    lastSuccessAt: nullable(time),
    warning: nullable({
      type: 'object',
      properties: { kind: { type: 'string', enum: ['not_connected', 'failed', 'empty'] }, message: { type: 'string' }, at: time },
    }),
    changed: nullable({
      type: 'object',
      properties: { found: { type: 'integer' }, accepted: { type: 'integer' }, removed: { type: 'integer' }, libraries: { type: 'integer' }, back: { type: 'integer' } },
    }),
  },
} as const;

const actionView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string', enum: ['remove', 'expire', 'libraries', 'resend', 'restore'] },
    status: { type: 'string', enum: ['pending', 'done', 'failed'], description: 'pending: Plex did not answer yet; the change is kept and tried again in the background.' },
    attempts: { type: 'integer' },
    error: nullable({ type: 'string' }),
    nextAttemptAt: nullable(time),
    createdAt: time,
    doneAt: nullable(time),
    actor: nullable({ type: 'string' }),
  },
} as const;
const actionResult = { type: 'object', properties: { action: actionView, user: userView } } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;
const actionResponses = { 200: actionResult, 202: actionResult, 400: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema } as const;

interface ListQuery {
  state?: UserState;
  q?: string;
  page: number;
  perPage: number;
}

/** /api/v1/users (inside the API-key context). */
export async function usersApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const service = opts.deps.services.users;

  app.get<{ Querystring: ListQuery }>(
    '/users',
    {
      schema: {
        tags,
        summary: 'List who has access or an invite',
        description: 'Everyone plex.tv listed for the server at the last sync, and the people removed or expired since; newest first.',
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string', enum: [...USER_STATES] },
            q: { type: 'string', maxLength: MAX_USER_SEARCH, description: 'Part of a username or email address.' },
            page: integerParameter(1, MAX_PAGE, { default: 1 }),
            perPage: integerParameter(1, 500, { default: 50 }),
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: userView }, page: { type: 'integer' }, perPage: { type: 'integer' }, total: { type: 'integer' } } }, 400: apiErrorSchema },
      },
    },
    async (request) => {
      const { page, perPage, state, q } = request.query;
      const { items, total } = await service.list({ state, q: q?.trim() || undefined }, page, perPage);
      return { items, page, perPage, total };
    },
  );

  app.post(
    '/users/sync',
    {
      schema: {
        tags,
        summary: 'Sync with Plex now',
        description:
          'Reads who has access from plex.tv and answers when done. `outcome` is `synced`, or `warning` when nothing was changed (not connected, plex.tv failed, or an empty list while Helpr knows people with access); when another instance is syncing, waits for it.',
        response: { 200: { type: 'object', properties: { outcome: { type: 'string', enum: ['synced', 'warning', 'busy'] }, status: nullable(syncStatus) } } },
      },
    },
    async () => {
      const result = await service.syncNow();
      return { outcome: result.outcome, status: result.status ?? null };
    },
  );
}

/** /api/v1/users/{id}: one person, and the owner's changes to their access (inside the API-key context). */
export async function userActionsApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const actions = opts.deps.services.userActions;
  // 202 while Plex has not answered: the change is kept and carried out in the background.
  const send = (reply: FastifyReply, result: ActionResult) => reply.code(result.action.status === 'pending' ? 202 : 200).send(result);

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    { schema: { tags, summary: 'One person, with their latest changes', params: idParams, response: { 200: { type: 'object', properties: { user: userView, open: nullable(actionView), recent: { type: 'array', items: actionView } } }, 404: apiErrorSchema } } },
    async (request) => {
      const detail = await actions.get(request.params.id);
      return { ...detail, open: detail.open ?? null };
    },
  );

  app.patch<{ Params: { id: string }; Body: { libraries?: string[]; expiresAt?: string | null } }>(
    '/users/:id',
    {
      schema: {
        tags,
        summary: "Change someone's libraries or end of access",
        description:
          '`expiresAt` (ISO 8601, in the future, or null for never) is saved at once; the expiry job removes the access at that moment. `libraries` (local keys) updates their share in Plex in place: they keep it and accept nothing new. Answers 200 when done, 202 when Plex has not answered yet (the change is kept and tried again), 409 while another change to this person is under way.',
        params: idParams,
        body: {
          type: 'object',
          minProperties: 1,
          additionalProperties: false,
          properties: {
            libraries: { type: 'array', minItems: 1, maxItems: 200, items: { type: 'string', maxLength: 200 } },
            expiresAt: nullable({ type: 'string', maxLength: 40 }),
          },
        },
        response: { ...actionResponses, 200: { type: 'object', properties: { action: nullable(actionView), user: userView } } },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { libraries, expiresAt } = request.body;
      let user = expiresAt === undefined ? undefined : await actions.setExpiry(request.params.id, expiresAt, actor);
      if (libraries) return send(reply, await actions.setLibraries(request.params.id, libraries, actor));
      user ??= (await actions.get(request.params.id)).user;
      return { action: null, user };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/users/:id',
    { schema: { tags, summary: 'Remove access (or cancel a pending invite)', description: 'The person stays listed as removed; restore gives access back.', params: idParams, response: actionResponses } },
    async (request, reply) => send(reply, await actions.remove(request.params.id, actorOf(request))),
  );

  app.post<{ Params: { id: string } }>(
    '/users/:id/resend',
    { schema: { tags, summary: 'Send a pending invite again', description: 'Cancels the invite nobody accepted and sends a new one with the same libraries.', params: idParams, response: actionResponses } },
    async (request, reply) => send(reply, await actions.resend(request.params.id, actorOf(request))),
  );

  app.post<{ Params: { id: string } }>(
    '/users/:id/restore',
    { schema: { tags, summary: 'Give access back to someone removed or expired', description: 'Invites them again with their libraries, with no end of access.', params: idParams, response: actionResponses } },
    async (request, reply) => send(reply, await actions.restore(request.params.id, actorOf(request))),
  );
}
