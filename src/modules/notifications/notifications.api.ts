import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { integerParameter, MAX_OFFSET } from '../../paging.js';
import { actorOf } from '../auth/auth.guard.js';
import { apiErrorSchema as error, nullable } from '../invite-codes/invite-codes.api.js';
import { CHANNEL_TYPES } from './channels.js';
import { EVENT_TYPES } from './notification-events.js';
import type { ChannelInput } from './notifications.service.js';

const tags = ['notifications'];
const time = { type: 'string', format: 'date-time' } as const;
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;

const channelView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: [...CHANNEL_TYPES] },
    name: { type: 'string' },
    events: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } },
    enabled: { type: 'boolean' },
    digest: { type: 'boolean', description: 'One message a day at 08:00 (the owner’s time zone) with the events since the last one.' },
    config: { type: 'object', additionalProperties: true, description: 'The settings without secrets; hasPassword/hasToken/hasUrl/hasSecret say whether one is set.' },
    createdAt: time,
    updatedAt: time,
  },
} as const;

const channelBody = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: [...CHANNEL_TYPES] },
    name: { type: 'string', maxLength: 100 },
    events: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 40 } },
    enabled: { type: 'boolean' },
    digest: { type: 'boolean', description: 'A daily digest (08:00, the owner’s time zone) instead of one message per event; not for webhooks.' },
    config: {
      type: 'object',
      additionalProperties: true,
      description:
        'email: host, port, tls (starttls|tls|none), user, password, from, to. discord, slack: url. ntfy: server (default https://ntfy.sh), topic, token (a token, or user:password). telegram: token, chatId, apiUrl (a self-hosted Bot API server). webhook: url. A secret left out on PATCH stays as it was.',
    },
  },
} as const;

// A channel's type is chosen when it is made; a change gives the rest.
const { type: _type, ...patchProperties } = channelBody.properties;

const deliveryView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'held', 'delivered', 'dead'], description: 'held: waiting for its channel’s daily digest.' },
    attempts: { type: 'integer' },
    nextAttemptAt: nullable(time),
    lastError: nullable({ type: 'string' }),
    createdAt: time,
    deliveredAt: nullable(time),
    event: { type: 'object', properties: { type: { type: 'string' }, occurredAt: time, data: { type: 'object', additionalProperties: true } } },
    channel: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, type: { type: 'string' } } },
  },
} as const;

/** GET/POST /notifications/channels, PATCH/DELETE /notifications/channels/{id}, POST …/test, GET /notifications/deliveries. */
export async function notificationsApiRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const notifications = opts.deps.services.notifications;

  app.get('/notifications/channels', { schema: { tags, summary: 'List notification channels', response: { 200: { type: 'object', properties: { items: { type: 'array', items: channelView } } } } } }, async () => ({
    items: await notifications.list(),
  }));

  app.post<{ Body: ChannelInput }>(
    '/notifications/channels',
    {
      schema: {
        tags,
        summary: 'Add a notification channel',
        description: 'A webhook channel answers its signing secret once, in `secret`: the receiver checks `X-Helpr-Signature: sha256=<HMAC-SHA256 of the raw body>` with it.',
        body: { ...channelBody, required: ['type', 'name', 'events', 'config'] },
        response: { 201: { type: 'object', properties: { channel: channelView, secret: { type: 'string' } } }, 400: error },
      },
    },
    async (request, reply) => reply.code(201).send(await notifications.create(request.body, actorOf(request))),
  );

  app.patch<{ Params: { id: string }; Body: ChannelInput }>(
    '/notifications/channels/:id',
    { schema: { tags, summary: 'Change a notification channel', params: idParams, body: { type: 'object', properties: patchProperties }, response: { 200: channelView, 400: error, 404: error } } },
    async (request) => notifications.update(request.params.id, request.body, actorOf(request)),
  );

  app.delete<{ Params: { id: string } }>('/notifications/channels/:id', { schema: { tags, summary: 'Remove a notification channel', params: idParams, response: { 204: { type: 'null' }, 404: error } } }, async (request, reply) => {
    await notifications.remove(request.params.id, actorOf(request));
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>(
    '/notifications/channels/:id/test',
    { schema: { tags, summary: 'Send a test message now', description: 'Answers `ok` and, when it failed, why in words (DNS, TLS, a 401 from the service…).', params: idParams, response: { 200: { type: 'object', properties: { ok: { type: 'boolean' }, error: { type: 'string' } } }, 404: error } } },
    async (request) => notifications.test(request.params.id),
  );

  app.get<{ Querystring: { status?: 'pending' | 'held' | 'delivered' | 'dead'; limit?: number; offset?: number } }>(
    '/notifications/deliveries',
    {
      schema: {
        tags,
        summary: 'List deliveries, newest first',
        querystring: { type: 'object', properties: { status: { type: 'string', enum: ['pending', 'held', 'delivered', 'dead'] }, limit: integerParameter(1, 500, { default: 100 }), offset: integerParameter(0, MAX_OFFSET, { default: 0 }) } },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: deliveryView } } }, 400: error },
      },
    },
    async (request) => {
      const rows = await notifications.deliveries({ status: request.query.status, limit: request.query.limit ?? 100, offset: request.query.offset ?? 0 });
      return {
        items: rows.map((row) => ({
          id: row.id,
          status: row.status,
          attempts: row.attempts,
          nextAttemptAt: row.next_attempt_at,
          lastError: row.last_error,
          createdAt: row.created_at,
          deliveredAt: row.delivered_at,
          event: { type: row.type, occurredAt: row.occurred_at, data: JSON.parse(row.data) as object },
          channel: { id: row.channel_id, name: row.channel_name, type: row.channel_type },
        })),
      };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/notifications/deliveries/:id/resend',
    { schema: { tags, summary: 'Send a dead delivery again', params: idParams, response: { 202: { type: 'object', properties: { queued: { type: 'boolean' } } }, 409: error } } },
    async (request, reply) => {
      await notifications.resend(request.params.id, actorOf(request));
      return reply.code(202).send({ queued: true });
    },
  );
}
