import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { integerParameter, MAX_PAGE } from '../../paging.js';
import { apiErrorSchema } from '../invite-codes/invite-codes.api.js';
import { USER_STATES, type UserState } from './users.models.js';
import { MAX_USER_SEARCH } from './users.page.js';

const tags = ['users'];
const nullable = (schema: Record<string, unknown>) => ({ ...schema, type: [schema.type, 'null'] });
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
